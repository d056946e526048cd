"""One module per domain (`assets`, `jobs`, `schedules`, `sensors`), and what their ingestion assets share."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
)

from ingestion.files import LandedFile

INPUTS_LANDED = "inputs_landed"


def landing_checks(*keys) -> list[AssetCheckSpec]:
    """The check every file-landing asset reports: each input file was landed (one that cannot be, unreadable or
    not the contract's columns, is skipped and named here, and never blocks the others; when none of them can be,
    the asset fails)."""
    return [
        AssetCheckSpec(INPUTS_LANDED, asset=key, description="Every input file could be read and landed.")
        for key in keys
    ]


def landed_result(
    context: AssetExecutionContext, landed: list[LandedFile], asset_key: AssetKey | None = None
) -> MaterializeResult:
    """The metadata of an ingestion asset: files matched, files delivered (the others were nothing new), the
    records parsed and rejected by the reader, and the columns the contract does not know (dropped) or lacks."""
    failed = [f for f in landed if f.error]
    written = [f for f in landed if f.written]
    for f in failed:
        context.log.error(f"not landed: {f.error}")
    if failed and len(failed) == len(landed):
        # not one input could be read: a green run that lands nothing would hide it (a wrong path, a file saved in
        # another format). Some files unreadable among good ones: the good ones land, the check names the others.
        raise Failure(
            description="no input file could be landed: " + "; ".join(f.error for f in failed),
            metadata={"files_not_landed": MetadataValue.json([f.error for f in failed])},
        )
    for f in landed:
        if f.error:
            continue
        if f.written:
            context.log.info(
                f"{f.source_path} -> {f.key}, parsed into {f.parsed_key}: {f.records:,} record(s), "
                f"{f.rejected:,} the reader could not split{f' {f.reasons}' if f.reasons else ''}"
            )
        else:
            context.log.info(f"{f.source_path} -> {f.key}: nothing new ({f.reason})")
        if f.extra_columns:
            context.log.warning(
                f"{f.source_path}: column(s) the contract does not know, dropped: {list(f.extra_columns)}"
            )
        if f.missing_optional:
            context.log.warning(f"{f.source_path}: optional column(s) absent, NULL: {list(f.missing_optional)}")
    return MaterializeResult(
        asset_key=asset_key,
        metadata={
            "files": len(landed),
            "files_written": len(written),
            "records": sum(f.records for f in written),
            "records_rejected_by_the_reader": sum(f.rejected for f in written),
            "extra_columns": MetadataValue.json(sorted({c for f in landed for c in f.extra_columns})),
            "missing_optional_columns": MetadataValue.json(sorted({c for f in landed for c in f.missing_optional})),
            "keys": MetadataValue.json([f.key for f in landed]),
            "parsed_keys": MetadataValue.json([f.parsed_key for f in written]),
            "files_not_landed": MetadataValue.json([f.error for f in failed]),
        },
        check_results=[
            AssetCheckResult(
                check_name=INPUTS_LANDED,
                asset_key=asset_key,
                passed=not failed,
                severity=AssetCheckSeverity.ERROR,
                metadata={"errors": MetadataValue.json([f.error for f in failed])},
                description=(
                    f"{len(failed)} input file(s) could not be landed (the others were): "
                    + "; ".join(f.error for f in failed)
                    if failed
                    else f"{len(landed)} input file(s), every one landed or already there"
                ),
            )
        ],
    )
