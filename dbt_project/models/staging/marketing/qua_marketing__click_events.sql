{{ tributary.quarantine_rows(ref('base_marketing__click_events'), 'marketing_raw.click_events') }}
