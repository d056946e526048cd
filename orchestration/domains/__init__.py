"""One module per domain (`assets`, `jobs`, `schedules`, `sensors`), and what their ingestion assets share."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue

from ingestion.files import LandedFile


def landed_result(
    context: AssetExecutionContext, landed: list[LandedFile], asset_key: AssetKey | None = None
) -> MaterializeResult:
    """The metadata of an ingestion asset: files matched, files written (the others were already in the lake)."""
    written = [f for f in landed if f.written]
    for f in landed:
        context.log.info(f"{f.source_path} -> {f.key} ({'written' if f.written else 'already in the lake'})")
    return MaterializeResult(
        asset_key=asset_key,
        metadata={
            "files": len(landed),
            "files_written": len(written),
            "keys": MetadataValue.json([f.key for f in landed]),
        },
    )
