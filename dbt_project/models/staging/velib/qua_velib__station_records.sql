{{ tributary.quarantine_rows(
    ref('base_velib__station_records'),
    source_table_sql="case when _source_file like '%/gbfs_station_status/%'"
        ~ " then 'velib_raw.gbfs_station_status' else 'velib_raw.station_status' end"
) }}
