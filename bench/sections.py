"""The sections of the benchmark besides the marts: fixed cost, memory limit, incremental, freshness."""
