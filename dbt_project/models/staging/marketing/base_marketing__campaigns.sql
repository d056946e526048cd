{{ config(
    materialized='incremental',
    incremental_strategy=tributary.record_strategy(),
    unique_key=['_delivery_id', '_line_number'],
    table_type='iceberg',
    on_schema_change='fail',
) }}
{#- Every record of the ad-campaign exports, typed and checked by the source contract. Impossible records are
    quarantined (clicks_exceed_impressions, end_before_start); a ctr that disagrees with clicks / impressions is
    only wrong (a rate in percent, a stale figure): the campaign stays and fct_marketing__campaign_performance
    flags it. A campaign_id delivered again: the latest delivery wins. -#}
{{ tributary.stage_source('marketing_raw', 'campaigns') }}
