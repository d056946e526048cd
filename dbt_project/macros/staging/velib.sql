{#- The snapshot envelopes of a velib raw relation (one per file line), read: source, data timestamp and the
    number of station records at `records_path`. Both base models start from it, and the reconciliation test
    counts with it. -#}
{% macro velib_snapshot_envelopes(relation, records_path) -%}
    select
        _source_file,
        dt as ingested_date,
        raw_line,
        {{ tributary.json_is_object('raw_line') }} as is_json_object,
        {{ tributary.json_text('raw_line', 'source') }} as snapshot_source,
        {{ tributary.try_iso8601_to_utc(tributary.json_text('raw_line', 'data_timestamp')) }} as snapshot_at,
        {{ tributary.json_array_length('raw_line', records_path) }} as record_count
    from {{ relation }}
{%- endmacro %}

{#- True for an envelope the records can be read from (a JSON object with a data timestamp and a records array). -#}
{% macro velib_is_usable_snapshot() -%}
    (is_json_object and snapshot_at is not null and record_count is not null)
{%- endmacro %}

{#- Snapshot lines of a velib raw relation that are not a usable envelope (not a JSON object, no readable
    data_timestamp, or no results array): one row each, with every record column NULL, so nothing is lost. -#}
{% macro velib_malformed_snapshots(snapshots) -%}
    select
        _source_file,
        ingested_date,
        snapshot_source,
        snapshot_at,
        raw_line,
        cast(null as varchar) as stationcode,
        cast(null as varchar) as station_name,
        cast(null as boolean) as is_installed,
        cast(null as boolean) as is_renting,
        cast(null as boolean) as is_returning,
        cast(null as integer) as capacity,
        cast(null as integer) as bikes,
        cast(null as integer) as mechanical_bikes,
        cast(null as integer) as ebikes,
        cast(null as integer) as docks,
        cast(null as timestamp) as reported_at,
        cast(null as double) as latitude,
        cast(null as double) as longitude,
        cast(null as varchar) as commune,
        cast(null as varchar) as insee_code,
        'malformed_snapshot' as snapshot_problem
    from {{ snapshots }}
    where not {{ tributary.velib_is_usable_snapshot() }}
{%- endmacro %}

{#- GBFS num_bikes_available_types is a list of one-key objects ([{"mechanical": 2}, {"ebike": 3}]), in no
    promised order: the count of `bike_type` is in whichever of the first two holds it. -#}
{% macro gbfs_bike_type(status_json, bike_type) -%}
    coalesce(
        {{ tributary.json_text(status_json, 'num_bikes_available_types[0].' ~ bike_type) }},
        {{ tributary.json_text(status_json, 'num_bikes_available_types[1].' ~ bike_type) }}
    )
{%- endmacro %}
