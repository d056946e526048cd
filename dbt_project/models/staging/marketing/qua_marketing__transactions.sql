{{ tributary.quarantine_rows(ref('base_marketing__transactions'), 'marketing_raw.transactions') }}
