"""Fixtures for the embedded API server tests: a running server and an HTTP client."""

from __future__ import annotations

from typing import AsyncIterator

import aiohttp
import pytest

from kclient.testing import APIServer
from server_helpers import Client


@pytest.fixture
async def server() -> AsyncIterator[APIServer]:
    async with APIServer() as srv:
        yield srv


@pytest.fixture
async def client(server: APIServer) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(session, server.url)
