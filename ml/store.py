"""The lake side of the models: versioned artefacts, the published pointer, and the Parquet tables dbt reads.

Layout (keys under the lake root, `ingestion.lake`; every write goes through `Lake.replace`, atomic):

    models/<domain>/<model>/<version>/model.pkl            the fitted estimators (pickle; see `load_artefact`)
    models/<domain>/<model>/<version>/metadata.json        parameters, split, metrics, segments, versions of the code
    models/<domain>/<model>/<version>/training_frame.parquet   the feature rows the version was trained on
    models/<domain>/<model>/published.json                 {"version": …}: the version scoring uses
    ml/<domain>/<table>/<file>.parquet                     the tables dbt reads (sources with format: parquet)

A version names its content (the digest of its training rows and parameters), so training again on the same
data rewrites the same files instead of adding a copy; only the published pointer says which version scores.
"""

from __future__ import annotations

import io
import json
import pickle
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sklearn

from ingestion.lake import Lake

ARTEFACT_FILES = ("model.pkl", "metadata.json", "training_frame.parquet")


class ArtefactError(RuntimeError):
    """A model artefact is missing, unreadable, or was saved by another version of scikit-learn."""


def model_prefix(domain: str, model: str) -> str:
    return f"models/{domain}/{model}"


def artefact_key(domain: str, model: str, version: str, file: str) -> str:
    return f"{model_prefix(domain, model)}/{version}/{file}"


def parquet_bytes(frame: pd.DataFrame, schema: pa.Schema) -> bytes:
    """`frame` as Parquet with exactly `schema` (column order and types; timestamps in milliseconds, which Athena
    reads), so the file matches the source's declared columns whatever pandas inferred."""
    missing = [name for name in schema.names if name not in frame.columns]
    if missing:
        raise ValueError(f"the table needs the columns {', '.join(missing)}")
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, coerce_timestamps="ms", allow_truncated_timestamps=True)
    return buffer.getvalue()


def write_table(lake: Lake, key: str, frame: pd.DataFrame, schema: pa.Schema) -> str:
    lake.replace(key, parquet_bytes(frame, schema))
    return key


def read_parquet(lake: Lake, key: str) -> pd.DataFrame:
    return pq.read_table(io.BytesIO(lake.get(key))).to_pandas()


@dataclass(frozen=True)
class Artefact:
    version: str
    estimators: Any
    metadata: dict
    training_frame: pd.DataFrame


def code_versions() -> dict[str, str]:
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "pandas": pd.__version__}


def save_artefact(
    lake: Lake, domain: str, model: str, version: str, estimators: Any, metadata: Mapping, frame: pd.DataFrame
) -> list[str]:
    """Write the three files of a version; returns their keys."""
    keys = [artefact_key(domain, model, version, file) for file in ARTEFACT_FILES]
    lake.replace(keys[0], pickle.dumps(estimators, protocol=pickle.HIGHEST_PROTOCOL))
    lake.replace(keys[1], json.dumps(metadata, indent=2, sort_keys=True, default=str).encode())
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    lake.replace(keys[2], buffer.getvalue())
    return keys


def load_metadata(lake: Lake, domain: str, model: str, version: str) -> dict:
    key = artefact_key(domain, model, version, "metadata.json")
    if not lake.exists(key):
        raise ArtefactError(f"no model version {version!r}: {lake.uri(key)} does not exist")
    return json.loads(lake.get(key))


def load_artefact(lake: Lake, domain: str, model: str, version: str) -> Artefact:
    """The version's estimators, metadata and training rows. The estimators are a pickle: only ever load the
    lake's own artefacts (a pickle can run code), and only with the scikit-learn version that saved them (a
    pickle is not portable across versions): another version is an error that says to retrain."""
    metadata = load_metadata(lake, domain, model, version)
    saved = metadata.get("code_versions", {}).get("scikit-learn")
    if saved != sklearn.__version__:
        raise ArtefactError(
            f"model {domain}/{model} version {version} was saved with scikit-learn {saved}, this is "
            f"{sklearn.__version__}: train it again (python -m ml train, or the Dagster asset {domain}/{model})"
        )
    estimators = pickle.loads(lake.get(artefact_key(domain, model, version, "model.pkl")))
    frame = pd.read_parquet(io.BytesIO(lake.get(artefact_key(domain, model, version, "training_frame.parquet"))))
    return Artefact(version, estimators, metadata, frame)


def publish(lake: Lake, domain: str, model: str, version: str, published_at: str) -> str:
    key = f"{model_prefix(domain, model)}/published.json"
    lake.replace(key, json.dumps({"version": version, "published_at": published_at}, indent=2).encode())
    return key


def published_version(lake: Lake, domain: str, model: str) -> str | None:
    """The version scoring uses, or None when no version was ever published."""
    key = f"{model_prefix(domain, model)}/published.json"
    if not lake.exists(key):
        return None
    return json.loads(lake.get(key))["version"]


def versions(lake: Lake, domain: str, model: str) -> list[str]:
    """Every version saved in the lake, oldest name first (names start with the as-of date)."""
    prefix = model_prefix(domain, model) + "/"
    found = {key[len(prefix) :].split("/", 1)[0] for key in lake.list(prefix) if key.endswith("/metadata.json")}
    return sorted(found)
