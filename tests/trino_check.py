"""Checks that SQL is Trino (Athena engine 3) SQL: the real Trino grammar (trino-query-parser), and no function
that Trino lacks (an allowlist of Trino's functions; DuckDB-only ones get a hint)."""

from __future__ import annotations

import re

from trino_query_parser import TrinoSyntaxError, parse_statement


def _words(text: str) -> set[str]:
    return set(text.split())


# Trino's scalar, aggregate, window and table functions (trino.io/docs/current/functions/list.html), the subset
# a dbt project plausibly uses, plus what dbt-athena's own macros emit. Add to it only after checking the docs.
TRINO_FUNCTIONS = _words(
    """
    abs acos approx_distinct approx_percentile arbitrary array_agg array_distinct array_join array_max array_min
    array_position array_remove array_sort arrays_overlap asin at_timezone atan avg bitwise_and bool_and bool_or
    cardinality cbrt ceil ceiling char_length checksum chr codepoint coalesce concat concat_ws contains corr cos
    count count_if covar_pop covar_samp cume_dist current_date current_time current_timestamp current_timezone
    date date_add date_diff date_format date_parse date_trunc day day_of_month day_of_week day_of_year degrees
    dense_rank dow doy e element_at every exp filter first_value flatten floor format format_datetime
    from_base64 from_hex from_iso8601_date from_iso8601_timestamp from_unixtime geometric_mean greatest hour
    if index is_finite is_nan is_json_scalar json_array_contains json_array_get json_array_length json_extract
    json_extract_scalar json_format json_parse json_query json_size json_value kurtosis lag last_day_of_month
    last_value lead least length levenshtein_distance listagg ln localtime localtimestamp log log10 log2 lower
    lpad ltrim map map_agg map_concat map_entries map_filter map_from_entries map_keys map_values max max_by md5
    millisecond min min_by minute mod month multimap_agg nan now nth_value ntile nullif parse_datetime
    percent_rank pi position pow power quarter radians rand random rank reduce regexp_count regexp_extract
    regexp_extract_all regexp_like regexp_position regexp_replace regexp_split repeat replace reverse round
    row_number rpad rtrim second sequence sha256 shuffle sign sin skewness slice split split_part sqrt
    starts_with stddev stddev_pop stddev_samp strpos substr substring sum tan tanh timezone_hour timezone_minute
    to_base64 to_hex to_iso8601 to_milliseconds to_unixtime to_utf8 from_utf8 transform trim truncate try typeof
    upper url_extract_host url_extract_parameter url_extract_path uuid var_pop var_samp variance week week_of_year
    with_timezone year year_of_week yow zip zip_with
    """
)
# Words that stand before "(" without being functions: keywords, types, constructors.
NOT_FUNCTIONS = _words(
    """
    and or not in exists values over as select from where on using case when then else end filter within
    cast try_cast extract unnest array map row decimal varchar char timestamp time interval double real
    integer bigint smallint tinyint boolean date json lateral table
    """
)
DUCKDB_ONLY_HINTS = {
    "regexp_matches": "regexp_like (tributary.regexp_like)",
    "regexp_full_match": "regexp_like with ^…$",
    "strptime": "date_parse (tributary.try_to_timestamp)",
    "try_strptime": "try(date_parse(…)) (tributary.try_to_timestamp)",
    "json_extract_string": "json_extract_scalar (tributary.json_text)",
    "json_valid": "try(json_parse(…)) (tributary.json_is_object)",
    "len": "cardinality / length (tributary.array_size)",
    "list_extract": "element_at (tributary.array_get)",
    "epoch": "to_unixtime",
    "quantile_cont": "approx_percentile",
    "to_timestamp": "from_unixtime (tributary.epoch_to_utc)",
    "strftime": "date_format",
}


def strip_literals(sql: str) -> str:
    sql = re.sub(r"'(?:[^']|'')*'", "''", sql)
    sql = re.sub(r'"(?:[^"]|"")*"', '""', sql)
    sql = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"/\*.*?\*/", "", sql, flags=re.S)


def functions_used(sql: str) -> set[str]:
    """Names called as functions, leaving out column-alias lists (`as t (c)`) and keywords."""
    text = strip_literals(sql)
    names = set()
    for match in re.finditer(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", text):
        before = text[: match.start()].rstrip()
        if re.search(r"\bas$", before, flags=re.I):
            continue  # a column-alias list: unnest(…) as t (c)
        if re.match(r"\s*as\s*\(", text[_closing_paren(text, match.end() - 1) + 1 :], flags=re.I):
            continue  # a CTE with a column list: name (a, b) as (…)
        names.add(match.group(1).lower())
    return names - NOT_FUNCTIONS


def _closing_paren(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return len(text) - 1


def problems(sql: str) -> list[str]:
    """What makes `sql` not Trino SQL: a syntax error of the Trino grammar, or functions Trino lacks."""
    found = []
    try:
        parse_statement(sql.strip().rstrip(";"))
    except TrinoSyntaxError as error:
        found.append(f"not Trino syntax: {error}")
    for name in sorted(functions_used(sql) - TRINO_FUNCTIONS):
        hint = DUCKDB_ONLY_HINTS.get(name)
        found.append(f"function {name}() is not a Trino function" + (f"; use {hint}" if hint else ""))
    return found
