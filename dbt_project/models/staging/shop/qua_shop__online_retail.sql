{{ tributary.quarantine_rows(ref('base_shop__online_retail'), 'shop_raw.online_retail') }}
