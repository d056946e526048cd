{{ tributary.staged_rows(ref('base_stock__inventory_snapshots')) }}
