{{ tributary.quarantine_rows(ref('base_wine__web'), 'wine_raw.web') }}
