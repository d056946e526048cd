{{ tributary.quarantine_rows(ref('base_marketing__social_posts'), 'marketing_raw.social_posts') }}
