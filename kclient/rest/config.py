"""``Config``: where the API server is, how to trust it, who we are, how hard to push.

A ``Config`` is plain data, built directly (``Config(host="https://...")``), from a
mapping (``Config.from_dict({"host": ...})``; the embedded server's ``server.config()``
returns a Config already), from kubeconfig files
(``Config.from_kubeconfig(path=None, context=None)``) or from a pod's service
account (``Config.in_cluster()``); the last two live in :mod:`.kubeconfig`.

Invariants:

* TLS verification is on unless ``insecure=True`` was asked for (or a kubeconfig's
  ``insecure-skip-tls-verify``); an ``https`` host with neither a CA nor
  ``insecure`` verifies against the system's trust store;
* a token, a password and a client key never appear in ``repr(config)``, in a log
  record or in an exception: the fields are excluded from the repr, and errors
  name fields, never values;
* the options are validated when the Config is made, each failure a
  :class:`~kclient.rest.errors.ConfigError` naming the field.

Options and defaults (chosen for controllers; client-go's in parentheses):

* ``qps=50``, ``burst=100``: the client-side token bucket (5/10); ``qps=None``
  disables it. See :mod:`.ratelimit` for why.
* ``timeout=None``: total seconds per request, watches excepted (client-go applies
  its timeout to watches too, which silently kills informers); sent to the server
  as the ``timeout`` query parameter as client-go does. ``connect_timeout=30``.
* ``content_type="application/vnd.kubernetes.protobuf"``: protobuf for the built-in
  kinds kclient has schemas for, JSON otherwise (client-go's typed clients since
  1.32); ``"application/json"`` for JSON everywhere.
* ``max_retries=10``, ``retry_jitter=0.2`` (see :mod:`.retry`).
* ``compression=True``: ask for gzip responses (Go's transport does by default).
* ``user_agent``: ``kclient/<version> (<os>/<arch>) python/<version>``.

Maps to client-go ``rest/config.go`` (``Config``, ``DefaultQPS``, ``DefaultBurst``,
``DefaultUserAgent``) and ``transport/config.go`` (TLS and credentials).
"""

from __future__ import annotations

import dataclasses
import os
import platform
import ssl
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlsplit

from kclient import __version__
from kclient import serializers as ser

from .auth import BasicAuth, Credentials, StaticToken, TokenFile
from .errors import ConfigError
from .ratelimit import DEFAULT_BURST, DEFAULT_QPS
from .warnings import WarningHandler

__all__ = ["Config", "DEFAULT_USER_AGENT"]

DEFAULT_USER_AGENT = (f"kclient/{__version__} ({sys.platform}/{platform.machine().lower()}) "
                      f"python/{platform.python_version()}")

_SECRET_FIELDS = ("token", "password", "key_data")


@dataclass(repr=False)
class Config:
    """Connection settings for a :class:`~kclient.rest.RESTClient`."""

    host: str
    namespace: str = "default"
    # -- TLS
    ca_file: str | None = None
    ca_data: bytes | str | None = None
    insecure: bool = False
    tls_server_name: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    cert_data: bytes | str | None = None
    key_data: bytes | str | None = field(default=None)
    # -- credentials
    token: str | None = None
    token_file: str | None = None
    username: str | None = None
    password: str | None = None
    auth: Credentials | None = None
    # -- behaviour
    qps: float | None = DEFAULT_QPS
    burst: int = DEFAULT_BURST
    timeout: float | None = None
    connect_timeout: float | None = 30.0
    user_agent: str = DEFAULT_USER_AGENT
    content_type: str = ser.PROTOBUF
    max_retries: int = 10
    retry_jitter: float = 0.2
    compression: bool = True
    proxy: str | None = None
    warning_handler: WarningHandler | None = None
    # -- provenance (for messages)
    context: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        self.host = self._check_host(self.host)
        try:
            ct = ser.normalize(self.content_type)
        except ValueError:
            raise self._error("content_type", f"unsupported content type "
                              f"{self.content_type!r}: expected {ser.JSON} or "
                              f"{ser.PROTOBUF}") from None
        if ct == ser.YAML:
            raise self._error("content_type", "YAML cannot be the preferred content type "
                              "(it has no watch form); responses in YAML are still read")
        self.content_type = ct
        if self.qps is not None and self.qps < 0:
            raise self._error("qps", "must not be negative (None or 0 disables rate limiting)")
        if self.qps and self.burst < 1:
            raise self._error("burst", "must be at least 1 when qps is set")
        if self.timeout is not None and self.timeout <= 0:
            raise self._error("timeout", "must be positive or None")
        if self.max_retries < 0:
            raise self._error("max_retries", "must not be negative")
        if (self.username or self.password) and (self.token or self.token_file):
            raise self._error("username", "username/password or bearer token may be set, "
                              "but not both")
        if bool(self.cert_file or self.cert_data) != bool(self.key_file or self.key_data):
            which = "key" if self.cert_file or self.cert_data else "cert"
            raise self._error(f"{which}_file", "a client certificate needs both a certificate "
                              "and a key")

    def _error(self, name: str, message: str) -> ConfigError:
        return ConfigError(message, file=self.source, context=self.context, field=name)

    def _check_host(self, host: str) -> str:
        if not isinstance(host, str) or not host:
            raise self._error("host", "the API server's URL is required")
        if "://" not in host:
            host = "https://" + host
        parts = urlsplit(host)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self._error("host", f"not an http(s) URL: {host!r}")
        return host.rstrip("/")

    # -- construction ---------------------------------------------------------------

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "Config":
        """A Config from a mapping of its field names (e.g. ``APIServer.config()``)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ConfigError(f"unknown option(s): {', '.join(unknown)}", field=unknown[0])
        return cls(**dict(values))

    @classmethod
    def from_kubeconfig(cls, path: str | os.PathLike[str] | None = None,
                        context: str | None = None) -> "Config":
        """Load a kubeconfig: ``path``, else every file of ``$KUBECONFIG`` merged,
        else ``~/.kube/config``; ``context`` overrides the current context."""
        from .kubeconfig import load_kubeconfig

        return load_kubeconfig(path, context)

    @classmethod
    def in_cluster(cls, **overrides: Any) -> "Config":
        """The pod's service account: ``KUBERNETES_SERVICE_HOST``/``PORT``, its token
        (re-read as it rotates) and CA. Keyword arguments override the file paths
        (``token_file=``, ``ca_file=``, ``namespace_file=``, ``environ=``)."""
        from .kubeconfig import load_in_cluster

        return load_in_cluster(**overrides)

    def replace(self, **changes: Any) -> "Config":
        return dataclasses.replace(self, **changes)

    # -- derived --------------------------------------------------------------------

    @property
    def is_https(self) -> bool:
        return self.host.startswith("https://")

    def credentials(self) -> Credentials | None:
        """The credentials provider these settings describe (None: anonymous)."""
        if self.auth is not None:
            return self.auth
        if self.token_file:
            return TokenFile(self.token_file, initial=self.token)
        if self.token:
            return StaticToken(self.token)
        if self.username or self.password:
            return BasicAuth(self.username or "", self.password or "")
        return None

    def ssl_context(self, cert_file: str | None = None,
                    key_file: str | None = None) -> ssl.SSLContext | bool | None:
        """The TLS settings for the connection pool: None for plain http, False to
        skip verification, else an SSLContext (CA, client certificate)."""
        if not self.is_https:
            return None
        if self.insecure and not (self.cert_file or self.cert_data or cert_file):
            return False
        try:
            ctx = ssl.create_default_context()
        except ssl.SSLError as exc:  # pragma: no cover - broken system store
            raise self._error("ca_file", f"cannot load the system trust store: {exc}") from None
        if self.insecure:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if self.ca_file:
            try:
                ctx.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise self._error("ca_file", f"cannot load the CA certificate "
                                  f"{self.ca_file}: {_ssl_reason(exc)}") from None
        if self.ca_data:
            data = self.ca_data.decode("ascii", "replace") if isinstance(self.ca_data, bytes) \
                else self.ca_data
            try:
                ctx.load_verify_locations(cadata=data)
            except (ssl.SSLError, ValueError) as exc:
                raise self._error("ca_data", f"cannot load the CA certificate: "
                                  f"{_ssl_reason(exc)}") from None
        cert = cert_file or self.cert_file
        key = key_file or self.key_file
        if cert or self.cert_data:
            _load_client_cert(ctx, self, cert, key)
        return ctx

    def __repr__(self) -> str:
        shown = [f"host={self.host!r}", f"namespace={self.namespace!r}"]
        if self.context:
            shown.append(f"context={self.context!r}")
        if self.insecure:
            shown.append("insecure=True")
        for name in ("token", "token_file", "username", "password", "cert_file", "key_file",
                     "cert_data", "key_data", "ca_file", "auth"):
            if getattr(self, name):
                shown.append(f"{name}=<redacted>" if name in _SECRET_FIELDS or name in (
                    "cert_data", "auth", "username") else f"{name}={getattr(self, name)!r}")
        shown.append(f"qps={self.qps}, burst={self.burst}")
        shown.append(f"content_type={self.content_type!r}")
        return f"Config({', '.join(shown)})"

    __str__ = __repr__


def _ssl_reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None)
    return str(reason or type(exc).__name__)


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _load_client_cert(ctx: ssl.SSLContext, cfg: Config, cert: str | None,
                      key: str | None) -> None:
    """Load the client certificate; inline data goes through private temporary files
    deleted as soon as OpenSSL has read them."""
    temps: list[str] = []
    try:
        if cert is None and cfg.cert_data:
            cert = _temp_file(_as_bytes(cfg.cert_data), temps)
        if key is None and cfg.key_data:
            key = _temp_file(_as_bytes(cfg.key_data), temps)
        try:
            ctx.load_cert_chain(certfile=cert or "", keyfile=key)
        except (OSError, ssl.SSLError) as exc:
            name = "cert_file" if cfg.cert_file else "cert_data"
            raise cfg._error(name, "cannot load the client certificate and key: "
                             f"{_ssl_reason(exc)}") from None
    finally:
        for path in temps:
            try:
                os.unlink(path)
            except OSError:
                pass


def _temp_file(data: bytes, temps: list[str]) -> str:
    fd, path = tempfile.mkstemp(prefix="kclient-")
    temps.append(path)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path
