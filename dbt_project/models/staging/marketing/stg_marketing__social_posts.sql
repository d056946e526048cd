{{ tributary.staged_rows(ref('base_marketing__social_posts')) }}
