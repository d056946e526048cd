{#- The seed shop_rfm_segments holds exactly the R×F map of DOMAINS.md §4: every (r, f) pair once, each with the
    segment below. Returns the pairs where the seed and the specification disagree. -#}
with

seed as (
    select * from {{ ref('shop_rfm_segments') }}
),

spec (code, segment) as (
    values
    ('11', 'Hibernating'), ('12', 'Hibernating'), ('21', 'Hibernating'), ('22', 'Hibernating'),
    ('13', 'At Risk'), ('14', 'At Risk'), ('23', 'At Risk'), ('24', 'At Risk'),
    ('15', 'Can''t Lose'), ('25', 'Can''t Lose'),
    ('31', 'About to Sleep'), ('32', 'About to Sleep'),
    ('33', 'Need Attention'),
    ('34', 'Loyal'), ('35', 'Loyal'), ('44', 'Loyal'), ('45', 'Loyal'),
    ('41', 'Promising'),
    ('51', 'New'),
    ('42', 'Potential Loyalists'), ('43', 'Potential Loyalists'), ('52', 'Potential Loyalists'),
    ('53', 'Potential Loyalists'),
    ('54', 'Champions'), ('55', 'Champions')
),

seeded as (
    select
        cast(r_score as varchar) || cast(f_score as varchar) as code,
        segment
    from seed
),

final as (
    select
        coalesce(spec.code, seeded.code) as code,
        spec.segment as spec_segment,
        seeded.segment as seed_segment
    from spec
    full outer join seeded on spec.code = seeded.code
    where spec.segment is null or seeded.segment is null or spec.segment != seeded.segment
)

select * from final
