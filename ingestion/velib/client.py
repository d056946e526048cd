"""JSON over HTTP for the Vélib' sources: requests for the calls and redirects, tenacity for the retries.

- **One deadline per attempt.** `timeout_seconds` bounds an attempt from connect to the last byte of the body
  (redirects included). Socket timeouts alone bound each read, so a server that sends a byte every few seconds
  kept a call alive for minutes; a watchdog now shuts the attempt's sockets down at its deadline.
- **Retries**, at most `retries` after the first attempt, on what another attempt may cure: no connection,
  a timeout or the deadline, a broken body, HTTP 429 and 5xx. The wait is what the server's `Retry-After` asks
  (seconds or an HTTP date), else `backoff_seconds` doubled at each attempt. A `Retry-After` longer than
  `max_retry_after_seconds` is not waited for: the call fails at once (hammering a server that asked for an
  hour of rest helps nobody).
- **Redirects** are followed by requests, at most `max_redirects`; a loop fails at once.
- **Every failure is a FetchError whose message names the URL** (with its query) and what went wrong.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
import tenacity
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))


class FetchError(RuntimeError):
    """The source could not be read (after retries), or answered something unusable."""


@dataclass(frozen=True)
class HttpSettings:
    timeout_seconds: float = 30.0  # one attempt, from connect to the end of the body
    retries: int = 3  # attempts after the first
    backoff_seconds: float = 1.0  # 1, 2, 4, … between attempts, when the server does not say
    max_retry_after_seconds: float = 60.0  # longest Retry-After waited for
    max_redirects: int = 5


class _Retryable(Exception):
    """One attempt failed in a way another attempt may cure."""

    def __init__(self, problem: str, retry_after: float | None = None):
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


# --- the watchdog: every socket an attempt opens is registered, and shut down when the attempt's deadline passes


_attempt = threading.local()


class _Registered:
    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        sockets = getattr(_attempt, "sockets", None)
        if sockets is not None:
            sockets.append(self.sock)  # type: ignore[attr-defined]


class _HTTPConnection(_Registered, HTTPConnection):
    pass


class _HTTPSConnection(_Registered, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


POOL_CLASSES = {"http": _HTTPPool, "https": _HTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections register their socket with the running attempt."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = POOL_CLASSES
        return manager


def _session(settings: HttpSettings) -> requests.Session:
    session = requests.Session()
    session.max_redirects = settings.max_redirects
    for prefix in ("http://", "https://"):
        session.mount(prefix, _WatchedAdapter())  # no retries inside: tenacity drives them
    return session


# --- one attempt ---------------------------------------------------------------------------------------------


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _attempt_once(url: str, params: dict[str, Any] | None, settings: HttpSettings, where: str) -> Any:
    """One GET with its own connections, cut at `timeout_seconds`; returns the decoded JSON."""
    timeout = settings.timeout_seconds
    sockets: list[socket.socket] = []
    cut = threading.Event()

    def shut_down() -> None:
        cut.set()
        for sock in list(sockets):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, shut_down)
    watchdog.daemon = True
    _attempt.sockets = sockets
    watchdog.start()
    try:
        with _session(settings) as session:
            response = session.get(url, params=params, timeout=timeout)  # the body is read here (no stream)
    except requests.TooManyRedirects as error:
        location = error.response.headers.get("Location") if error.response is not None else None
        raise FetchError(
            f"GET {where}: redirect loop, more than {settings.max_redirects} redirects"
            + (f" (the last one to {location})" if location else "")
        ) from None
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
        if cut.is_set() or isinstance(error, requests.Timeout):  # a socket timeout is the deadline too
            raise _Retryable(f"timed out, no complete answer within {timeout:g} s") from None
        raise _Retryable(_reason(error)) from None
    except requests.RequestException as error:
        raise FetchError(f"GET {where}: {_reason(error)}") from None
    finally:
        watchdog.cancel()
        _attempt.sockets = None
    if cut.is_set():  # the body may have ended because its socket was shut down
        raise _Retryable(f"timed out, no complete answer within {timeout:g} s")
    status = response.status_code
    if status in RETRY_STATUSES:
        wait = _retry_after(response.headers.get("Retry-After"))
        if wait is not None and wait > settings.max_retry_after_seconds:
            raise FetchError(
                f"GET {where} answered HTTP {status} asking to retry after {wait:.0f} s, longer than the "
                f"{settings.max_retry_after_seconds:g} s this client waits"
            )
        raise _Retryable(f"HTTP {status}", retry_after=wait)
    if status >= 400:
        raise FetchError(f"GET {where} answered HTTP {status}: {response.text[:200]!r}")
    try:
        return response.json()
    except (json.JSONDecodeError, ValueError):
        raise FetchError(f"GET {where} did not answer JSON: {response.text[:200]!r}") from None


def _reason(error: Exception) -> str:
    """The innermost cause of a requests error, without the URL repeated (the caller names it)."""
    reason = error
    while True:
        inner = getattr(reason, "reason", None) or (reason.args[0] if reason.args else None)
        if not isinstance(inner, Exception) or inner is reason:
            break
        reason = inner
    text = str(reason)
    return "connection refused" if "Connection refused" in text else f"{type(error).__name__}: {text}"


# --- the call ------------------------------------------------------------------------------------------------


def full_url(url: str, params: dict[str, Any] | None = None) -> str:
    return requests.Request("GET", url, params=params).prepare().url or url


def get_json(url: str, settings: HttpSettings, params: dict[str, Any] | None = None) -> Any:
    """GET `url` and decode JSON, retrying what may pass on a second attempt (module docstring)."""
    where = full_url(url, params)

    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return error.retry_after
        return settings.backoff_seconds * 2 ** (state.attempt_number - 1)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        logger.warning(
            f"GET {where}: {error}; attempt {state.attempt_number} of {settings.retries + 1}, "
            f"the next in {state.next_action.sleep if state.next_action else 0:.1f} s"
        )

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(_Retryable),
        stop=tenacity.stop_after_attempt(settings.retries + 1),
        wait=wait,
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retrying(_attempt_once, url, params, settings, where)
    except _Retryable as error:
        attempts = retrying.statistics.get("attempt_number", settings.retries + 1)
        raise FetchError(f"GET {where} failed after {attempts} attempt(s): {error.problem}") from None
