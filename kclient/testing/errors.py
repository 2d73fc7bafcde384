"""API errors as the embedded server reports them: ``metav1.Status`` bodies.

Every rejected request ends in an :class:`APIError`, which carries the complete
``Status`` dict and the HTTP code. Handlers raise; the server's error middleware
encodes the Status in the negotiated content type. Nothing else may escape a handler
(an unexpected exception is reported as a 500 ``InternalError`` and logged: that is
always a bug of this package).

Field errors (:class:`FieldError`) render exactly like apimachinery's
``field.Error``: ``<path>: <type>[: <value>][: <detail>]``. An Invalid Status
aggregates them as ``<Kind>[.<group>] "<name>" is invalid: <errors>`` with one
``cause`` per field error, which is what kube-apiserver's ``errors.NewInvalid`` does.

Maps to apimachinery ``pkg/api/errors`` and ``pkg/util/validation/field``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

# field error types: (type string rendered in messages, cause reason)
REQUIRED = ("Required value", "FieldValueRequired")
INVALID = ("Invalid value", "FieldValueInvalid")
FORBIDDEN = ("Forbidden", "FieldValueForbidden")
NOT_SUPPORTED = ("Unsupported value", "FieldValueNotSupported")
DUPLICATE = ("Duplicate value", "FieldValueDuplicate")
TOO_LONG = ("Too long", "FieldValueTooLong")
TOO_MANY = ("Too many", "FieldValueTooMany")
NOT_FOUND = ("Not found", "FieldValueNotFound")
TYPE_INVALID = ("Invalid value", "FieldValueTypeInvalid")

_OMIT = object()


def render_value(value: Any) -> str:
    """Render a bad value roughly as Go's ``%#v`` does in field errors."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "null"
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return repr(value)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field: its JSON path, its error type, the bad value, a detail."""

    kind: tuple[str, str]
    field: str
    value: Any = _OMIT
    detail: str = ""

    def body(self) -> str:
        """The message without the field path (a Status cause's ``message``)."""
        text = self.kind[0]
        if self.kind in (REQUIRED, FORBIDDEN, TOO_LONG, TOO_MANY) or self.value is _OMIT:
            return f"{text}: {self.detail}" if self.detail else text
        text = f"{text}: {render_value(self.value)}"
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}" if self.field else self.body()

    def cause(self) -> dict[str, str]:
        return {"reason": self.kind[1], "message": self.body(), "field": self.field}


def required(path: str, detail: str = "") -> FieldError:
    return FieldError(REQUIRED, path, _OMIT, detail)


def invalid(path: str, value: Any, detail: str = "") -> FieldError:
    return FieldError(INVALID, path, value, detail)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError(FORBIDDEN, path, _OMIT, detail)


def not_supported(path: str, value: Any, supported: Iterable[str]) -> FieldError:
    quoted = ", ".join(json.dumps(s) for s in supported)
    return FieldError(NOT_SUPPORTED, path, value, f"supported values: {quoted}" if quoted else "")


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError(DUPLICATE, path, value)


def too_long(path: str, limit: int) -> FieldError:
    return FieldError(TOO_LONG, path, _OMIT, f"may not be more than {limit} bytes")


def type_invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError(TYPE_INVALID, path, value, detail)


class APIError(Exception):
    """A request failed with a Kubernetes ``Status``; ``status`` is the whole dict."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None,
                 *, headers: dict[str, str] | None = None, list_meta: dict | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}
        self.list_meta = list_meta or {}

    @property
    def status(self) -> dict[str, Any]:
        st: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": dict(self.list_meta),
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            st["details"] = self.details
        st["code"] = self.code
        return st


def _details(name: str | None, group: str, kind: str, **extra: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if name:
        d["name"] = name
    if group:
        d["group"] = group
    if kind:
        d["kind"] = kind
    d.update(extra)
    return d


def qualified(group: str, resource: str) -> str:
    """``pods`` or ``deployments.apps``: how kube-apiserver names a resource."""
    return f"{resource}.{group}" if group else resource


def not_found(group: str, resource: str, name: str) -> APIError:
    return APIError(404, "NotFound", f'{qualified(group, resource)} "{name}" not found',
                    _details(name, group, resource))


def no_route() -> APIError:
    return APIError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(group: str, resource: str, name: str) -> APIError:
    return APIError(409, "AlreadyExists", f'{qualified(group, resource)} "{name}" already exists',
                    _details(name, group, resource))


def conflict(group: str, resource: str, name: str, why: str) -> APIError:
    return APIError(409, "Conflict",
                    f'Operation cannot be fulfilled on {qualified(group, resource)} "{name}": {why}',
                    _details(name, group, resource))


OBJECT_MODIFIED = ("the object has been modified; please apply your changes to the latest "
                   "version and try again")


def invalid_object(group: str, kind: str, name: str, errs: list[FieldError]) -> APIError:
    qkind = f"{kind}.{group}" if group else kind
    if len(errs) == 1:
        text = str(errs[0])
    else:
        text = "[" + ", ".join(str(e) for e in errs) + "]"
    details = _details(name, group, kind, causes=[e.cause() for e in errs])
    return APIError(422, "Invalid", f'{qkind} "{name}" is invalid: {text}', details)


def bad_request(message: str) -> APIError:
    return APIError(400, "BadRequest", message)


def forbidden_request(group: str, resource: str, name: str, why: str,
                      causes: list[dict] | None = None) -> APIError:
    q = qualified(group, resource)
    subject = f'{q} "{name}"' if name else q
    details = _details(name, group, resource)
    if causes:
        details["causes"] = causes
    return APIError(403, "Forbidden", f"{subject} is forbidden: {why}", details)


def expired(message: str, list_meta: dict | None = None) -> APIError:
    return APIError(410, "Expired", message, list_meta=list_meta)


def gone(message: str) -> APIError:
    return APIError(410, "Gone", message)


def method_not_allowed(method: str) -> APIError:
    return APIError(405, "MethodNotAllowed",
                    "the server does not allow this method on the requested resource", {})


def not_acceptable(offered: Iterable[str]) -> APIError:
    return APIError(406, "NotAcceptable",
                    "only the following media types are accepted: " + ", ".join(offered))


def unsupported_media_type(content_type: str, accepted: Iterable[str]) -> APIError:
    return APIError(415, "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types "
                    "include: " + ", ".join(accepted))


def too_large(limit: int) -> APIError:
    return APIError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {limit}")


def too_many_requests(message: str, retry_after: int, causes: list[dict] | None = None) -> APIError:
    details: dict[str, Any] = {}
    if causes:
        details["causes"] = causes
    if retry_after:
        details["retryAfterSeconds"] = retry_after
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return APIError(429, "TooManyRequests", message, details or None, headers=headers)


def internal(message: str) -> APIError:
    return APIError(500, "InternalError",
                    f"Internal error occurred: {message}",
                    {"causes": [{"message": message}]})


def service_unavailable(message: str) -> APIError:
    return APIError(503, "ServiceUnavailable", message)


def timeout(message: str, retry_after: int = 0, causes: list[dict] | None = None) -> APIError:
    details: dict[str, Any] = {}
    if causes:
        details["causes"] = causes
    if retry_after:
        details["retryAfterSeconds"] = retry_after
    return APIError(504, "Timeout", message, details or None)


def success_status(code: int, details: dict | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                          "status": "Success"}
    if details is not None:
        st["details"] = details
    st["code"] = code
    return st
