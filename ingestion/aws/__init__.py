"""AWS clients for every service the project uses, built in one place from `config.aws_settings()`.

Every client has timeouts and botocore's standard retry mode (exponential backoff with jitter on throttling,
5xx and connection errors), the region from `AWS_REGION` and the endpoint from `AWS_ENDPOINT_URL` when set
(a moto server in tests).
"""

from __future__ import annotations

from typing import Any

from ingestion import config


def client(service: str, settings: config.AwsSettings | None = None) -> Any:
    import boto3
    from botocore.config import Config

    settings = settings or config.aws_settings()
    return boto3.client(
        service,
        region_name=settings.region,
        endpoint_url=settings.endpoint_url,
        config=Config(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            retries={"mode": "standard", "max_attempts": settings.max_attempts},
        ),
    )


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore `ClientError` ('' for anything else)."""
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
