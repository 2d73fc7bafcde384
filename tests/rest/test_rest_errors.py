"""ApiError and its predicates, and errors built for responses that carry no Status."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from kclient.rest import (ApiError, RESTClient, generic_server_error, is_already_exists,
                          is_conflict, is_forbidden, is_gone, is_invalid, is_not_found,
                          is_resource_expired, is_too_many_requests, suggests_client_delay)

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
