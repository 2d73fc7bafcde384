"""``RESTClient``: one aiohttp session and connection pool, and the request builder.

::

    async with RESTClient(Config.from_kubeconfig()) as client:
        version = await client.get().abs_path("/version").do()
        pods = client.resource("v1", "pods", namespace="default")   # see .resource
        pod = await pods.get("web-0")

A :class:`Request` is built in client-go's chained style (``verb``, ``prefix``,
``namespace``, ``resource``, ``name``, ``subresource``, ``suffix``, ``param``,
``body``) and then sent with ``await req.do()`` (the decoded object),
``await req.do_raw()`` (bytes), ``await req.result()`` (status, headers, body, no
raising) or ``req.watch()`` (a :class:`~kclient.rest.watch.Watch`).

What every request goes through, in order: the client-side rate limiter (not for
watches, as upstream); credentials (``Authorization``, refreshed after a 401); the
attempt; warning headers to the handler; the retry decision of :mod:`.retry`
(sleeping on the client's clock, then the rate limiter again); and, for a failed
status, an :class:`~kclient.rest.errors.ApiError` built from the server's Status or,
for a body that is not one, from the status code as client-go builds it.

Invariants: the session exists between open and close only; every response is
released or closed before the call returns (watches: when the watch is closed);
request headers are never logged or put in an error.

Maps to client-go ``rest/client.go`` (``RESTClient``) and ``rest/request.go``
(``Request``, ``request``, ``Do``, ``DoRaw``, ``transformResponse``, ``Result``).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import TYPE_CHECKING, Any, Iterable, Mapping
from urllib.parse import quote, quote_plus

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from kclient import serializers as ser
from kclient.workqueue.clock import REAL_CLOCK, Clock

from . import negotiation
from .config import Config
from .errors import ApiError, generic_server_error
from .ratelimit import RateLimiter
from .retry import Retrier, RetryPolicy, retry_after_seconds
from .warnings import WarningHandler, WarningLogger, handle_warnings

if TYPE_CHECKING:
    from .discovery import DiscoveryClient
    from .resource import ResourceClient
    from .watch import Watch

__all__ = ["RESTClient", "Request", "Result", "go_duration"]

log = logging.getLogger(__name__)

_MAX_UNSTRUCTURED = 2048
_STATUS_KINDS = ("Status",)


def go_duration(seconds: float) -> str:
    """A duration as Go's ``time.Duration.String`` prints it (``30s``, ``1m30s``)."""
    if seconds == 0:
        return "0s"
    ns = int(round(seconds * 1e9))
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _trim(ns / size) + unit
    hours, rest = divmod(ns, 3600 * 1_000_000_000)
    minutes, rest = divmod(rest, 60 * 1_000_000_000)
    secs = _trim(rest / 1e9) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}"
    if minutes:
        return f"{sign}{minutes}m{secs}"
    return sign + secs


def _trim(value: float) -> str:
    text = f"{value:.9f}".rstrip("0").rstrip(".")
    return text or "0"


def _check_segment(kind: str, value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{kind} may not be empty")
    if value in (".", ".."):
        raise ValueError(f"invalid {kind} {value!r}: may not be '.' or '..'")
    if "/" in value or "%" in value:
        raise ValueError(f"invalid {kind} {value!r}: may not contain '/' or '%'")
    return value


class Result:
    """A response read whole: status, headers, body."""

    __slots__ = ("status", "headers", "body", "content_type", "request")

    def __init__(self, status: int, headers: CIMultiDictProxy[str] | Mapping[str, str],
                 body: bytes, request: "Request") -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.content_type = headers.get("Content-Type", "")
        self.request = request

    @property
    def ok(self) -> bool:
        return 200 <= self.status <= 206

    def error(self) -> ApiError | None:
        """The error this response stands for, or None for a success."""
        if self.ok:
            return None
        decoded: Any = None
        if self.body:
            try:
                decoded = negotiation.decode_response(self.body, self.content_type)
            except ValueError:
                decoded = None
        if isinstance(decoded, dict) and decoded.get("kind") in _STATUS_KINDS and \
                decoded.get("status") == "Failure":
            return ApiError(decoded)
        media = negotiation.media_type(self.content_type)
        text = "unknown"
        if not media or media.startswith("text/"):
            text = self.body[:_MAX_UNSTRUCTURED].decode("utf-8", "replace").strip()
        req = self.request
        return generic_server_error(self.status, req.method, req.group, req._resource or "",
                                    req._name or "", text,
                                    retry_after_seconds(self.headers) or 0)

    def object(self) -> Any:
        """The decoded body; raises the ApiError of a failed response."""
        err = self.error()
        if err is not None:
            raise err
        if not self.body:
            raise ValueError(f"0-length response with status code: {self.status} and content "
                             f"type: {self.content_type}")
        obj = negotiation.decode_response(self.body, self.content_type)
        if obj is None:
            raise ValueError(f"cannot decode a response of content type {self.content_type!r}")
        if isinstance(obj, dict) and obj.get("kind") in _STATUS_KINDS and \
                obj.get("status") not in (None, "Success"):
            raise ApiError(obj)
        return obj

    def __repr__(self) -> str:
        return f"Result({self.request.method} {self.request.path()} -> {self.status})"


class Request:
    """One request being built; see the module docstring."""

    __slots__ = ("client", "method", "_prefix", "_namespace", "_resource", "_name",
                 "_subresource", "_suffix", "_params", "_headers", "_body",
                 "_body_type", "_timeout", "_max_retries", "group")

    def __init__(self, client: "RESTClient", method: str) -> None:
        self.client = client
        self.method = method.upper()
        self._prefix = ""
        self._namespace: str | None = None
        self._resource: str | None = None
        self._name: str | None = None
        self._subresource: str | None = None
        self._suffix = ""
        self._params: list[tuple[str, str]] = []
        self._headers: dict[str, str] = {}
        self._body: bytes | None = None
        self._body_type: str | None = None
        self._timeout: float | None = client.config.timeout
        self._max_retries: int | None = None
        self.group = ""

    # -- path -------------------------------------------------------------------------

    def abs_path(self, *segments: str) -> "Request":
        self._prefix = "/" + "/".join(s.strip("/") for s in segments if s.strip("/"))
        return self

    def prefix(self, *segments: str) -> "Request":
        extra = "/".join(s.strip("/") for s in segments if s.strip("/"))
        if extra:
            self._prefix = self._prefix.rstrip("/") + "/" + extra
        return self

    def api_version(self, api_version: str) -> "Request":
        """``/api/v1`` for the core group, ``/apis/<group>/<version>`` otherwise."""
        group, _, version = api_version.rpartition("/")
        self.group = group
        return self.abs_path("api", version) if not group else \
            self.abs_path("apis", group, version)

    def namespace(self, namespace: str | None) -> "Request":
        if namespace:
            self._namespace = _check_segment("namespace", namespace)
        return self

    def resource(self, resource: str) -> "Request":
        self._resource = _check_segment("resource", resource).lower()
        return self

    def name(self, name: str) -> "Request":
        self._name = _check_segment("resource name", name)
        return self

    def subresource(self, *subresources: str) -> "Request":
        if subresources:
            self._subresource = "/".join(_check_segment("subresource", s)
                                         for s in subresources)
        return self

    def suffix(self, *segments: str) -> "Request":
        extra = "/".join(s.strip("/") for s in segments if s.strip("/"))
        if extra:
            self._suffix = f"{self._suffix}/{extra}" if self._suffix else extra
        return self

    # -- parameters, headers, body ---------------------------------------------------

    def param(self, name: str, value: Any) -> "Request":
        if value is None:
            return self
        if isinstance(value, bool):
            value = "true" if value else "false"
        self._params.append((name, str(value)))
        return self

    def params(self, values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> "Request":
        items = values.items() if isinstance(values, Mapping) else values
        for k, v in items:
            if isinstance(v, (list, tuple)):
                for one in v:
                    self.param(k, one)
            else:
                self.param(k, v)
        return self

    def header(self, name: str, value: str) -> "Request":
        self._headers[name] = value
        return self

    def accept(self, value: str) -> "Request":
        return self.header("Accept", value)

    def body(self, obj: Any, content_type: str | None = None) -> "Request":
        """A dict is encoded (protobuf when preferred and possible); bytes and str are
        sent as they are with ``content_type`` (default JSON)."""
        if obj is None:
            return self
        if isinstance(obj, str):
            obj = obj.encode("utf-8")
        if isinstance(obj, (bytes, bytearray)):
            self._body, self._body_type = bytes(obj), content_type or ser.JSON
        else:
            data, ct = negotiation.encode_body(obj, content_type or
                                               self.client.config.content_type)
            self._body, self._body_type = data, ct
        return self

    def timeout(self, seconds: float | None) -> "Request":
        self._timeout = seconds
        return self

    def max_retries(self, count: int) -> "Request":
        self._max_retries = max(0, count)
        return self

    # -- rendering ------------------------------------------------------------------

    def path(self) -> str:
        parts = [self._prefix.rstrip("/")]
        if self._namespace:
            parts.append("namespaces/" + quote(self._namespace, safe=""))
        if self._resource:
            parts.append(self._resource)
        if self._name:
            parts.append(quote(self._name, safe=":@"))
        if self._subresource:
            parts.append(self._subresource)
        if self._suffix:
            parts.append(self._suffix)
        path = "/".join(parts)
        return path if path.startswith("/") else "/" + path

    def query(self, *, watch: bool = False) -> str:
        params = list(self._params)
        if self._timeout and not watch:
            params.append(("timeout", go_duration(self._timeout)))
        if not params:
            return ""
        params.sort(key=lambda kv: kv[0])
        return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in params)

    def url(self, *, watch: bool = False) -> URL:
        query = self.query(watch=watch)
        text = self.client.base_url + self.path() + ("?" + query if query else "")
        return URL(text, encoded=True)

    # -- sending --------------------------------------------------------------------

    async def result(self) -> Result:
        """Send; return the response whatever its status (after retries)."""
        return await self.client._execute(self)

    async def do(self) -> Any:
        """Send; return the decoded body or raise the response's ApiError."""
        result = await self.client._execute(self)
        return result.object()

    async def do_raw(self) -> bytes:
        result = await self.client._execute(self)
        err = result.error()
        if err is not None:
            raise err
        return result.body

    def watch(self, reuse: dict | None = None) -> "Watch":
        from .watch import Watch

        return Watch(self, reuse=reuse)

    def __repr__(self) -> str:
        return f"Request({self.method} {self.path()})"


class RESTClient:
    """An async context manager owning one aiohttp session; see the module docstring."""

    def __init__(self, config: Config | Mapping[str, Any] | str, *,
                 clock: Clock | None = None, rng: random.Random | None = None,
                 warning_handler: WarningHandler | None = None,
                 rate_limiter: RateLimiter | None = None,
                 retry_policy: RetryPolicy | None = None) -> None:
        if isinstance(config, str):
            config = Config(host=config)
        elif not isinstance(config, Config):
            config = Config.from_dict(config)
        self.config = config
        self.clock = clock or REAL_CLOCK
        self.rng = rng or random.Random()
        self.warning_handler = warning_handler or config.warning_handler or WarningLogger()
        if rate_limiter is None and config.qps:
            rate_limiter = RateLimiter(config.qps, config.burst, self.clock)
        self.rate_limiter = rate_limiter
        self.retry_policy = retry_policy or RetryPolicy(config.max_retries, config.retry_jitter)
        self.credentials = config.credentials()
        self.base_url = config.host
        self._session: aiohttp.ClientSession | None = None
        self._open_lock: asyncio.Lock | None = None
        self._discovery: DiscoveryClient | None = None
        self._timeout = aiohttp.ClientTimeout(total=config.timeout,
                                              sock_connect=config.connect_timeout)
        self._watch_timeout = aiohttp.ClientTimeout(total=None, sock_read=None,
                                                    sock_connect=config.connect_timeout)
        self._server_hostname = config.tls_server_name
        self.closed = False

    # -- lifecycle ------------------------------------------------------------------

    async def __aenter__(self) -> "RESTClient":
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> aiohttp.ClientSession:
        """Create the session (runs credential plugins first); idempotent."""
        if self._session is not None:
            return self._session
        if self.closed:
            raise RuntimeError("the RESTClient is closed")
        if self._open_lock is None:
            self._open_lock = asyncio.Lock()
        async with self._open_lock:
            if self._session is not None:
                return self._session
            cert_file = key_file = None
            if self.credentials is not None:
                await self.credentials.prepare()
                cert_file = getattr(self.credentials, "cert_file", None)
                key_file = getattr(self.credentials, "key_file", None)
            ssl_setting = self.config.ssl_context(cert_file, key_file)
            connector = aiohttp.TCPConnector(
                ssl=True if ssl_setting is None else ssl_setting, limit=0,
                keepalive_timeout=90.0)
            headers = {"User-Agent": self.config.user_agent}
            skip: tuple[str, ...] = ()
            if self.config.compression:
                headers["Accept-Encoding"] = "gzip"
            else:
                skip = ("Accept-Encoding",)
            self._session = aiohttp.ClientSession(
                connector=connector, headers=headers, skip_auto_headers=skip,
                auto_decompress=True, trust_env=False, timeout=self._timeout)
            # aiohttp resends PUT and DELETE once when a connection drops; Go's transport
            # does not, and every retry here is decided by .retry alone.
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False
            return self._session

    async def close(self) -> None:
        self.closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    @property
    def session(self) -> aiohttp.ClientSession | None:
        return self._session

    # -- builders -------------------------------------------------------------------

    def verb(self, method: str) -> Request:
        return Request(self, method)

    def get(self) -> Request:
        return Request(self, "GET")

    def post(self) -> Request:
        return Request(self, "POST")

    def put(self) -> Request:
        return Request(self, "PUT")

    def patch(self, patch_type: str) -> Request:
        return Request(self, "PATCH").header("Content-Type", patch_type)

    def delete(self) -> Request:
        return Request(self, "DELETE")

    def resource(self, api_version: str, resource: str,
                 namespace: str | None = None) -> "ResourceClient":
        """The dynamic client for one resource (see :mod:`.resource`)."""
        from .resource import ResourceClient

        return ResourceClient(self, api_version, resource, namespace)

    async def resource_for(self, api_version: str, kind: str,
                           namespace: str | None = None) -> "ResourceClient":
        """The resource client for a kind, found through (cached) discovery."""
        from .resource import ResourceClient

        info = await self.discovery.resource_for(api_version, kind)
        return ResourceClient(self, api_version, info.name,
                              namespace if info.namespaced else None, info=info)

    @property
    def discovery(self) -> "DiscoveryClient":
        if self._discovery is None:
            from .discovery import DiscoveryClient

            self._discovery = DiscoveryClient(self)
        return self._discovery

    # -- execution ------------------------------------------------------------------

    def _headers(self, req: Request) -> dict[str, str]:
        headers = dict(req._headers)
        if "Accept" not in headers:
            headers["Accept"] = negotiation.ACCEPT_ANY_JSON if \
                self.config.content_type == ser.JSON else negotiation.ACCEPT_PROTOBUF
        if req._body_type and "Content-Type" not in headers:
            headers["Content-Type"] = req._body_type
        return headers

    async def _authorize(self, headers: dict[str, str]) -> None:
        if self.credentials is not None:
            value = await self.credentials.authorization()
            if value:
                headers["Authorization"] = value

    def _warnings(self, headers: CIMultiDictProxy[str]) -> None:
        if "Warning" in headers:
            handle_warnings(headers.getall("Warning"), self.warning_handler)

    def _retrier(self, req: Request, *, watch: bool) -> Retrier:
        policy = self.retry_policy
        if req._max_retries is not None:
            policy = RetryPolicy(req._max_retries, policy.jitter, policy.max_wait)
        return Retrier(policy, req.method, watch=watch, rng=self.rng)

    async def _execute(self, req: Request) -> Result:
        session = self._session or await self.open()
        url = req.url()
        headers = self._headers(req)
        retrier = self._retrier(req, watch=False)
        limiter = self.rate_limiter
        if limiter is not None:
            await limiter.wait()
        debug = log.isEnabledFor(logging.DEBUG)
        timeout = self._timeout if req._timeout == self.config.timeout else \
            aiohttp.ClientTimeout(total=req._timeout, sock_connect=self.config.connect_timeout)
        while True:
            await self._authorize(headers)
            start = time.perf_counter() if debug else 0.0
            try:
                resp = await session.request(req.method, url, data=req._body, headers=headers,
                                             timeout=timeout,
                                             server_hostname=self._server_hostname,
                                             proxy=self.config.proxy, allow_redirects=False)
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                delay = retrier.after_error(exc)
                if delay is None:
                    raise
                log.debug("%s %s failed (%s); retrying in %.2fs", req.method, url,
                          type(exc).__name__, delay)
            else:
                try:
                    status = resp.status
                    if status == 401 and self.credentials is not None:
                        self.credentials.invalidate()
                    delay = None if status < 400 else retrier.after_response(status,
                                                                             resp.headers)
                    if delay is None:
                        body = await resp.read()
                        self._warnings(resp.headers)
                        if debug:
                            log.debug("%s %s %d in %.1fms", req.method, url, status,
                                      (time.perf_counter() - start) * 1e3)
                        return Result(status, resp.headers, body, req)
                    self._warnings(resp.headers)
                    log.debug("%s %s: %d, retry after %.2fs", req.method, url, status, delay)
                finally:
                    resp.release()
            await self.clock.sleep(delay)
            if limiter is not None:
                await limiter.wait()

    async def _open_stream(self, req: Request) -> aiohttp.ClientResponse | None:
        """Start a watch: the 200 response (the caller closes it), or None when the
        connection kept failing in a way a watch shrugs off (an empty watch)."""
        session = self._session or await self.open()
        url = req.url(watch=True)
        headers = self._headers(req)
        retrier = self._retrier(req, watch=True)
        while True:
            await self._authorize(headers)
            try:
                resp = await session.request(req.method, url, headers=headers,
                                             data=req._body, timeout=self._watch_timeout,
                                             server_hostname=self._server_hostname,
                                             proxy=self.config.proxy, allow_redirects=False)
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                delay = retrier.after_error(exc)
                if delay is None:
                    if retrier.error_is_retryable(exc):
                        return None
                    raise
            else:
                if resp.status == 200:
                    self._warnings(resp.headers)
                    return resp
                try:
                    if resp.status == 401 and self.credentials is not None:
                        self.credentials.invalidate()
                    delay = retrier.after_response(resp.status, resp.headers)
                    if delay is None:
                        body = await resp.read()
                        self._warnings(resp.headers)
                        result = Result(resp.status, resp.headers, body, req)
                        err = result.error()
                        if err is not None:
                            raise err
                        raise ApiError({"code": resp.status, "reason": "",
                                        "message": f"for request {req.path()}, got status: "
                                                   f"{resp.status}"})
                finally:
                    resp.release()
            await self.clock.sleep(delay)
            if self.rate_limiter is not None:
                await self.rate_limiter.wait()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open" if self._session else "new"
        return f"RESTClient({self.config.host!r}, {state})"
