"""ApiError and its predicates, and errors built for responses that carry no Status."""

from __future__ import annotations

import math
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from kclient.rest import (ApiError, RESTClient, generic_server_error, is_already_exists,
                          is_conflict, is_forbidden, is_gone, is_invalid, is_not_found,
                          is_resource_expired, is_too_many_requests, suggests_client_delay)
from kclient.rest import errors

from rest_helpers import json_response


def test_predicates_follow_reason_then_code() -> None:
    e = ApiError({"code": 404, "reason": "NotFound", "message": "x"})
    assert is_not_found(e) and not is_conflict(e)
    assert is_not_found(ApiError({"code": 404, "reason": "SomethingNew"}))
    assert not is_not_found(ApiError({"code": 404, "reason": "Gone"}))  # a known reason
    assert is_gone(ApiError({"code": 410, "reason": "Expired"}))
    assert is_gone(ApiError({"code": 410, "reason": "Gone"}))
    assert is_resource_expired(ApiError({"code": 410, "reason": "Expired"}))
    assert not is_resource_expired(ApiError({"code": 410, "reason": "Gone"}))
    assert is_too_many_requests(ApiError({"code": 429, "reason": "Forbidden"}))
    assert is_forbidden(ApiError({"code": 403, "reason": ""}))
    assert is_invalid(ApiError({"code": 422, "reason": "Invalid"}))
    assert not is_not_found(None) and not is_not_found(ValueError("x"))
    try:
        try:
            raise ApiError({"code": 409, "reason": "AlreadyExists"})
        except ApiError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert is_already_exists(outer)
    assert suggests_client_delay(ApiError({"reason": "ServerTimeout",
                                           "details": {"retryAfterSeconds": 3}})) == 3
    assert suggests_client_delay(ApiError({"reason": "NotFound"})) is None


def test_generic_server_error_messages() -> None:
    e = generic_server_error(409, "POST", "apps", "deployments", "web", "")
    assert e.reason == "AlreadyExists" and str(e) == \
        "the server reported a conflict (post deployments.apps web)"
    e = generic_server_error(409, "PUT", "", "pods", "", "")
    assert e.reason == "Conflict" and str(e) == "the server reported a conflict (put pods)"
    e = generic_server_error(502, "GET", server_message="bad gateway")
    assert e.reason == "InternalError"
    assert str(e) == ('an error on the server ("bad gateway") has prevented the request '
                      'from succeeding')
    assert e.causes == [{"type": "UnexpectedServerResponse", "message": "bad gateway"}]
    e = generic_server_error(418, "GET")
    assert e.reason == "" and "418" in str(e)
    assert generic_server_error(429, "GET", retry_after=5).retry_after_seconds == 5


async def test_unstructured_error_bodies(recorder: Any) -> None:
    def respond(request: web.Request, n: int) -> web.Response:
        if request.path.endswith("html"):
            return web.Response(status=404, text="<html>nope</html>", content_type="text/html")
        if request.path.endswith("status"):
            return json_response({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                  "code": 403, "reason": "Forbidden",
                                  "message": "pods is forbidden: nope"}, status=403)
        if request.path.endswith("ok-status"):
            return json_response({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                  "code": 500, "reason": "InternalError", "message": "x"})
        if request.path.endswith("binary"):
            return web.Response(status=500, body=b"\x00\x01",
                                content_type="application/octet-stream")
        return web.Response(status=403, text="go away", content_type="text/plain")

    rec = await recorder(respond)
    async with RESTClient(dict(host=rec.url, qps=None)) as client:
        with pytest.raises(ApiError) as err:
            await client.get().abs_path("/html").do()
        assert is_not_found(err.value)
        assert str(err.value) == "the server could not find the requested resource"
        assert err.value.causes[0]["message"] == "<html>nope</html>"  # a text/* body
        with pytest.raises(ApiError) as err:
            await client.get().abs_path("/binary").do()
        assert err.value.causes[0]["message"] == "unknown"  # not a text/* body
        with pytest.raises(ApiError) as err:
            await client.get().abs_path("/status").do()
        assert is_forbidden(err.value) and str(err.value) == "pods is forbidden: nope"
        with pytest.raises(ApiError) as err:
            await client.get().abs_path("/text").do()
        assert is_forbidden(err.value) and str(err.value) == "go away"
        with pytest.raises(ApiError):  # a 200 whose body is a failed Status
            await client.get().abs_path("/ok-status").do()
        result = await client.get().abs_path("/html").result()
        assert result.status == 404 and result.error() is not None


# -- one classification for ApiError and for any exception carrying a Status ----------

class PlainStatusError(Exception):
    """Not an ApiError: just an exception with a Status dict in ``.status``."""

    def __init__(self, status: Any) -> None:
        super().__init__("plain")
        self.status = status


PREDICATES = [getattr(errors, name) for name in errors.__all__ if name.startswith("is_")]
CLASSIFIERS = [*PREDICATES, errors.reason_of, errors.code_of, errors.suggests_client_delay]

# (predicate, reason, code) for the predicates that accept a bare code when the reason
# is unknown
REASON_OR_CODE = [
    (errors.is_not_found, "NotFound", 404), (errors.is_conflict, "Conflict", 409),
    (errors.is_invalid, "Invalid", 422), (errors.is_gone, "Gone", 410),
    (errors.is_forbidden, "Forbidden", 403), (errors.is_unauthorized, "Unauthorized", 401),
    (errors.is_bad_request, "BadRequest", 400),
    (errors.is_not_acceptable, "NotAcceptable", 406),
    (errors.is_unsupported_media_type, "UnsupportedMediaType", 415),
    (errors.is_method_not_supported, "MethodNotAllowed", 405),
    (errors.is_service_unavailable, "ServiceUnavailable", 503),
    (errors.is_timeout, "Timeout", 504), (errors.is_internal_error, "InternalError", 500),
]


def wrapped(inner: BaseException, depth: int = 1) -> BaseException:
    """``inner`` raised from ``depth`` layers of RuntimeError, as ``raise ... from`` does."""
    err = inner
    for n in range(depth):
        outer = RuntimeError(f"layer {n}")
        outer.__cause__ = err
        err = outer
    return err


def test_every_predicate_is_covered_by_the_tables() -> None:
    reason_only = {errors.is_already_exists, errors.is_resource_expired,
                   errors.is_server_timeout, errors.is_too_many_requests}
    assert set(PREDICATES) == {p for p, _, _ in REASON_OR_CODE} | reason_only


@pytest.mark.parametrize(("predicate", "reason", "code"), REASON_OR_CODE,
                         ids=[r for _, r, _ in REASON_OR_CODE])
@pytest.mark.parametrize("make", [ApiError, PlainStatusError], ids=["ApiError", "plain"])
def test_unknown_reason_falls_back_to_the_code(predicate: Any, reason: str, code: int,
                                               make: Any) -> None:
    assert predicate(make({"code": code, "reason": reason}))
    assert predicate(make({"code": 0, "reason": reason}))  # the reason alone is enough
    assert predicate(make({"code": code, "reason": "SomethingNew"}))
    assert predicate(make({"code": code, "reason": ""}))
    assert predicate(make({"code": code}))
    other = "Conflict" if reason != "Conflict" else "NotFound"
    assert not predicate(make({"code": code, "reason": other}))  # a known reason wins
    assert not predicate(make({"code": 418, "reason": "SomethingNew"}))
    assert predicate(wrapped(make({"code": code, "reason": "SomethingNew"}), 3))


@pytest.mark.parametrize("make", [ApiError, PlainStatusError], ids=["ApiError", "plain"])
def test_reason_only_predicates_and_429(make: Any) -> None:
    assert errors.is_already_exists(make({"code": 409, "reason": "AlreadyExists"}))
    assert not errors.is_already_exists(make({"code": 409, "reason": "SomethingNew"}))
    assert errors.is_resource_expired(make({"code": 410, "reason": "Expired"}))
    assert not errors.is_resource_expired(make({"code": 410, "reason": ""}))
    assert errors.is_server_timeout(make({"code": 500, "reason": "ServerTimeout"}))
    assert not errors.is_server_timeout(make({"code": 500, "reason": ""}))
    # 429 counts whatever the reason, as upstream's IsTooManyRequests does
    assert errors.is_too_many_requests(make({"code": 429, "reason": "Forbidden"}))
    assert errors.is_too_many_requests(make({"code": 0, "reason": "TooManyRequests"}))
    assert not errors.is_too_many_requests(make({"code": 503, "reason": ""}))
    for reason in ("Gone", "Expired", "SomethingNew"):
        assert errors.is_gone(make({"code": 410, "reason": reason}))
    assert errors.is_gone(make({"code": 0, "reason": "Expired"}))


CODES = st.one_of(
    st.sampled_from([0, 400, 401, 403, 404, 405, 406, 409, 410, 415, 422, 429, 500, 503,
                     504]),
    st.integers(), st.booleans(), st.none(), st.floats(), st.text(max_size=6),
    st.sampled_from(["404", "429", " 410 ", "1e3", "9" * 5000]), st.lists(st.integers()),
)
REASONS = st.one_of(
    st.sampled_from(sorted(errors.KNOWN_REASONS)),
    st.sampled_from(["", "SomethingNew", "notfound"]),
    st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2),
)
DETAILS = st.one_of(
    st.none(), st.text(max_size=3), st.integers(),
    st.fixed_dictionaries({}, optional={
        "retryAfterSeconds": st.one_of(st.integers(), st.floats(), st.text(max_size=4),
                                       st.none()),
        "causes": st.one_of(st.none(), st.text(max_size=3), st.lists(st.one_of(
            st.none(), st.integers(), st.dictionaries(st.sampled_from(["reason", "message"]),
                                                      st.text(max_size=8))), max_size=3)),
    }),
)


STATUSES = st.fixed_dictionaries({}, optional={
    "code": CODES, "reason": REASONS, "details": DETAILS,
    "message": st.one_of(st.none(), st.text(max_size=8))})


@settings(max_examples=300, deadline=None, derandomize=True)
@given(STATUSES, st.integers(min_value=0, max_value=3))
def test_apierror_and_a_plain_status_error_classify_alike(status: dict[str, Any],
                                                          depth: int) -> None:
    api = wrapped(ApiError(status), depth)
    plain = wrapped(PlainStatusError(dict(status)), depth)
    for classify in CLASSIFIERS:
        assert classify(api) == classify(plain), classify.__name__
    assert errors.status_of(plain) == status
    assert isinstance(errors.code_of(plain), int) and isinstance(errors.reason_of(plain), str)


def test_the_first_status_in_the_cause_chain_is_the_one_classified() -> None:
    outer = PlainStatusError({"code": 404, "reason": "NotFound"})
    outer.__cause__ = ApiError({"code": 410, "reason": "Gone"})
    assert is_not_found(outer) and not is_gone(outer)
    # a ``status`` that is not a mapping (aiohttp's ClientResponseError has an int one)
    # is skipped, and the search goes on down the chain
    response_error = aiohttp.ClientResponseError(None, (), status=503)  # type: ignore[arg-type]
    response_error.__cause__ = PlainStatusError({"code": 410, "reason": "Expired"})
    assert is_gone(response_error) and errors.code_of(response_error) == 410


def test_an_error_without_a_status_is_no_api_error() -> None:
    class HasCode(Exception):
        code = 500
        status_code = 429
        reason = "NotFound"

    response_error = aiohttp.ClientResponseError(None, (), status=429)  # type: ignore[arg-type]
    implicit = ValueError("raised while handling")
    implicit.__context__ = ApiError({"code": 404, "reason": "NotFound"})  # not a cause
    for err in (None, ValueError("x"), HasCode(), response_error, PlainStatusError(None),
                PlainStatusError([("code", 404)]), implicit):
        assert errors.status_of(err) is None
        assert errors.code_of(err) == 0 and errors.reason_of(err) == ""
        assert errors.suggests_client_delay(err) is None
        assert not any(predicate(err) for predicate in PREDICATES), err


def test_odd_statuses_never_raise() -> None:
    odd_codes = [None, "abc", "", [], {}, math.inf, -math.inf, math.nan, "9" * 5000, object()]
    for code in odd_codes:
        for make in (ApiError, PlainStatusError):
            err = make({"code": code, "reason": "SomethingNew",
                        "details": {"retryAfterSeconds": code}})
            assert errors.code_of(err) == 0
            assert not any(predicate(err) for predicate in PREDICATES)
            assert errors.suggests_client_delay(err) is None
    assert ApiError({"code": math.inf}).code == 0
    assert ApiError({"code": "429"}).code == 429
    assert errors.code_of(PlainStatusError({"code": "429"})) == 429
    assert errors.reason_of(PlainStatusError({"reason": 5})) == "5"
    assert errors.suggests_client_delay(ApiError({"reason": "ServerTimeout",
                                                  "details": {"retryAfterSeconds": "x"}})) == 0
    assert errors.suggests_client_delay(ApiError({"details": {"retryAfterSeconds": 2}})) == 2
    assert errors.suggests_client_delay(ApiError({"details": "soon"})) is None


def test_a_cause_cycle_ends_the_search() -> None:
    a, b = RuntimeError("a"), RuntimeError("b")
    a.__cause__, b.__cause__ = b, a
    assert errors.status_of(a) is None and not any(predicate(a) for predicate in PREDICATES)
    c = PlainStatusError({"code": 409, "reason": "Conflict"})
    d = RuntimeError("d")
    c.__cause__, d.__cause__ = d, c
    assert errors.is_conflict(d) and errors.is_conflict(c)
    self_caused = RuntimeError("self")
    self_caused.__cause__ = self_caused
    assert not errors.is_not_found(self_caused)
