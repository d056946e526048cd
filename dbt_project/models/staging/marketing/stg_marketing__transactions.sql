{{ tributary.staged_rows(ref('base_marketing__transactions')) }}
