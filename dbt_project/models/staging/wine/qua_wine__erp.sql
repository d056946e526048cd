{{ tributary.quarantine_rows(ref('base_wine__erp'), 'wine_raw.erp') }}
