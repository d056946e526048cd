{{ tributary.staged_rows(ref('base_shop__orders')) }}
