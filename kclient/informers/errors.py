"""Errors the informer machinery raises, and how it classifies the errors it meets.

The reflector decides between relisting, re-watching and backing off by the kind of
error a list or watch ended with. The API error kinds are the REST layer's
(:mod:`kclient.rest.errors`, re-exported here): they read the ``Status`` dict an error
carries in ``exc.status``, anywhere in its ``__cause__`` chain, so they work for
:class:`kclient.rest.ApiError` and for any exception shaped the same way (the test
doubles use one). :class:`StatusError` is another name for ``ApiError`` (apimachinery's
name for it); a watch ``ERROR`` event becomes one through :func:`error_from_status`.

Classification, as apimachinery's ``api/errors`` and client-go's reflector do it:

* :func:`is_expired`: reason ``Expired`` or ``Gone``, or an unknown reason with code
  410 (``IsResourceExpired || IsGone``, which is :func:`kclient.rest.is_gone`); the
  reflector relists.
* :func:`is_too_large_resource_version`: a ``ResourceVersionTooLarge`` cause, or, from
  older servers, a timeout (``IsTimeout``) saying "Too large resource version".
* :func:`is_too_many_requests`: reason ``TooManyRequests`` or code 429, whatever the
  reason.
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

from kclient.rest.errors import (
    ApiError,
    code_of,
    is_gone,
    is_internal_error,
    is_timeout,
    is_too_many_requests,
    reason_of,
    status_of,
)

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

#: An error carrying a Kubernetes ``Status`` dict, such as a watch ``ERROR`` event's
#: object: the REST layer's :class:`~kclient.rest.errors.ApiError` under apimachinery's
#: name.
StatusError = ApiError


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


def error_from_status(status: Mapping[str, Any]) -> ApiError:
    """The exception for a watch ``ERROR`` event's Status."""
    return ApiError(status)


def is_expired(exc: BaseException | None) -> bool:
    """The resource version asked for is too old (410 Expired / Gone): list again."""
    return is_gone(exc)


def is_too_large_resource_version(exc: BaseException | None) -> bool:
    """The resource version asked for is newer than the server has seen."""
    status = status_of(exc)
    if status is None:
        return False
    details = status.get("details")
    listed = details.get("causes") if isinstance(details, Mapping) else None
    if not isinstance(listed, (list, tuple)):
        listed = ()
    causes = [cause for cause in listed if isinstance(cause, Mapping)]
    if any(cause.get("reason") == "ResourceVersionTooLarge" for cause in causes):
        return True
    if not is_timeout(exc):
        return False
    if any(cause.get("message") == "Too large resource version" for cause in causes):
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
        exc = getattr(exc, "__cause__", None) or getattr(exc, "__context__", None)
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
