"""Credentials: what goes in the ``Authorization`` header, and when it is refreshed.

A credentials provider has three async-friendly operations:

* ``await prepare()``: called once when a client opens (runs an exec plugin or
  an auth provider the first time, so a broken one fails at start-up with a
  :class:`~kclient.rest.errors.ConfigError`);
* ``await authorization()``: the header value for the next request (``Bearer ...``,
  ``Basic ...``) or None;
* ``invalidate()``: the server answered 401, so cached credentials are dropped and
  obtained again for the next request (the request itself is not retried).

Providers:

* :class:`StaticToken`, :class:`BasicAuth`: fixed values;
* :class:`TokenFile`: a token re-read from its file once a minute, so a rotated
  service-account token is picked up; a failed re-read keeps the last good token;
* :class:`KubeconfigCredentials`: exec plugins and auth providers (oidc, gcp),
  delegated to kubernetes-asyncio's kubeconfig loader, with the plugin's token
  cached until its ``expirationTimestamp`` (or until a 401 when it has none).

Invariant: no provider puts a secret in its ``repr``, in a log record or in an
exception message.

Maps to client-go ``transport/token_source.go`` (``cachedFileTokenSource``, one
minute period), ``plugin/pkg/client/auth/exec`` (credential caching and 401
refresh) and ``rest.Config``'s BearerToken/BearerTokenFile precedence.
"""

from __future__ import annotations

import base64
import datetime as _dt
import logging
import time
from typing import Any, Callable, Protocol, runtime_checkable

from .errors import ConfigError

__all__ = ["Credentials", "StaticToken", "BasicAuth", "TokenFile", "KubeconfigCredentials"]

log = logging.getLogger(__name__)

TOKEN_FILE_PERIOD = 60.0


@runtime_checkable
class Credentials(Protocol):
    async def prepare(self) -> None: ...

    async def authorization(self) -> str | None: ...

    def invalidate(self) -> None: ...


class StaticToken:
    """A bearer token given as a value."""

    __slots__ = ("_header",)

    def __init__(self, token: str) -> None:
        self._header = "Bearer " + token.strip()

    async def prepare(self) -> None:
        return None

    async def authorization(self) -> str | None:
        return self._header

    def invalidate(self) -> None:
        return None

    def __repr__(self) -> str:
        return "StaticToken(<redacted>)"


class BasicAuth:
    """HTTP basic authentication (username and password from a kubeconfig)."""

    __slots__ = ("_header",)

    def __init__(self, username: str, password: str) -> None:
        raw = f"{username}:{password}".encode()
        self._header = "Basic " + base64.b64encode(raw).decode("ascii")

    async def prepare(self) -> None:
        return None

    async def authorization(self) -> str | None:
        return self._header

    def invalidate(self) -> None:
        return None

    def __repr__(self) -> str:
        return "BasicAuth(<redacted>)"


class TokenFile:
    """A bearer token read from a file and re-read every ``period`` seconds.

    ``initial`` (a kubeconfig's ``token`` next to its ``tokenFile``) is used until the
    file has been read once; the last successfully read value wins afterwards.
    """

    def __init__(self, path: str, *, initial: str | None = None,
                 period: float = TOKEN_FILE_PERIOD,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.period = period
        self._now = now
        self._token: str | None = initial.strip() if initial else None
        self._read_at: float | None = None

    def _read(self) -> str:
        with open(self.path, encoding="utf-8") as f:
            token = f.read().strip()
        if not token:
            raise ValueError("the token file is empty")
        return token

    def _refresh(self, *, strict: bool) -> None:
        now = self._now()
        if self._read_at is not None and now - self._read_at < self.period:
            return
        try:
            token = self._read()
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            if strict and self._token is None:
                raise ConfigError(f"cannot read the token file: {type(exc).__name__}",
                                  file=self.path) from None
            log.warning("cannot re-read token file %s (%s); keeping the previous token",
                        self.path, type(exc).__name__)
            self._read_at = now
            return
        self._token = token
        self._read_at = now

    async def prepare(self) -> None:
        self._refresh(strict=True)

    async def authorization(self) -> str | None:
        self._refresh(strict=False)
        return f"Bearer {self._token}" if self._token else None

    def invalidate(self) -> None:
        self._read_at = None

    def __repr__(self) -> str:
        return f"TokenFile({self.path!r})"


def _parse_time(value: Any) -> _dt.datetime | None:
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)
    if isinstance(value, str) and value:
        try:
            parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.timezone.utc)
    return None


class KubeconfigCredentials:
    """Exec plugins and auth providers, run through kubernetes-asyncio's loader.

    ``loader`` is a ``kubernetes_asyncio.config.kube_config.KubeConfigLoader`` with
    the context already selected. After :meth:`prepare`, ``cert_file`` / ``key_file``
    name a client certificate the plugin returned, if it returned one.
    """

    REFRESH_PERIOD = 60.0

    def __init__(self, loader: Any, *, file: str | None, context: str | None, field: str,
                 now: Callable[[], float] = time.monotonic,
                 wall: Callable[[], _dt.datetime] | None = None) -> None:
        self._loader = loader
        self._file = file
        self._context = context
        self._field = field
        self._now = now
        self._wall = wall or (lambda: _dt.datetime.now(_dt.timezone.utc))
        self._header: str | None = None
        self._expires: _dt.datetime | None = None
        self._loaded_at: float | None = None
        self.cert_file: str | None = None
        self.key_file: str | None = None
        self.is_exec = field.endswith(".exec")

    def _fresh(self) -> bool:
        if self._loaded_at is None:
            return False
        if self._expires is not None:
            return self._wall() < self._expires
        if self.is_exec:
            return True
        return self._now() - self._loaded_at < self.REFRESH_PERIOD

    async def _load(self) -> None:
        from kubernetes_asyncio.client import Configuration

        if self.is_exec:
            # force the plugin to run again: the loader keeps its own expiry
            self._loader.__dict__.pop("exec_plugin_expiry", None)
        cfg = Configuration()
        try:
            await self._loader.load_and_set(cfg)
        except Exception as exc:  # noqa: BLE001 - every loader failure is a ConfigError
            raise ConfigError(_describe(exc), file=self._file, context=self._context,
                              field=self._field) from None
        token = (cfg.api_key or {}).get("BearerToken")
        if not token and not cfg.cert_file:
            raise ConfigError("the credential plugin returned neither a token nor a client "
                              "certificate", file=self._file, context=self._context,
                              field=self._field)
        self._header = token or None
        self.cert_file = cfg.cert_file or None
        self.key_file = cfg.key_file or None
        self._expires = _parse_time(getattr(self._loader, "exec_plugin_expiry", None)) \
            if self.is_exec else None
        self._loaded_at = self._now()

    async def prepare(self) -> None:
        if not self._fresh():
            await self._load()

    async def authorization(self) -> str | None:
        if not self._fresh():
            await self._load()
        return self._header

    def invalidate(self) -> None:
        self._loaded_at = None

    def __repr__(self) -> str:
        return f"KubeconfigCredentials({self._field})"


def _describe(exc: BaseException) -> str:
    """An exception's message, minus anything that looks like a credential."""
    text = str(exc) or type(exc).__name__
    for marker in ("Bearer ", "Basic "):
        if marker in text:
            text = text.split(marker, 1)[0] + marker + "<redacted>"
    return text
