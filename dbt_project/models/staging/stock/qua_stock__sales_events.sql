{{ tributary.quarantine_rows(ref('base_stock__sales_events'), 'stock_raw.sales_events') }}
