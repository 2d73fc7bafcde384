"""Errors the informer machinery raises, and how it classifies the errors it meets.

The reflector decides between relisting, re-watching and backing off by the kind of
error a list or watch ended with. Errors from the REST client carry the server's
``Status`` dict (``exc.status``); the predicates here read that dict, so they work for
:class:`kclient.rest.ApiError` and for any exception shaped the same way (the test
doubles use one).

Classification, as apimachinery's ``api/errors`` does it:

* :func:`is_expired`: reason ``Expired`` or ``Gone``, or an unknown reason with code
  410 (``IsResourceExpired || IsGone``); the reflector relists.
* :func:`is_too_large_resource_version`: a ``ResourceVersionTooLarge`` cause, or the
  older servers' ``Timeout`` carrying "Too large resource version".
* :func:`is_too_many_requests`: reason ``TooManyRequests`` or code 429.
* :func:`is_internal_error`: reason ``InternalError``, or an unknown reason with 500.
* :func:`is_connection_refused`: the server is not listening (``ECONNREFUSED``
  anywhere in the exception's cause chain).
* :func:`is_stream_broken`: a response body that ended early (connection reset or
  closed, payload cut short): for a watch, the same as the stream ending.

Invariants: the predicates never raise, whatever they are given; an exception that
carries no status is none of the API error kinds.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CacheSyncError",
    "FIFOClosedError",
    "IndexNotFoundError",
    "InformerStoppedError",
    "StatusError",
    "WatchListUnsupportedError",
    "code_of",
    "error_from_status",
    "is_connection_refused",
    "is_expired",
    "is_internal_error",
    "is_stream_broken",
    "is_too_large_resource_version",
    "is_too_many_requests",
    "is_watch_error_retriable",
    "reason_of",
    "status_of",
]

# Reasons apimachinery knows; an unknown or empty reason falls back to the HTTP code.
_KNOWN_REASONS = frozenset({
    "Unauthorized", "Forbidden", "NotFound", "AlreadyExists", "Conflict", "Gone",
    "Invalid", "ServerTimeout", "StoreReadError", "Timeout", "TooManyRequests",
    "BadRequest", "MethodNotAllowed", "NotAcceptable", "RequestEntityTooLarge",
    "UnsupportedMediaType", "InternalError", "Expired", "ServiceUnavailable",
})


class StatusError(Exception):
    """An error carrying a Kubernetes ``Status`` dict (a watch ``ERROR`` event's object).

    Raised by the reflector for an ``ERROR`` event that reached it undecoded, when the
    lister-watcher did not raise its own error type for it.
    """

    def __init__(self, status: Mapping[str, Any]) -> None:
        self.status = dict(status)
        code = self.status.get("code")
        self.code = code if isinstance(code, int) else 0
        message = self.status.get("message") or self.status.get("reason") or "unknown error"
        super().__init__(f"{message} (code {self.code})" if self.code else str(message))


class FIFOClosedError(Exception):
    """``pop`` on a queue that was closed and has nothing left (client-go's
    ``ErrFIFOClosed``)."""


class IndexNotFoundError(LookupError):
    """An index name the indexer has no index function for."""

    def __init__(self, name: str) -> None:
        super().__init__(f"index with name {name!r} does not exist")
        self.name = name


class InformerStoppedError(RuntimeError):
    """A handler was added to, or an informer started after, a stop."""


class WatchListUnsupportedError(Exception):
    """The server answered a streaming initial list in a way that shows it does not
    support one (it never sent the initial-events-end bookmark)."""


class CacheSyncError(TimeoutError):
    """``wait_for_cache_sync`` gave up: names the informers and their last errors."""

    def __init__(self, message: str, unsynced: list[str] | None = None,
                 last_errors: Mapping[str, BaseException | None] | None = None) -> None:
        super().__init__(message)
        self.unsynced = list(unsynced or ())
        self.last_errors = dict(last_errors or {})


def status_of(exc: BaseException | None) -> Mapping[str, Any] | None:
    """The ``Status`` dict an error (or an error it was raised from) carries, or None."""
    seen = 0
    while exc is not None and seen < 16:
        status = getattr(exc, "status", None)
        if isinstance(status, Mapping):
            return status
        exc = exc.__cause__
        seen += 1
    return None


def error_from_status(status: Mapping[str, Any]) -> Exception:
    """The exception for a watch ``ERROR`` event's Status: a
    :class:`kclient.rest.ApiError` when the REST layer is available, else a
    :class:`StatusError`."""
    try:
        from kclient.rest.errors import ApiError
    except ImportError:  # pragma: no cover - the REST layer is part of the package
        return StatusError(status)
    return ApiError(status)


def code_of(exc: BaseException | None) -> int:
    """The HTTP status code of an API error (0 when unknown)."""
    status = status_of(exc)
    if status is not None:
        code = status.get("code")
        if isinstance(code, int) and code:
            return code
        return 0
    code = getattr(exc, "code", None) if exc is not None else None
    if isinstance(code, int):
        return code
    code = getattr(exc, "status_code", None) if exc is not None else None
    return code if isinstance(code, int) else 0


def reason_of(exc: BaseException | None) -> str:
    """The ``Status.reason`` of an API error (``""`` when unknown)."""
    status = status_of(exc)
    if status is not None:
        reason = status.get("reason")
        return reason if isinstance(reason, str) else ""
    reason = getattr(exc, "reason", None) if exc is not None else None
    return reason if isinstance(reason, str) else ""


def _reason_or_code(exc: BaseException | None, reason: str, code: int) -> bool:
    if exc is None:
        return False
    r = reason_of(exc)
    if r == reason:
        return True
    return r not in _KNOWN_REASONS and code_of(exc) == code


def is_expired(exc: BaseException | None) -> bool:
    """The resource version asked for is too old (410 Expired / Gone)."""
    if exc is None:
        return False
    return reason_of(exc) in ("Expired", "Gone") or _reason_or_code(exc, "Gone", 410)


def is_too_many_requests(exc: BaseException | None) -> bool:
    """The server is throttling (429)."""
    return _reason_or_code(exc, "TooManyRequests", 429)


def is_internal_error(exc: BaseException | None) -> bool:
    """The server failed (500 InternalError)."""
    return _reason_or_code(exc, "InternalError", 500)


def is_too_large_resource_version(exc: BaseException | None) -> bool:
    """The resource version asked for is newer than the server has seen."""
    status = status_of(exc)
    if status is None:
        return False
    details = status.get("details")
    causes = details.get("causes") if isinstance(details, Mapping) else None
    if isinstance(causes, list):
        for cause in causes:
            if isinstance(cause, Mapping) and cause.get("reason") == "ResourceVersionTooLarge":
                return True
    if reason_of(exc) != "Timeout":
        return False
    if isinstance(causes, list):
        for cause in causes:
            if isinstance(cause, Mapping) and cause.get("message") == "Too large resource version":
                return True
    message = status.get("message")
    return isinstance(message, str) and "Too large resource version" in message


def is_connection_refused(exc: BaseException | None) -> bool:
    """Nothing listens where the server should be (``ECONNREFUSED`` in the cause chain)."""
    seen = 0
    while exc is not None and seen < 16:
        if isinstance(exc, ConnectionRefusedError):
            return True
        if isinstance(exc, OSError) and exc.errno == errno.ECONNREFUSED:
            return True
        os_error = getattr(exc, "os_error", None)  # aiohttp.ClientConnectorError
        if isinstance(os_error, OSError) and (
                isinstance(os_error, ConnectionRefusedError) or os_error.errno == errno.ECONNREFUSED):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def is_watch_error_retriable(exc: BaseException | None) -> bool:
    """Whether a watch may simply be re-opened after a backoff, without a relist
    (client-go's ``isWatchErrorRetriable``: connection refused or 429)."""
    return is_connection_refused(exc) or is_too_many_requests(exc)


def is_stream_broken(exc: BaseException | None) -> bool:
    """The connection under a response broke while it was being read."""
    if exc is None:
        return False
    if isinstance(exc, (ConnectionError, EOFError)):
        return True
    try:
        import aiohttp
    except ImportError:  # pragma: no cover - aiohttp is a dependency
        return False
    if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError)):
        return True
    return isinstance(exc, aiohttp.ClientOSError) and not is_connection_refused(exc)
