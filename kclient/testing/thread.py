"""ServerThread: the embedded API server on an event loop of its own thread.

For code that is not itself async (a synchronous test suite, a benchmark that times a
client on the main thread without the server competing for the same loop)::

    with ServerThread(watch_history=1000) as st:
        requests.get(st.url + "/api/v1/pods")
        st.call(some_coroutine_on_the_server_loop())

The thread is a daemon; leaving the block stops the server and joins the thread.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Awaitable, TypeVar

from .server import APIServer

T = TypeVar("T")


class ServerThread:
    def __init__(self, **server_options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = APIServer(**server_options)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                       name="kclient-apiserver")

    @property
    def url(self) -> str:
        return self.server.url

    def config(self, **overrides: Any) -> Any:
        return self.server.config(**overrides)

    def call(self, coro: Awaitable[T], timeout: float | None = None) -> T:
        """Run ``coro`` on the server's loop and return its result (blocking)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        self.call(self.server.start())
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call(self.server.stop(), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            if not self.thread.is_alive():
                self.loop.close()
