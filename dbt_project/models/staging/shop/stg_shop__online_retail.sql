{#- Usable Online Retail lines. Exact duplicates are gone, so the fields identify a line within its invoice;
    line_number numbers the lines of an invoice in a deterministic order of their fields. -#}
{{ tributary.staged_rows(ref('base_shop__online_retail'), extra={
    'line_number': 'row_number() over (partition by invoice_no order by stock_code, description, quantity, '
        ~ 'unit_price, invoiced_at, customer_id, country)',
}) }}
