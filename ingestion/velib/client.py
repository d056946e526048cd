"""A small JSON-over-HTTP client: timeouts on every call, retries with exponential backoff on network errors,
429 and 5xx answers, and one exception type whose message says what went wrong where."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests


class FetchError(RuntimeError):
    """The source could not be read (after retries), or answered something unusable."""


@dataclass(frozen=True)
class HttpSettings:
    timeout_seconds: float = 30.0
    retries: int = 3  # attempts after the first
    backoff_seconds: float = 1.0  # 1, 2, 4, … between attempts


def get_json(url: str, settings: HttpSettings, params: dict[str, Any] | None = None) -> Any:
    """GET `url` and decode JSON. Retries network errors, timeouts, 429 and 5xx; another 4xx or bad JSON fails
    at once."""
    attempt = 0
    while True:
        try:
            response = requests.get(url, params=params, timeout=settings.timeout_seconds)
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
            problem = f"{type(error).__name__}: {error}"
        else:
            if response.status_code < 500 and response.status_code != 429:
                break
            problem = f"HTTP {response.status_code}"
        if attempt >= settings.retries:
            raise FetchError(f"GET {url} failed after {attempt + 1} attempt(s): {problem}")
        time.sleep(settings.backoff_seconds * 2**attempt)
        attempt += 1
    if response.status_code >= 400:
        raise FetchError(f"GET {response.url} answered HTTP {response.status_code}: {response.text[:200]!r}")
    try:
        return response.json()
    except (json.JSONDecodeError, ValueError):
        raise FetchError(f"GET {response.url} did not answer JSON: {response.text[:200]!r}") from None
