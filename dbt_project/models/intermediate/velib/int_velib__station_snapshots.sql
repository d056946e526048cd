{#- Usable station records with the KPIs of DOMAINS.md §2, one row per station per snapshot.
    fill_rate = bikes / (bikes + docks), NULL when both are 0 (the denominator is not the capacity);
    shortage = installed and no bike; saturation = installed and (no free dock or fill_rate ≥ 0.9);
    arrondissement = the code's leading digits // 1000 (1–20) for stations whose commune is Paris, checked first
    (a code with a text suffix, such as 16107_relais, falls in the arrondissement its digits give). -#}
with

records as (
    select * from {{ ref('stg_velib__station_records') }}
),

measured as (
    select
        *,
        case
            when bikes + docks > 0 then cast(bikes as double) / (bikes + docks)
        end as fill_rate,
        case
            when
                lower(commune) = 'paris'
                and {{ tributary.regexp_like('stationcode', '^[0-9]{4,5}([^0-9].*)?$') }}
                and floor(cast(regexp_extract(stationcode, '^([0-9]+)', 1) as double) / 1000) between 1 and 20
                then cast(floor(cast(regexp_extract(stationcode, '^([0-9]+)', 1) as double) / 1000) as integer)
        end as arrondissement
    from records
),

final as (
    select
        -- ids
        snapshot_at,
        stationcode,
        snapshot_source,
        -- dimensions
        station_name,
        commune,
        insee_code,
        arrondissement,
        case when arrondissement is not null then 'arrondissement' else 'commune' end as area_type,
        case
            when arrondissement is not null then 'Paris ' || cast(arrondissement as varchar)
            else coalesce(commune, 'Unknown')
        end as area_name,
        latitude,
        longitude,
        is_installed,
        is_renting,
        is_returning,
        -- measures
        capacity,
        bikes,
        mechanical_bikes,
        ebikes,
        docks,
        fill_rate,
        -- flags
        bikes = 0 as is_empty,
        docks = 0 as is_full,
        coalesce(fill_rate >= 0.9, false) as is_high_fill,
        is_installed and bikes = 0 as is_shortage,
        is_installed and (docks = 0 or coalesce(fill_rate >= 0.9, false)) as is_saturated,
        -- timestamps
        cast(snapshot_at as date) as snapshot_date,
        cast(extract(hour from snapshot_at) as integer) as snapshot_hour,
        reported_at,
        -- lineage
        _source_file,
        _delivery_id,
        _delivered_at
    from measured
)

select * from final
