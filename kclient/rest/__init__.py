"""The REST layer: ``Config``, ``RESTClient``, the dynamic resource client, watch,
paging, discovery, errors, retries, client-side rate limits and warnings.

::

    from kclient.rest import Config, RESTClient, is_not_found

    async with RESTClient(Config.from_kubeconfig()) as client:
        pods = client.resource("v1", "pods", namespace="default")
        try:
            pod = await pods.get("web-0")
        except ApiError as err:
            if not is_not_found(err):
                raise

Modules, one concept each: :mod:`.config` (Config), :mod:`.kubeconfig` (kubeconfig
files, in-cluster), :mod:`.auth` (credentials), :mod:`.client` (RESTClient, the
request builder), :mod:`.resource` (the dynamic resource client), :mod:`.watch`,
:mod:`.pager`, :mod:`.discovery`, :mod:`.negotiation` (content types),
:mod:`.errors`, :mod:`.retry`, :mod:`.ratelimit`, :mod:`.warnings`. This package
maps to client-go's ``rest``, ``dynamic``, ``discovery``, ``tools/pager``,
``tools/clientcmd`` and ``util/flowcontrol``; each module says how.
"""

from .auth import BasicAuth, Credentials, KubeconfigCredentials, StaticToken, TokenFile
from .client import Request, RESTClient, Result
from .config import DEFAULT_USER_AGENT, Config
from .discovery import APIResourceInfo, DiscoveryClient
from .errors import (
    ApiError,
    ConfigError,
    NoMatchError,
    generic_server_error,
    is_already_exists,
    is_bad_request,
    is_conflict,
    is_forbidden,
    is_gone,
    is_internal_error,
    is_invalid,
    is_method_not_supported,
    is_not_acceptable,
    is_not_found,
    is_resource_expired,
    is_server_timeout,
    is_service_unavailable,
    is_timeout,
    is_too_many_requests,
    is_unauthorized,
    is_unsupported_media_type,
    suggests_client_delay,
)
from .pager import DEFAULT_PAGE_SIZE, Pager
from .ratelimit import DEFAULT_BURST, DEFAULT_QPS, RateLimiter, TokenBucket
from .resource import PATCH_TYPES, ResourceClient
from .retry import NO_RETRIES, RetryPolicy
from .warnings import (
    NO_WARNINGS,
    WarningCollector,
    WarningHandler,
    WarningHeader,
    WarningLogger,
    parse_warning_headers,
)
from .watch import Watch

__all__ = [
    "APIResourceInfo",
    "ApiError",
    "BasicAuth",
    "Config",
    "ConfigError",
    "Credentials",
    "DEFAULT_BURST",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_QPS",
    "DEFAULT_USER_AGENT",
    "DiscoveryClient",
    "KubeconfigCredentials",
    "NO_RETRIES",
    "NO_WARNINGS",
    "NoMatchError",
    "PATCH_TYPES",
    "Pager",
    "RESTClient",
    "RateLimiter",
    "Request",
    "ResourceClient",
    "Result",
    "RetryPolicy",
    "StaticToken",
    "TokenBucket",
    "TokenFile",
    "WarningCollector",
    "WarningHandler",
    "WarningHeader",
    "WarningLogger",
    "Watch",
    "generic_server_error",
    "is_already_exists",
    "is_bad_request",
    "is_conflict",
    "is_forbidden",
    "is_gone",
    "is_internal_error",
    "is_invalid",
    "is_method_not_supported",
    "is_not_acceptable",
    "is_not_found",
    "is_resource_expired",
    "is_server_timeout",
    "is_service_unavailable",
    "is_timeout",
    "is_too_many_requests",
    "is_unauthorized",
    "is_unsupported_media_type",
    "parse_warning_headers",
    "suggests_client_delay",
]
