"""Retries: only where client-go retries, bounded, jittered, on the client's clock."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import aiohttp
import pytest

from kclient.rest import (ApiError, RESTClient, RetryPolicy, is_internal_error,
                          is_service_unavailable, is_too_many_requests)
from kclient.rest.retry import Retrier, check_wait, retry_after_seconds
from kclient.testing import APIServer, FaultInjector

from rest_helpers import InstantClock, json_response, pod


def test_retry_after_parsing() -> None:
    assert retry_after_seconds({"Retry-After": "5"}) == 5
    assert retry_after_seconds({"Retry-After": "+2"}) == 2
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None
    assert retry_after_seconds({}) is None
    assert check_wait(429, {"Retry-After": "3"}) == 3
    assert check_wait(503, {"Retry-After": "1"}) == 1
    assert check_wait(500, {}) is None
    assert check_wait(404, {"Retry-After": "1"}) is None
    assert check_wait(409, {"Retry-After": "1"}) is None


def test_retrier_decisions() -> None:
    rng = random.Random(1)
    get = Retrier(RetryPolicy(max_retries=2, jitter=0.5), "GET", rng=rng)
    delay = get.after_response(429, {"Retry-After": "2"})
    assert delay is not None and 2.0 <= delay <= 3.0
    assert get.after_error(aiohttp.ServerDisconnectedError()) is not None
    assert get.after_response(429, {"Retry-After": "2"}) is None  # bounded
    post = Retrier(RetryPolicy(), "POST", rng=rng)
    assert post.after_error(aiohttp.ServerDisconnectedError()) is None  # never blind
    assert post.after_error(ConnectionResetError()) is None
    assert post.after_response(503, {"Retry-After": "1"}) is not None  # server-instructed
    assert not Retrier(RetryPolicy(), "GET").error_is_retryable(
        ConnectionRefusedError(111, "Connection refused"))
    watch = Retrier(RetryPolicy(), "GET", watch=True)
    assert watch.error_is_retryable(asyncio.TimeoutError())
    assert Retrier(RetryPolicy(jitter=0), "GET").after_response(
        503, {"Retry-After": "4"}) == 4.0


async def _client(server: APIServer, clock: Any, **options: Any) -> RESTClient:
    return RESTClient(server.config(qps=None, **options), clock=clock,
                      rng=random.Random(7))


async def test_429_and_503_with_retry_after_are_retried(content_type: str) -> None:
    faults = FaultInjector()
    clock = InstantClock()
    async with APIServer(faults=faults) as server, \
            await _client(server, clock, content_type=content_type) as client:
        pods = client.resource("v1", "pods", namespace="default")
        faults.fail_next(429, count=2, verb="list", retry_after=1)
        assert (await pods.list())["items"] == []
        assert len(clock.sleeps) == 2 and all(1.0 <= s <= 1.2 for s in clock.sleeps)
        faults.fail_next(503, verb="create", retry_after=2)
        created = await pods.create(pod("a"))  # the server said it did not process it
        assert created["metadata"]["name"] == "a"
        assert 2.0 <= clock.sleeps[-1] <= 2.4
        assert [code for _, _, code in faults.injected] == [429, 429, 503]


async def test_errors_without_retry_after_are_not_retried() -> None:
    faults = FaultInjector()
    clock = InstantClock()
    async with APIServer(faults=faults) as server, await _client(server, clock) as client:
        faults.fail_next(500, verb="get")
        with pytest.raises(ApiError) as err:
            await client.resource("v1", "pods", namespace="default").get("a")
        assert is_internal_error(err.value)
        assert clock.sleeps == []


async def test_retries_are_bounded() -> None:
    faults = FaultInjector()
    clock = InstantClock()
    async with APIServer(faults=faults) as server, \
            await _client(server, clock, max_retries=3) as client:
        faults.fail_next(429, count=10, verb="list")
        with pytest.raises(ApiError) as err:
            await client.resource("v1", "pods").list()
        assert is_too_many_requests(err.value)
        assert err.value.retry_after_seconds == 1
        assert len(clock.sleeps) == 3 and len(faults.injected) == 4


async def test_cut_response_to_a_write_is_not_retried() -> None:
    faults = FaultInjector()
    clock = InstantClock()
    async with APIServer(faults=faults) as server, await _client(server, clock) as client:
        pods = client.resource("v1", "pods", namespace="default")
        faults.fail_next(0, verb="create")
        with pytest.raises(aiohttp.ClientError):
            await pods.create(pod("a"))
        assert clock.sleeps == []
        # the write was applied although its answer was lost: never send it again blindly
        assert (await pods.get("a"))["metadata"]["name"] == "a"


async def test_connection_reset_retried_for_get_only(recorder: Any) -> None:
    async def respond(request: Any, n: int) -> Any:
        if n == 1:
            assert request.transport is not None
            request.transport.close()  # drop the connection without an answer
            await asyncio.sleep(0)
        return json_response({"kind": "Status", "apiVersion": "v1", "status": "Success"})

    rec = await recorder(respond)
    clock = InstantClock()
    async with RESTClient(dict(host=rec.url, qps=None), clock=clock) as client:
        out = await client.get().abs_path("/healthz").do()
        assert out["status"] == "Success"
        assert len(rec.requests) == 2 and len(clock.sleeps) == 1
    rec.requests.clear()
    async with RESTClient(dict(host=rec.url, qps=None), clock=clock) as client:
        with pytest.raises(aiohttp.ClientError):
            await client.post().abs_path("/things").body({"a": 1}).do()
        assert len(rec.requests) == 1


async def test_connection_refused_is_not_retried() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    clock = InstantClock()
    async with RESTClient(f"http://127.0.0.1:{port}", clock=clock) as client:
        with pytest.raises(aiohttp.ClientConnectorError):
            await client.get().abs_path("/version").do()
    assert clock.sleeps == []


async def test_retry_waits_on_the_rate_limiter_too(server: APIServer) -> None:
    faults = FaultInjector()
    server.faults = faults
    clock = InstantClock()
    async with RESTClient(server.config(qps=0.1, burst=1, retry_jitter=0),
                          clock=clock) as client:
        faults.fail_next(429, verb="list", retry_after=1)
        await client.resource("v1", "pods").list()
        # the first attempt took the only token; the retry slept its Retry-After, then
        # waited for the next token (one per 10 s)
        assert clock.sleeps == [pytest.approx(1.0), pytest.approx(9.0)]


async def test_503_without_retry_after_from_a_proxy(recorder: Any) -> None:
    from aiohttp import web

    rec = await recorder(lambda req, n: web.Response(status=503, text="upstream overloaded"))
    async with RESTClient(dict(host=rec.url, qps=None), clock=InstantClock()) as client:
        with pytest.raises(ApiError) as err:
            await client.resource("v1", "pods", namespace="ns").get("p")
        assert is_service_unavailable(err.value)
        assert str(err.value) == ("the server is currently unable to handle the request "
                                  "(get pods p)")
        assert err.value.causes[0]["message"] == "upstream overloaded"
        assert len(rec.requests) == 1
