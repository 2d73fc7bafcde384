"""ListerWatcher: the two calls a reflector needs, and ListWatch, their REST adapter.

The protocol (:class:`ListerWatcher`) is deliberately small, so that a reflector runs
over anything that can list and watch, an in-memory fake included:

* ``await list(options) -> dict``: a list object, ``{"metadata": {"resourceVersion",
  "continue"}, "items": [...]}``;
* ``await watch(options) -> AsyncIterator[dict]``: opens a watch (errors that prevent
  opening it are raised here) and returns an async iterator of ``{"type", "object"}``
  events. An ``ERROR`` event may be raised as an exception carrying its ``Status``
  (``exc.status``) or yielded as is. The reflector calls ``aclose()`` on the iterator,
  when it has one, as soon as it stops reading.

:class:`ListOptions` holds the list and watch parameters under Pythonic names;
:meth:`ListOptions.to_params` gives the query parameters of the Kubernetes API.

:class:`ListWatch` makes a lister-watcher from two functions, or, with
:meth:`ListWatch.for_resource`, from a :class:`kclient.rest.RESTClient` resource:
namespace, label and field selectors are applied to every request, then the ``tweak``
hook may change the options further (client-go's ``TweakListOptionsFunc``).

Maps to client-go ``tools/cache/listwatch.go`` (``ListerWatcher``, ``ListWatch``,
``NewFilteredListWatchFromClient``) and ``metav1.ListOptions``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

__all__ = ["ListOptions", "ListWatch", "ListerWatcher", "TweakFunc"]


@dataclass(slots=True)
class ListOptions:
    """Parameters of a list or watch request (``metav1.ListOptions``)."""

    resource_version: str = ""
    resource_version_match: str = ""
    limit: int = 0
    continue_: str = ""
    timeout_seconds: int | None = None
    allow_watch_bookmarks: bool = False
    send_initial_events: bool | None = None
    label_selector: str = ""
    field_selector: str = ""
    #: client side only: the reflector's memo of unchanged parts, for the watch's
    #: decoder (see :class:`kclient.serializers.StreamDecoder`); a ListerWatcher may
    #: ignore it
    reuse: dict | None = field(default=None, repr=False, compare=False)

    def to_params(self) -> dict[str, str]:
        """The query parameters of this request, by their API names."""
        params: dict[str, str] = {}
        if self.resource_version:
            params["resourceVersion"] = self.resource_version
        if self.resource_version_match:
            params["resourceVersionMatch"] = self.resource_version_match
        if self.limit:
            params["limit"] = str(self.limit)
        if self.continue_:
            params["continue"] = self.continue_
        if self.timeout_seconds is not None:
            params["timeoutSeconds"] = str(self.timeout_seconds)
        if self.allow_watch_bookmarks:
            params["allowWatchBookmarks"] = "true"
        if self.send_initial_events is not None:
            params["sendInitialEvents"] = "true" if self.send_initial_events else "false"
        if self.label_selector:
            params["labelSelector"] = self.label_selector
        if self.field_selector:
            params["fieldSelector"] = self.field_selector
        return params

    def copy(self, **changes: Any) -> ListOptions:
        return replace(self, **changes)


@runtime_checkable
class ListerWatcher(Protocol):
    """What a :class:`~kclient.informers.reflector.Reflector` lists and watches through."""

    async def list(self, options: ListOptions) -> dict[str, Any]: ...

    async def watch(self, options: ListOptions) -> AsyncIterator[dict[str, Any]]: ...


#: changes the options of every list and watch request in place
TweakFunc = Callable[[ListOptions], None]

ListFunc = Callable[[ListOptions], Awaitable[dict[str, Any]]]
WatchFunc = Callable[[ListOptions], Awaitable[AsyncIterator[dict[str, Any]]]]


class ListWatch:
    """A :class:`ListerWatcher` from a list function and a watch function.

    ``label_selector``, ``field_selector`` and ``tweak`` are applied to a copy of the
    options of every call, in that order.
    """

    def __init__(self, list_func: ListFunc, watch_func: WatchFunc, *,
                 label_selector: str = "", field_selector: str = "",
                 tweak: TweakFunc | None = None, description: str = "") -> None:
        self._list = list_func
        self._watch = watch_func
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.tweak = tweak
        self.description = description

    def _options(self, options: ListOptions) -> ListOptions:
        opts = replace(options)
        if self.label_selector:
            opts.label_selector = self.label_selector
        if self.field_selector:
            opts.field_selector = self.field_selector
        if self.tweak is not None:
            self.tweak(opts)
        return opts

    async def list(self, options: ListOptions) -> dict[str, Any]:
        return await self._list(self._options(options))

    async def watch(self, options: ListOptions) -> AsyncIterator[dict[str, Any]]:
        return await self._watch(self._options(options))

    def __repr__(self) -> str:
        return f"ListWatch({self.description or '...'})"

    @classmethod
    def for_resource(cls, client: Any, api_version: str, resource: str,
                     namespace: str | None = None, *, label_selector: str = "",
                     field_selector: str = "", tweak: TweakFunc | None = None) -> ListWatch:
        """List and watch ``resource`` of ``api_version`` through a
        :class:`kclient.rest.RESTClient` (in ``namespace``, or in all namespaces)."""
        from ._rest import rest_list_watch

        return rest_list_watch(cls, client, api_version, resource, namespace,
                               label_selector=label_selector, field_selector=field_selector,
                               tweak=tweak)
