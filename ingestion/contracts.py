"""Source contracts: what a raw table holds, declared once in dbt and read here by the landing code.

Each dbt source table that the lake feeds declares, in its `_<domain>__sources.yml`:

- `meta.lake`: where its files live and how they are read (`path`, `format`, `encoding`, `delimiter`);
- `meta.contract`: the key, the de-duplication policy and the domain's checks (read by the dbt macros only);
- `columns`: the raw relation's columns; those whose `meta` has a `type` are the contract's fields, each found in
  a file by its header name (or JSON key) and typed by staging.

The landing code needs the fields: it finds each one in a file's header **by name** (byte-order mark, case,
spaces and punctuation do not matter), fails with one clear error naming the file and the column when a required
field is absent, writes NULL for an absent optional one, and drops (and reports) columns the contract does not
know. This module reads the yml files directly (no dbt parse), so ingestion runs without dbt.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingestion import config

# The columns every parsed file carries besides the contract's fields (the raw relation's lineage).
LINEAGE_COLUMNS = ("_source_file", "_delivery_id", "_delivered_at", "_line_number")
PROBLEM_COLUMNS = ("_raw_line", "_parse_error")

FORMATS = ("csv", "jsonl", "lines", "velib_opendata", "velib_gbfs")


class ContractError(ValueError):
    """A source contract (yml) that cannot be used: a message naming the source and the problem."""


def normalize_name(name: str) -> str:
    """A header name as compared with the contract: no byte-order mark, case-folded, every run of characters
    other than letters and digits one underscore, none at the ends ('  Sub-Category ' → 'sub_category')."""
    text = name.replace("\ufeff", "").strip().casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


@dataclass(frozen=True)
class Field:
    """One field of a contract: its name in the warehouse, the names it may carry in a file, whether a file
    without it is refused."""

    name: str
    names: tuple[str, ...]  # normalized header names (or JSON key paths) that mean this field
    required: bool
    type: str

    @property
    def header(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class Contract:
    source_name: str  # the dbt source, e.g. stock_raw
    table: str  # the dbt table, e.g. sales
    lake_source: str  # the lake's source folder, e.g. stock
    lake_table: str  # the lake's table folder, e.g. sales
    format: str
    encoding: str = "utf-8"
    delimiter: str = ","
    fields: tuple[Field, ...] = field(default_factory=tuple)
    max_line_bytes: int = 2 * 1024 * 1024

    @property
    def raw_prefix(self) -> str:
        return f"raw/{self.lake_source}/{self.lake_table}/"

    @property
    def parsed_prefix(self) -> str:
        return f"parsed/{self.lake_source}/{self.lake_table}/"

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of a parsed file, in order."""
        return (*LINEAGE_COLUMNS, *self.field_names, *PROBLEM_COLUMNS)


@dataclass(frozen=True)
class HeaderMatch:
    """Where each contract field is in a file's header (index, or None when an optional field is absent)."""

    positions: dict[str, int | None]
    extra: tuple[str, ...]  # header names the contract does not know (dropped, reported)
    missing_optional: tuple[str, ...]
    width: int  # columns in the header


def match_header(contract: Contract, header: Sequence[str], file_name: str) -> HeaderMatch:
    """Map a file's header onto the contract by name. Raises ContractError naming the file for a required field
    that is absent or a header name that appears twice."""
    normalized = [normalize_name(name) for name in header]
    seen: dict[str, int] = {}
    for index, name in enumerate(normalized):
        if name and name in seen:
            raise ContractError(f"{file_name}: column {header[index]!r} appears twice in the header")
        seen[name] = index
    positions: dict[str, int | None] = {}
    used: set[int] = set()
    missing_required, missing_optional = [], []
    for f in contract.fields:
        index = next((seen[name] for name in f.names if name in seen), None)
        positions[f.name] = index
        if index is None:
            (missing_required if f.required else missing_optional).append(f)
        else:
            used.add(index)
    if missing_required:
        names = ", ".join(repr(f.header) for f in missing_required)
        raise ContractError(
            f"{file_name}: required column(s) {names} missing from the header "
            f"(found {', '.join(repr(h) for h in header[:30])}{'…' if len(header) > 30 else ''})"
        )
    extra = tuple(header[i] for i in range(len(header)) if i not in used and normalized[i])
    return HeaderMatch(positions, extra, tuple(f.name for f in missing_optional), len(header))


def _field(column: dict, where: str) -> Field | None:
    meta = column.get("meta") or {}
    if "type" not in meta:
        return None
    name = column["name"]
    names = meta.get("header", name)
    names = [names] if isinstance(names, str) else list(names)
    names += list(meta.get("aliases", []))
    normalized = tuple(dict.fromkeys(normalize_name(n) if "." not in n else n for n in [*names, name]))
    return Field(name=name, names=normalized, required=bool(meta.get("required", False)), type=str(meta["type"]))


def _contract(source: dict, table: dict, where: str) -> Contract:
    lake = (table.get("meta") or {}).get("lake") or {}
    path = str(lake.get("path", "")).strip("/")
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != "raw":
        raise ContractError(f"{where}: meta.lake.path must be raw/<source>/<table>, not {path!r}")
    fmt = lake.get("format", "csv")
    if fmt not in FORMATS:
        raise ContractError(f"{where}: meta.lake.format {fmt!r} is not one of {', '.join(FORMATS)}")
    fields = tuple(f for f in (_field(c, where) for c in table.get("columns", [])) if f is not None)
    return Contract(
        source_name=source["name"],
        table=table["name"],
        lake_source=parts[1],
        lake_table=parts[2],
        format=fmt,
        encoding=str(lake.get("encoding", "utf-8")),
        delimiter=str(lake.get("delimiter", ",")),
        fields=fields,
        max_line_bytes=int(lake.get("max_line_size", 2 * 1024 * 1024)),
    )


@functools.cache
def _load(models_dir: Path) -> dict[tuple[str, str], Contract]:
    contracts = {}
    for path in sorted(models_dir.glob("staging/*/_*__sources.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            for table in source.get("tables", []):
                lake = (table.get("meta") or {}).get("lake")
                if not lake or lake.get("format") == "parquet":  # parquet: tables the pipeline writes (ml/)
                    continue
                where = f"{path.relative_to(models_dir.parent)}: {source['name']}.{table['name']}"
                contract = _contract(source, table, where)
                contracts[(contract.lake_source, contract.lake_table)] = contract
    return contracts


def contract_for(lake_source: str, lake_table: str) -> Contract:
    """The contract of the raw table `raw/<lake_source>/<lake_table>/`."""
    contracts = _load(config.DBT_PROJECT_DIR / "models")
    try:
        return contracts[(lake_source, lake_table)]
    except KeyError:
        raise ContractError(
            f"no dbt source declares meta.lake.path raw/{lake_source}/{lake_table} "
            f"(dbt_project/models/staging/*/_*__sources.yml)"
        ) from None


def all_contracts() -> list[Contract]:
    return list(_load(config.DBT_PROJECT_DIR / "models").values())
