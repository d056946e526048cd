"""The project's landing step, as the benchmark times it: the input files of a domain landed into a fresh lake by
`ingestion.files.ingest_files` (the code the Dagster ingestion assets run): the original bytes into raw/, the
records parsed once into parsed/. Prints one JSON line per landed file on stderr (records, rejected, reader).

    python -m bench.land --domain stock --lake .data/bench/lakes/x --inputs sales.csv inventory.csv
    python -m bench.land --domain stock --lake ... --inputs superstore_sales.csv --encoding cp1252
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from ingestion import config
from ingestion.files import ingest_files
from ingestion.lake import LocalLake

# The tables each domain's inputs land in, in the order the inputs are given (as the Dagster assets do).
TABLES = {
    "stock": [("stock", "sales"), ("stock", "inventory_snapshots")],
    "shop": [("shop", "clients"), ("shop", "orders")],
}


def land(domain: str, lake_dir: Path, inputs: list[Path], encoding: str | None = None) -> list[dict]:
    """Land `inputs` (one per table of TABLES[domain], in order) into a fresh lake at `lake_dir`."""
    if len(inputs) > len(TABLES[domain]):
        raise SystemExit(f"{domain} lands at most {len(TABLES[domain])} files, not {len(inputs)}")
    shutil.rmtree(lake_dir, ignore_errors=True)
    lake = LocalLake(lake_dir)
    out = []
    for (source, table), path in zip(TABLES[domain], inputs, strict=False):
        # the encoding the project's settings declare (STOCK_SALES_ENCODING, default cp1252): a file whose bytes
        # are UTF-8 is read as UTF-8 whatever is declared
        declared = encoding or (config.stock_settings().sales_encoding if table == "sales" else None)
        for landed in ingest_files(lake, source, table, str(path), encoding=declared):
            out.append({"table": f"{source}.{table}", "file": str(path), "records": landed.records,
                        "rejected": landed.rejected, "encoding": landed.encoding})  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domain", choices=sorted(TABLES), required=True)
    parser.add_argument("--lake", type=Path, required=True, help="the lake folder (replaced)")
    parser.add_argument("--inputs", type=Path, nargs="+", required=True, help="one file per table, in order")
    parser.add_argument("--encoding", default=None, help="the encoding declared for the files")
    args = parser.parse_args(argv)
    for entry in land(args.domain, args.lake.resolve(), args.inputs, args.encoding):
        print(json.dumps(entry), file=sys.stderr)


if __name__ == "__main__":
    main()
