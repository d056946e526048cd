{{ tributary.staged_rows(ref('base_shop__clients')) }}
