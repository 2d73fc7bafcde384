"""Fixtures for the REST client tests: an embedded API server per test, clients in
JSON and protobuf, an instant clock, and a leak check run after every test here
(no unclosed session, response or connection; ResourceWarnings are errors)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import pytest

from kclient import serializers as ser
from kclient.rest import RESTClient
from kclient.testing import APIServer

from rest_helpers import Recorder, assert_no_open_connections

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == HERE:
            item.add_marker(pytest.mark.filterwarnings("error::ResourceWarning"))
            item.add_marker(pytest.mark.filterwarnings(
                "error::pytest.PytestUnraisableExceptionWarning"))


@pytest.fixture(autouse=True)
async def no_leaks() -> AsyncIterator[None]:
    """Fail a test that leaves an unclosed aiohttp session, connector or response."""
    loop = asyncio.get_running_loop()
    problems: list[str] = []
    previous = loop.get_exception_handler()

    def handler(lp: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if "Unclosed" in message or "unclosed" in message:
            problems.append(message)
        elif previous is not None:
            previous(lp, context)
        else:
            lp.default_exception_handler(context)

    loop.set_exception_handler(handler)
    yield
    gc.collect()
    await asyncio.sleep(0)
    loop.set_exception_handler(previous)
    assert not problems, problems


@pytest.fixture
async def server() -> AsyncIterator[APIServer]:
    async with APIServer() as srv:
        yield srv


@pytest.fixture(params=[ser.JSON, ser.PROTOBUF], ids=["json", "protobuf"])
def content_type(request: Any) -> str:
    return request.param


@pytest.fixture
async def client(server: APIServer, content_type: str) -> AsyncIterator[RESTClient]:
    """A RESTClient on the server, preferring ``content_type``, without rate limits."""
    async with RESTClient(server.config(content_type=content_type, qps=None)) as c:
        yield c
        assert_no_open_connections(c)
    assert c.session is None


@pytest.fixture
async def recorder() -> AsyncIterator[Callable[..., Any]]:
    started: list[Recorder] = []

    async def make(responder: Callable[..., Any], ssl_context: Any = None) -> Recorder:
        rec = await Recorder(responder).start(ssl_context)
        started.append(rec)
        return rec

    yield make
    for rec in started:
        await rec.stop()


