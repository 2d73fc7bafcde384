"""Errors of the REST layer: ``ApiError`` (a server's Status), ``ConfigError``, ``NoMatchError``.

``ApiError`` carries the ``Status`` dict the server sent (or one built for a response
that was not a Status, the way client-go builds it), and the predicates below answer
the usual questions about it. Every predicate accepts any exception (or ``None``) and
follows ``__cause__`` links, as Go's ``errors.As`` follows wrapped errors.

Invariants:

* ``ApiError.status`` is always a ``Status``-shaped dict with ``status: Failure``,
  an integer ``code`` and a ``reason`` (possibly ``""``, meaning unknown);
* a predicate matches on the reason; where upstream also accepts the bare HTTP code,
  it does so only when the reason is not one of the known reasons;
* no message built here contains request headers, so credentials cannot leak
  through an error.

Maps to apimachinery ``pkg/api/errors`` (``StatusError``, ``NewGenericServerResponse``,
``IsNotFound`` ...) and client-go ``rest/request.go`` (``transformResponse``).
One deliberate difference: :func:`is_gone` is true for both 410 reasons, ``Gone``
and ``Expired`` (a too old resource version), because both mean "list again";
:func:`is_resource_expired` is upstream's narrower test.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

__all__ = [
    "ApiError",
    "ConfigError",
    "NoMatchError",
    "KNOWN_REASONS",
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
        try:
            return int(self.status.get("code") or 0)
        except (TypeError, ValueError):
            return 0

    @property
    def reason(self) -> str:
        return str(self.status.get("reason") or "")

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
        try:
            return int(self.details.get("retryAfterSeconds") or 0)
        except (TypeError, ValueError):
            return 0

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

def _chain(err: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        yield err
        err = err.__cause__


def _api_error(err: BaseException | None) -> ApiError | None:
    for e in _chain(err):
        if isinstance(e, ApiError):
            return e
    return None


def _reason_or_code(err: BaseException | None, reason: str, code: int) -> bool:
    e = _api_error(err)
    if e is None:
        return False
    if e.reason == reason:
        return True
    return e.reason not in KNOWN_REASONS and e.code == code


def is_not_found(err: BaseException | None) -> bool:
    return _reason_or_code(err, "NotFound", 404)


def is_already_exists(err: BaseException | None) -> bool:
    e = _api_error(err)
    return e is not None and e.reason == "AlreadyExists"


def is_conflict(err: BaseException | None) -> bool:
    return _reason_or_code(err, "Conflict", 409)


def is_invalid(err: BaseException | None) -> bool:
    return _reason_or_code(err, "Invalid", 422)


def is_gone(err: BaseException | None) -> bool:
    """410: the resource (or the resource version asked for) is no longer available.

    True for reason ``Gone`` and for reason ``Expired`` (too old resource version), and
    for a bare 410 with an unknown reason.
    """
    e = _api_error(err)
    if e is None:
        return False
    if e.reason in ("Gone", "Expired"):
        return True
    return e.reason not in KNOWN_REASONS and e.code == 410


def is_resource_expired(err: BaseException | None) -> bool:
    e = _api_error(err)
    return e is not None and e.reason == "Expired"


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
    e = _api_error(err)
    return e is not None and e.reason == "ServerTimeout"


def is_internal_error(err: BaseException | None) -> bool:
    return _reason_or_code(err, "InternalError", 500)


def is_too_many_requests(err: BaseException | None) -> bool:
    """429, whatever the reason says (upstream checks the code unconditionally here)."""
    e = _api_error(err)
    return e is not None and (e.reason == "TooManyRequests" or e.code == 429)


def suggests_client_delay(err: BaseException | None) -> int | None:
    """Seconds the server asked the client to wait, or None (``SuggestsClientDelay``)."""
    e = _api_error(err)
    if e is None or not e.details:
        return None
    if e.reason == "ServerTimeout":
        return e.retry_after_seconds
    if e.retry_after_seconds > 0:
        return e.retry_after_seconds
    return None
