{{ tributary.staged_rows(ref('base_wine__web')) }}
