{{ tributary.quarantine_rows(ref('base_marketing__campaigns'), 'marketing_raw.campaigns') }}
