{{ tributary.quarantine_rows(ref('base_shop__orders'), 'shop_raw.orders') }}
