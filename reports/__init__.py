"""Files for people, written from the marts to the lake under `reports/<domain>/…` (no business rule here:
the figures come from the marts as they are)."""
