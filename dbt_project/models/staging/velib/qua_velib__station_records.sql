{{ tributary.quarantine_rows(ref('base_velib__station_records'), source_table_sql='source_table') }}
