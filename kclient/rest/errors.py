"""Errors of the REST layer: ``ApiError`` (a server's Status), ``ConfigError``, ``NoMatchError``.

``ApiError`` carries the ``Status`` dict the server sent (or one built for a response
that was not a Status, the way client-go builds it), and the predicates below answer
the usual questions about it. Every predicate accepts any exception (or ``None``) and
follows ``__cause__`` links, as Go's ``errors.As`` follows wrapped errors; the first
error in that chain that carries a ``Status`` mapping in ``.status`` (an ``ApiError``,
or any exception shaped the same way, such as a test double) is the one classified.
:func:`status_of`, :func:`reason_of` and :func:`code_of` expose that lookup.

Invariants:

* ``ApiError.status`` is always a ``Status``-shaped dict with ``status: Failure``,
  an integer ``code`` and a ``reason`` (possibly ``""``, meaning unknown);
* a predicate matches on the reason; where upstream also accepts the bare HTTP code,
  it does so only when the reason is not one of the known reasons;
* a predicate never raises, whatever it is given (a code that is not a number reads
  as 0), and an error that carries no Status is none of the API error kinds;
* no message built here contains request headers, so credentials cannot leak
  through an error.

Maps to apimachinery ``pkg/api/errors`` (``StatusError``, ``NewGenericServerResponse``,
``IsNotFound`` ...) and client-go ``rest/request.go`` (``transformResponse``).
One deliberate difference: :func:`is_gone` is true for both 410 reasons, ``Gone``
and ``Expired`` (a too old resource version), because both mean "list again";
:func:`is_resource_expired` is upstream's narrower test.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "KNOWN_REASONS",
    "ApiError",
    "ConfigError",
    "NoMatchError",
    "code_of",
    "generic_server_error",
    "is_already_exists",
    "is_bad_request",
    "is_conflict",
    "is_forbidden",
    "is_gone",
    "is_internal_error",
    "is_invalid",
    "is_method_not_supported",
    "is_not_acceptable",
    "is_not_found",
    "is_resource_expired",
    "is_server_timeout",
    "is_service_unavailable",
    "is_timeout",
    "is_too_many_requests",
    "is_unauthorized",
    "is_unsupported_media_type",
    "reason_of",
    "status_of",
    "suggests_client_delay",
]

KNOWN_REASONS = frozenset({
    "Unauthorized", "Forbidden", "NotFound", "AlreadyExists", "Conflict", "Gone",
    "Invalid", "ServerTimeout", "StoreReadError", "Timeout", "TooManyRequests",
    "BadRequest", "MethodNotAllowed", "NotAcceptable", "RequestEntityTooLarge",
    "UnsupportedMediaType", "InternalError", "Expired", "ServiceUnavailable",
})

UNEXPECTED_SERVER_RESPONSE = "UnexpectedServerResponse"


class ApiError(Exception):
    """A request the server refused or failed: ``status`` is its ``Status`` dict."""

    def __init__(self, status: Mapping[str, Any]) -> None:
        self.status: dict[str, Any] = dict(status)
        self.status.setdefault("kind", "Status")
        self.status.setdefault("apiVersion", "v1")
        self.status.setdefault("status", "Failure")
        super().__init__(self.message)

    @property
    def code(self) -> int:
        return _status_code(self.status)

    @property
    def reason(self) -> str:
        return _status_reason(self.status)

    @property
    def message(self) -> str:
        msg = self.status.get("message")
        if msg:
            return str(msg)
        return f"the server responded with status {self.code} {self.reason}".rstrip()

    @property
    def details(self) -> dict[str, Any]:
        details = self.status.get("details")
        return details if isinstance(details, dict) else {}

    @property
    def causes(self) -> list[dict[str, Any]]:
        return [c for c in self.details.get("causes") or [] if isinstance(c, dict)]

    @property
    def retry_after_seconds(self) -> int:
        return _retry_after_seconds(self.details)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ApiError(code={self.code}, reason={self.reason!r}, message={self.message!r})"

    @classmethod
    def from_status(cls, status: Mapping[str, Any]) -> "ApiError":
        return cls(status)


class ConfigError(Exception):
    """A client configuration that cannot be used, naming where the problem is.

    ``file`` is the kubeconfig file (or the in-cluster path), ``context`` the context
    being loaded and ``field`` the offending entry (for example
    ``users[alice].client-certificate-data``). Secrets never appear in the message.
    """

    def __init__(self, message: str, *, file: str | None = None, context: str | None = None,
                 field: str | None = None) -> None:
        self.file = file
        self.context = context
        self.field = field
        self.detail = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(f"kubeconfig {self.file}")
        if self.context:
            where.append(f"context {self.context!r}")
        if self.field:
            where.append(f"field {self.field}")
        return (", ".join(where) + ": " if where else "") + self.detail


class NoMatchError(LookupError):
    """Discovery knows no resource for the kind (client-go's ``NoKindMatchError``)."""

    def __init__(self, api_version: str, kind: str) -> None:
        self.api_version = api_version
        self.kind = kind
        super().__init__(f'no matches for kind "{kind}" in version "{api_version}"')


_GENERIC = {
    404: ("NotFound", "the server could not find the requested resource"),
    400: ("BadRequest", "the server rejected our request for an unknown reason"),
    401: ("Unauthorized", "the server has asked for the client to provide credentials"),
    405: ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
    422: ("Invalid", "the server rejected our request due to an error in our request"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    504: ("Timeout", "the server was unable to return a response in the time allotted, but "
                     "may still be processing the request"),
    429: ("TooManyRequests", "the server has received too many requests and has asked us to "
                            "try again later"),
}


def generic_server_error(code: int, method: str, group: str = "", resource: str = "",
                         name: str = "", server_message: str = "", retry_after: int = 0,
                         unexpected: bool = True, cause_type: str | None = None) -> ApiError:
    """The error for a response that carried no Status (``NewGenericServerResponse``)."""
    reason = ""
    message = f"the server responded with the status code {code} but did not return more " \
              "information"
    if code == 409:
        reason = "AlreadyExists" if method.upper() == "POST" else "Conflict"
        message = "the server reported a conflict"
    elif code in _GENERIC:
        reason, message = _GENERIC[code]
    elif code == 403:
        reason, message = "Forbidden", server_message
    elif code == 406:
        reason = "NotAcceptable"
        message = server_message if server_message and server_message != "unknown" else \
            "the server was unable to respond with a content type that the client supports"
    elif code == 415:
        reason, message = "UnsupportedMediaType", server_message
    elif code >= 500:
        reason = "InternalError"
        message = (f"an error on the server ({_go_quote(server_message)}) has prevented the "
                   "request from succeeding")
    qualified = f"{resource}.{group}" if group and resource else resource
    if qualified and name:
        message = f"{message} ({method.lower()} {qualified} {name})"
    elif qualified:
        message = f"{message} ({method.lower()} {qualified})"
    details: dict[str, Any] = {}
    if group:
        details["group"] = group
    if resource:
        details["kind"] = resource
    if name:
        details["name"] = name
    causes = []
    if unexpected:
        causes.append({"type": UNEXPECTED_SERVER_RESPONSE, "message": server_message})
    if cause_type:
        causes.append({"type": cause_type, "message": server_message})
    if causes:
        details["causes"] = causes
    if retry_after:
        details["retryAfterSeconds"] = retry_after
    status: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                              "status": "Failure", "message": message, "code": code,
                              "reason": reason}
    if details:
        status["details"] = details
    return ApiError(status)


def _go_quote(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# -- predicates ---------------------------------------------------------------------

def _status_code(status: Mapping[str, Any]) -> int:
    try:
        return int(status.get("code") or 0)
    except (TypeError, ValueError, OverflowError):
        return 0


def _status_reason(status: Mapping[str, Any]) -> str:
    return str(status.get("reason") or "")


def _retry_after_seconds(details: Mapping[str, Any]) -> int:
    try:
        return int(details.get("retryAfterSeconds") or 0)
    except (TypeError, ValueError, OverflowError):
        return 0


def _chain(err: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        yield err
        err = getattr(err, "__cause__", None)


def status_of(err: BaseException | None) -> Mapping[str, Any] | None:
    """The ``Status`` of the first error in ``err``'s ``__cause__`` chain that carries
    one in ``.status`` (an :class:`ApiError`, or any exception shaped like it), or None."""
    for e in _chain(err):
        status = getattr(e, "status", None)
        if isinstance(status, Mapping):
            return status
    return None


def reason_of(err: BaseException | None) -> str:
    """The ``Status.reason`` of an API error; ``""`` (unknown) for any other error
    (``ReasonForError``)."""
    status = status_of(err)
    return "" if status is None else _status_reason(status)


def code_of(err: BaseException | None) -> int:
    """The ``Status.code`` of an API error; 0 (unknown) for any other error."""
    status = status_of(err)
    return 0 if status is None else _status_code(status)


def _reason_and_code(err: BaseException | None) -> tuple[str, int]:
    status = status_of(err)
    if status is None:
        return "", 0
    return _status_reason(status), _status_code(status)


def _reason_or_code(err: BaseException | None, reason: str, code: int) -> bool:
    r, c = _reason_and_code(err)
    return r == reason or (r not in KNOWN_REASONS and c == code)


def is_not_found(err: BaseException | None) -> bool:
    return _reason_or_code(err, "NotFound", 404)


def is_already_exists(err: BaseException | None) -> bool:
    return reason_of(err) == "AlreadyExists"


def is_conflict(err: BaseException | None) -> bool:
    return _reason_or_code(err, "Conflict", 409)


def is_invalid(err: BaseException | None) -> bool:
    return _reason_or_code(err, "Invalid", 422)


def is_gone(err: BaseException | None) -> bool:
    """410: the resource (or the resource version asked for) is no longer available.

    True for reason ``Gone`` and for reason ``Expired`` (too old resource version), and
    for a bare 410 with an unknown reason.
    """
    reason, code = _reason_and_code(err)
    return reason in ("Gone", "Expired") or (reason not in KNOWN_REASONS and code == 410)


def is_resource_expired(err: BaseException | None) -> bool:
    return reason_of(err) == "Expired"


def is_forbidden(err: BaseException | None) -> bool:
    return _reason_or_code(err, "Forbidden", 403)


def is_unauthorized(err: BaseException | None) -> bool:
    return _reason_or_code(err, "Unauthorized", 401)


def is_bad_request(err: BaseException | None) -> bool:
    return _reason_or_code(err, "BadRequest", 400)


def is_not_acceptable(err: BaseException | None) -> bool:
    return _reason_or_code(err, "NotAcceptable", 406)


def is_unsupported_media_type(err: BaseException | None) -> bool:
    return _reason_or_code(err, "UnsupportedMediaType", 415)


def is_method_not_supported(err: BaseException | None) -> bool:
    return _reason_or_code(err, "MethodNotAllowed", 405)


def is_service_unavailable(err: BaseException | None) -> bool:
    return _reason_or_code(err, "ServiceUnavailable", 503)


def is_timeout(err: BaseException | None) -> bool:
    return _reason_or_code(err, "Timeout", 504)


def is_server_timeout(err: BaseException | None) -> bool:
    return reason_of(err) == "ServerTimeout"


def is_internal_error(err: BaseException | None) -> bool:
    return _reason_or_code(err, "InternalError", 500)


def is_too_many_requests(err: BaseException | None) -> bool:
    """429, whatever the reason says (upstream checks the code unconditionally here)."""
    reason, code = _reason_and_code(err)
    return reason == "TooManyRequests" or code == 429


def suggests_client_delay(err: BaseException | None) -> int | None:
    """Seconds the server asked the client to wait, or None (``SuggestsClientDelay``)."""
    status = status_of(err)
    if status is None:
        return None
    details = status.get("details")
    if not isinstance(details, Mapping) or not details:
        return None
    seconds = _retry_after_seconds(details)
    if _status_reason(status) == "ServerTimeout" or seconds > 0:
        return seconds
    return None
