"""konfig: a typed configuration object, hot-reloaded from one ConfigMap.

A service describes its configuration as a dataclass; konfig keeps an instance of it
built from a ConfigMap and replaces it whenever the ConfigMap changes::

    @dataclass(frozen=True)
    class Settings:
        log_level: Literal["debug", "info", "warning"] = "info"
        workers: int = 4
        timeout: timedelta = timedelta(seconds=30)
        upstreams: list[str] = field(default_factory=list)

    async with Konfig(client, Settings, namespace="shop", name="cart-config") as konfig:
        konfig.on_change(lambda old, new: log.info("workers %s -> %s", ...))
        ...
        settings = konfig.current          # always one complete version

Two ways to lay out the ConfigMap:

* ``key="config.yaml"``: one key holds a YAML document whose keys are the fields
  (nested dataclasses, lists and maps as YAML structures);
* ``key=None``: each ConfigMap key is one field, its string value parsed for the
  field's type: ``str`` as is; ``int`` like Go's ``strconv.ParseInt(s, 0, 64)``
  (``42``, ``0x2A``, ``1_000``); ``float`` like ``strconv.ParseFloat``; ``bool`` like
  ``strconv.ParseBool`` (``true``/``false``, ``1``/``0``, ``t``/``f``...);
  ``timedelta`` like ``time.ParseDuration`` (``1m30s``); lists, tuples, maps and
  nested dataclasses as YAML (``[a, b]``).

YAML is read with Kubernetes' own semantics (:mod:`kclient.serializers.yaml_codec`),
and typed strictly, as Go's JSON decoding is: a string is not an int. Field names are
the YAML keys unless a field says otherwise with ``field(metadata={"key": "logLevel"})``;
unknown keys are errors unless ``strict=False``.

Guarantees:

* a new version is built completely (parsed, typed, the dataclass's ``__post_init__``
  run, the ``validate`` hook passed) before it replaces the old one in a single
  assignment, so readers of :attr:`Konfig.current` or :attr:`Konfig.snapshot` always see
  one whole version; :attr:`Konfig.snapshot` gives the config with its ConfigMap
  ``resourceVersion`` and a generation counter that grows by one per new version;
* an invalid version is rejected: a warning names the key and field at fault, the
  status turns ``REJECTED`` with that reason, the ``on_reject`` callbacks run, and the
  last good configuration stays in force;
* deleting the ConfigMap keeps the last good configuration in force: the status turns
  ``DELETED``, a warning is logged and the ``on_delete`` callbacks run; recreating it
  loads it again;
* callbacks (``on_change(old, new)``, ``on_reject(error)``, ``on_delete(last_good)``)
  may be plain functions or coroutine functions; they run one at a time, in the order
  of the ConfigMap's versions, after the new state is visible; one that raises is
  logged and does not affect the configuration or the other callbacks;
* a version whose data gives a configuration equal to the one in force (only
  metadata changed, or a recreate with the same data) updates the resourceVersion and
  status but is not a new generation and calls no ``on_change``.

The parsing lives in :mod:`konfig_parsing` (no I/O, usable alone); this module adds
the informer, the atomic swap, the status and the callbacks, and re-exports the rest.

konfig runs on one shared informer that lists and watches just that ConfigMap (its
namespace and a ``metadata.name=<name>`` field selector, as client-go's single-object
list-watch does), so it gets every version through one watch and recovers by itself
from dropped connections and expired resource versions.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from konfig_parsing import (
    KonfigError,
    build_config,
    check_type,
    parse_bool,
    parse_duration,
    parse_float,
    parse_int,
)

from kclient.informers import (
    EventHandler,
    ListOptions,
    SharedInformerFactory,
    unwrap_tombstone,
)

__all__ = [
    "Konfig",
    "KonfigError",
    "Snapshot",
    "State",
    "Status",
    "build_config",
    "check_type",
    "parse_bool",
    "parse_duration",
    "parse_float",
    "parse_int",
]

log = logging.getLogger(__name__)

T = TypeVar("T")


# ---------------------------------------------------------------------------- state

class State(enum.Enum):
    """Where a :class:`Konfig` stands."""

    PENDING = "Pending"    #: no version loaded yet (not synced, or the ConfigMap is absent)
    LOADED = "Loaded"      #: the latest version of the ConfigMap is in force
    REJECTED = "Rejected"  #: the latest version was invalid; the last good one is in force
    DELETED = "Deleted"    #: the ConfigMap is gone; the last good version is in force


@dataclasses.dataclass(frozen=True)
class Snapshot(Generic[T]):
    """One configuration in force, with where it came from. Replaced whole, never
    changed: read ``konfig.snapshot`` once to get a consistent triple."""

    config: T
    resource_version: str  #: of the ConfigMap it was built from ("" for the default)
    generation: int        #: 1 for the first version loaded, +1 for each new one
    loaded_at: float       #: time.time() when it came into force


@dataclasses.dataclass(frozen=True)
class Status:
    """What a service reports about its configuration (e.g. on a health endpoint)."""

    state: State
    reason: str
    message: str
    generation: int = 0
    resource_version: str = ""           #: of the configuration in force
    observed_resource_version: str = ""  #: of the latest ConfigMap version seen
    error: KonfigError | None = None
    last_transition_time: float = dataclasses.field(default_factory=time.time)

    @property
    def healthy(self) -> bool:
        """True when the latest version of the ConfigMap is the one in force."""
        return self.state is State.LOADED

    def as_condition(self, condition_type: str = "ConfigLoaded") -> dict[str, str]:
        """The status as a Kubernetes-style condition."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.last_transition_time))
        return {"type": condition_type, "status": "True" if self.healthy else "False",
                "reason": self.reason, "message": self.message,
                "lastTransitionTime": stamp}


Callback = Callable[..., Any]


class Konfig(Generic[T]):
    """The configuration of type ``config_type`` built from ConfigMap ``name`` in
    ``namespace``, kept up to date; see the module docstring.

    ``client`` is a :class:`kclient.rest.RESTClient`. ``key`` selects the YAML layout
    (None: one key per field). ``validate`` is an extra check (see
    :func:`build_config`). ``default`` is the configuration in force (generation 0)
    until the ConfigMap is first loaded. ``on_change``, ``on_reject`` and
    ``on_delete`` register a first callback of each kind.
    """

    def __init__(self, client: Any, config_type: type[T], *, namespace: str, name: str,
                 key: str | None = None, strict: bool = True,
                 validate: Callable[[T], Any] | None = None, default: T | None = None,
                 on_change: Callback | None = None, on_reject: Callback | None = None,
                 on_delete: Callback | None = None) -> None:
        if not (dataclasses.is_dataclass(config_type) and isinstance(config_type, type)):
            raise TypeError(f"config_type must be a dataclass type, got {config_type!r}")
        check_type(config_type)
        self.client = client
        self.config_type = config_type
        self.namespace = namespace
        self.name = name
        self.key = key
        self.strict = strict
        self.validate = validate
        self._on_change: list[Callback] = [on_change] if on_change else []
        self._on_reject: list[Callback] = [on_reject] if on_reject else []
        self._on_delete: list[Callback] = [on_delete] if on_delete else []
        self._snapshot: Snapshot[T] | None = (
            Snapshot(default, "", 0, time.time()) if default is not None else None)
        self._status = Status(State.PENDING, "WaitingForSync",
                              f"waiting for the first list of ConfigMap {self.object_key}")
        self._changed = asyncio.Event()
        self._factory: SharedInformerFactory | None = None
        self._informer: Any = None
        self._registration: Any = None

    def __repr__(self) -> str:
        return (f"<Konfig {self.config_type.__name__} from ConfigMap {self.object_key}: "
                f"{self._status.state.value}, generation {self.generation}>")

    @property
    def object_key(self) -> str:
        return f"{self.namespace}/{self.name}"

    # -- what the service reads ---------------------------------------------------

    @property
    def snapshot(self) -> Snapshot[T] | None:
        """The configuration in force with its resourceVersion and generation."""
        return self._snapshot

    @property
    def current(self) -> T | None:
        """The configuration in force (None until one is loaded, without a default)."""
        snap = self._snapshot
        return snap.config if snap is not None else None

    @property
    def resource_version(self) -> str:
        snap = self._snapshot
        return snap.resource_version if snap is not None else ""

    @property
    def generation(self) -> int:
        snap = self._snapshot
        return snap.generation if snap is not None else 0

    @property
    def status(self) -> Status:
        return self._status

    @property
    def informer(self) -> Any:
        """The shared informer watching the ConfigMap (None before :meth:`start`)."""
        return self._informer

    # -- callbacks ---------------------------------------------------------------------

    def on_change(self, callback: Callback) -> Callback:
        """Call ``callback(old, new)`` when a new configuration comes into force (old
        is None for the first one without a default). Usable as a decorator."""
        self._on_change.append(callback)
        return callback

    def on_reject(self, callback: Callback) -> Callback:
        """Call ``callback(error)`` with the :class:`KonfigError` of a rejected version."""
        self._on_reject.append(callback)
        return callback

    def on_delete(self, callback: Callback) -> Callback:
        """Call ``callback(last_good)`` when the ConfigMap is deleted (last_good: the
        configuration that stays in force, or None)."""
        self._on_delete.append(callback)
        return callback

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> None:
        """Start watching the ConfigMap (on the running event loop)."""
        if self._factory is not None:
            return
        selector = f"metadata.name={self.name}"

        def only_this_configmap(options: ListOptions) -> None:
            options.field_selector = selector

        self._factory = SharedInformerFactory(self.client, namespace=self.namespace,
                                              tweak=only_this_configmap)
        self._informer = informer = self._factory.informer("v1", "configmaps")
        self._registration = informer.add_event_handler(EventHandler(
            on_add=self._handle_add, on_update=self._handle_update,
            on_delete=self._handle_delete))
        self._factory.start()

    async def wait_for_sync(self, timeout: float | None = None) -> None:
        """Wait until the first list has been handled: afterwards the ConfigMap is
        loaded (or rejected), or the status says it was not found."""
        if self._factory is None:
            raise RuntimeError("Konfig.start() has not been called")
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        await self._factory.wait_for_cache_sync(timeout)
        remaining = None if deadline is None else max(0.0, deadline - loop.time())
        # the handler has seen the initial list once its registration has synced
        await self.wait_for(lambda _: bool(self._registration.has_synced), remaining,
                            poll=0.02)
        if self._status.reason == "WaitingForSync":
            message = f"ConfigMap {self.object_key} does not exist"
            if self._snapshot is not None:
                message += "; the default configuration is in force"
            log.warning("%s", message)
            self._set_status(State.PENDING, "ConfigMapNotFound", message)

    async def wait_for(self, predicate: Callable[[Status], bool],
                       timeout: float | None = None, *, poll: float | None = None) -> Status:
        """Wait until ``predicate(status)`` holds (checked at every change of state);
        raise TimeoutError after ``timeout`` seconds."""
        async def wait() -> Status:
            while not predicate(self._status):
                try:
                    await asyncio.wait_for(self._changed.wait(), poll)
                except TimeoutError:
                    pass
            return self._status

        return await asyncio.wait_for(wait(), timeout)

    async def wait_until_loaded(self, timeout: float | None = None) -> T:
        """Wait until a configuration from the ConfigMap is in force, and return it."""
        await self.wait_for(lambda s: s.generation > 0 and s.resource_version != "",
                            timeout)
        config = self.current
        assert config is not None
        return config

    async def stop(self) -> None:
        if self._factory is not None:
            await self._factory.shutdown()

    async def __aenter__(self) -> Konfig[T]:
        self.start()
        try:
            await self.wait_for_sync()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- reacting to the ConfigMap -------------------------------------------------

    async def _handle_add(self, obj: dict[str, Any], is_initial: bool) -> None:
        await self._apply(obj)

    async def _handle_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if _rv(new) != self._status.observed_resource_version:
            await self._apply(new)

    async def _handle_delete(self, obj: Any) -> None:
        last = unwrap_tombstone(obj)
        snap = self._snapshot
        if snap is not None:
            message = (f"ConfigMap {self.object_key} was deleted; keeping the last good "
                       f"configuration (generation {snap.generation}, resourceVersion "
                       f"{snap.resource_version or 'none: the default'})")
        else:
            message = f"ConfigMap {self.object_key} was deleted; no configuration is loaded"
        log.warning("%s", message)
        rv = _rv(last) if isinstance(last, dict) else ""
        self._set_status(State.DELETED, "ConfigMapDeleted", message, observed=rv)
        await self._call(self._on_delete, self.current)

    async def _apply(self, obj: dict[str, Any]) -> None:
        rv = _rv(obj)
        try:
            config = build_config(self.config_type, obj.get("data"), key=self.key,
                                  strict=self.strict, validate=self.validate)
        except KonfigError as err:
            snap = self._snapshot
            kept = (f"keeping generation {snap.generation} (resourceVersion "
                    f"{snap.resource_version or 'none: the default'})" if snap is not None
                    else "no configuration is loaded")
            message = (f"rejected ConfigMap {self.object_key} at resourceVersion {rv}: "
                       f"{err}; {kept}")
            log.warning("%s", message)
            self._set_status(State.REJECTED, "InvalidConfig", message, observed=rv,
                             error=err)
            await self._call(self._on_reject, err)
            return
        old = self._snapshot
        if old is not None and old.resource_version and _equal(old.config, config):
            self._snapshot = dataclasses.replace(old, resource_version=rv)
            message = (f"ConfigMap {self.object_key} at resourceVersion {rv}: configuration "
                       f"unchanged (generation {old.generation})")
            log.info("%s", message)
            self._set_status(State.LOADED, "Unchanged", message, observed=rv)
            return
        generation = (old.generation if old is not None else 0) + 1
        self._snapshot = Snapshot(config, rv, generation, time.time())
        message = (f"loaded ConfigMap {self.object_key} at resourceVersion {rv} as "
                   f"generation {generation}")
        log.info("%s", message)
        self._set_status(State.LOADED, "Loaded", message, observed=rv)
        await self._call(self._on_change, old.config if old is not None else None, config)

    def _set_status(self, state: State, reason: str, message: str, *, observed: str | None = None,
                    error: KonfigError | None = None) -> None:
        previous = self._status
        snap = self._snapshot
        self._status = Status(
            state, reason, message,
            generation=snap.generation if snap is not None else 0,
            resource_version=snap.resource_version if snap is not None else "",
            observed_resource_version=(previous.observed_resource_version
                                       if observed is None else observed),
            error=error,
            last_transition_time=(previous.last_transition_time
                                  if previous.state is state else time.time()))
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _call(self, callbacks: list[Callback], *args: Any) -> None:
        for callback in list(callbacks):
            try:
                result = callback(*args)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("konfig callback %r for ConfigMap %s failed",
                              callback, self.object_key)


def _rv(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an __eq__ that fails means "different"
        return False

