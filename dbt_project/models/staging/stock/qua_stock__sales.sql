{{ tributary.quarantine_rows(ref('base_stock__sales'), 'stock_raw.sales') }}
