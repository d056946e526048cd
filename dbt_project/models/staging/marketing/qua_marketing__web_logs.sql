{{ tributary.quarantine_rows(ref('base_marketing__web_logs'), source_table_sql='source_table') }}
