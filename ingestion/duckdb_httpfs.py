"""DuckDB's httpfs extension (S3 reads), installed offline from the `duckdb-extension-httpfs` wheel.

DuckDB downloads extensions from extensions.duckdb.org on `INSTALL`; this project must work without that. The
wheel carries the extension file for the pinned DuckDB: installing from that file puts it in DuckDB's extension
folder, after which `INSTALL httpfs` (what dbt-duckdb runs for the profile's `extensions`) finds it and downloads
nothing. Idempotent; `make install` runs it.

    python -m ingestion.duckdb_httpfs
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def bundled_extension() -> Path:
    """The httpfs file of the wheel for this DuckDB version (a clear error when versions disagree)."""
    import duckdb_extension_httpfs

    version = duckdb.__version__
    path = Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{version}" / "httpfs.duckdb_extension"
    if not path.exists():
        found = sorted(p.name for p in path.parent.parent.glob("v*"))
        raise RuntimeError(
            f"duckdb-extension-httpfs has no build for DuckDB {version} (it has {', '.join(found) or 'none'}): "
            "install the same x.y.z of duckdb and duckdb-extension-httpfs (pyproject.toml pins both to 1.5.x)"
        )
    return path


def ensure_httpfs() -> Path:
    """Install httpfs into DuckDB's extension folder when it is not there yet; return where it is."""
    with duckdb.connect() as con:
        row = con.sql(
            "select installed, install_path from duckdb_extensions() where extension_name = 'httpfs'"
        ).fetchone()
        if row and row[0]:
            return Path(row[1])
        con.execute(f"install '{bundled_extension()}'")
        return Path(
            con.sql("select install_path from duckdb_extensions() where extension_name = 'httpfs'").fetchone()[0]
        )


def main() -> int:
    print(f"httpfs for DuckDB {duckdb.__version__}: {ensure_httpfs()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
