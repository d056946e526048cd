{#- The base models of the stock order lines, each with the expression of a row's sale day: what
    int_stock__pair_daily_sales recomputes by (staged_dates), in its body and in its pre-hook. -#}
{% macro stock_order_line_sources() -%}
    {{ return([
        (ref('base_stock__sales'), 'order_date'),
        (ref('base_stock__sales_events'), 'cast(event_time as date)'),
    ]) }}
{%- endmacro %}
