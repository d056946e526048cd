{{ tributary.quarantine_rows(ref('base_shop__clients'), 'shop_raw.clients') }}
