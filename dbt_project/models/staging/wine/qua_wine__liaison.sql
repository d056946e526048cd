{{ tributary.quarantine_rows(ref('base_wine__liaison'), 'wine_raw.liaison') }}
