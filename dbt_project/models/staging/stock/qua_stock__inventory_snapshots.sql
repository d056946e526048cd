{{ tributary.quarantine_rows(ref('base_stock__inventory_snapshots'), 'stock_raw.inventory_snapshots') }}
