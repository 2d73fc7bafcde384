"""Informers: a local, always up to date cache of Kubernetes objects, with event handlers.

The data path::

    ListerWatcher --list, then watch--> Reflector --deltas--> RealFIFO (or DeltaFIFO)
        --pop--> SharedIndexInformer --> Indexer (the cache, read through Listers)
                                     `-> each handler's own buffer and task

* :class:`SharedInformerFactory`: one shared informer per resource, for controllers;
* :class:`SharedIndexInformer`: reflector + queue + indexer + handler fan-out;
* :class:`EventHandler`, :func:`unwrap_tombstone`: what handlers are made of;
* :class:`Reflector`, :class:`ListWatch` / :class:`ListerWatcher`: list-then-watch;
* :class:`DeltaFIFO`, :class:`RealFIFO`: the queues between reflector and informer;
* :class:`Indexer`, :class:`Lister`: the cache and its read-only views;
* :data:`COLLECTOR`: how informers keep Python's cyclic garbage collector off their
  caches (``COLLECTOR.disable()`` to opt out).

Semantics follow client-go's ``tools/cache``; each module says how it maps.
"""

from kclient.meta import DeletedFinalStateUnknown

from .backoff import Backoff, BackoffManager, RetryWithDeadline
from .collector import COLLECTOR, CacheCollector
from .delta_fifo import DeltaFIFO
from .deltas import Delta, DeltaType
from .errors import (
    CacheSyncError,
    FIFOClosedError,
    IndexNotFoundError,
    InformerStoppedError,
    StatusError,
    WatchListUnsupportedError,
)
from .factory import SharedInformerFactory
from .handlers import (
    EventHandler,
    FilteringEventHandler,
    ResourceEventHandler,
    unwrap_tombstone,
)
from .lister import Lister, NamespaceLister
from .listwatch import ListerWatcher, ListOptions, ListWatch
from .pager import list_all
from .processor import HandlerRegistration
from .real_fifo import RealFIFO
from .reflector import Reflector, default_watch_error_handler
from .shared_informer import SharedIndexInformer, SharedInformer
from .store import NAMESPACE_INDEX, Indexer, namespace_index_func, object_key
from .transforms import drop_managed_fields

__all__ = [
    "COLLECTOR",
    "NAMESPACE_INDEX",
    "Backoff",
    "BackoffManager",
    "CacheCollector",
    "CacheSyncError",
    "DeletedFinalStateUnknown",
    "Delta",
    "DeltaFIFO",
    "DeltaType",
    "EventHandler",
    "FIFOClosedError",
    "FilteringEventHandler",
    "HandlerRegistration",
    "IndexNotFoundError",
    "Indexer",
    "InformerStoppedError",
    "ListOptions",
    "ListWatch",
    "Lister",
    "ListerWatcher",
    "NamespaceLister",
    "RealFIFO",
    "Reflector",
    "ResourceEventHandler",
    "RetryWithDeadline",
    "SharedIndexInformer",
    "SharedInformer",
    "SharedInformerFactory",
    "StatusError",
    "WatchListUnsupportedError",
    "default_watch_error_handler",
    "drop_managed_fields",
    "list_all",
    "namespace_index_func",
    "object_key",
    "unwrap_tombstone",
]
