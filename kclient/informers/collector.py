"""Keeping Python's cyclic garbage collector off the informers' caches.

An informer's cache is a large, long-lived, acyclic tree of dicts and lists. CPython's
generational collector does not know that: it walks young objects every few hundred
allocations and, whenever the long-lived objects have grown by a quarter, walks all
of them. With a cache of 10,000 pods (a million containers) each full walk takes
about half a second, and a steady stream of watch events (each leaving a hundred new
long-lived containers in the cache) triggers one every few hundred events: measured
in benchmarks/informer.py, the collector alone cut delivery from about 16,000 to 5,000
events/s and tripled the time to sync.

What informers do about it, through the process-wide :data:`COLLECTOR`:

* a streaming initial list is received with the collector paused (a list response is
  already decoded with it paused, by the codecs);
* right after a full list arrives, :func:`gc.freeze` moves everything then tracked,
  the new list included, into the permanent generation, which collections skip (a
  frozen object is still freed as usual when its last reference goes, so replaced
  cache entries do not linger);
* while watching, after every ``freeze_every`` applied changes the young generations
  are collected (cheap: they are small) and the survivors frozen, so the long-lived
  generation the collector walks stays small;
* the price of freezing is that cyclic garbage frozen before it was collected is kept
  until an unfreeze. To bound it, when the permanent generation has doubled since the
  last clean-up, one full collection runs (unfreeze, collect, freeze again): amortized,
  a constant cost per object. When the last informer using the collector stops,
  everything is unfrozen.

Invariants: pauses nest (concurrent streaming lists), and the collector is enabled
again after the last one exactly if it was enabled before the first; nothing here
changes the collector's thresholds; with :meth:`CacheCollector.disable` (or an
informer's ``gc_freeze=False``) none of this happens.

There is no client-go counterpart: Go's collector does not walk a heap generation by
generation. See the informer benchmark for what each measure buys.
"""

from __future__ import annotations

import gc
import logging

__all__ = ["COLLECTOR", "CacheCollector"]

log = logging.getLogger(__name__)


class CacheCollector:
    """The process-wide policy; see the module docstring."""

    def __init__(self, freeze_every: int = 500, check_every: int = 100_000,
                 min_cleanup: int = 200_000) -> None:
        self.enabled = True
        self.freeze_every = freeze_every
        self.check_every = check_every
        self.min_cleanup = min_cleanup
        self._pauses = 0
        self._was_enabled = False
        self._users = 0
        self._pending = 0
        self._baseline = 0
        self._unchecked = 0
        self.freezes = 0
        self.cleanups = 0

    def disable(self) -> None:
        """Stop managing the collector (what was frozen stays frozen until unfrozen)."""
        self.enabled = False

    def enable(self) -> None:
        self.enabled = True

    # -- users ------------------------------------------------------------------------

    def acquire(self) -> None:
        """A reflector starts using the policy (nothing is frozen without one)."""
        self._users += 1

    def release(self) -> None:
        """A reflector stops; after the last one, everything is unfrozen."""
        self._users = max(0, self._users - 1)
        if self._users == 0 and self.freezes:
            gc.unfreeze()
            self._baseline = 0
            self._pending = 0
            self._unchecked = 0

    # -- pausing ------------------------------------------------------------------------

    def pause(self) -> None:
        if self._pauses == 0:
            self._was_enabled = gc.isenabled()
            gc.disable()
        self._pauses += 1

    def resume(self) -> None:
        if self._pauses <= 0:
            return
        self._pauses -= 1
        if self._pauses == 0 and self._was_enabled:
            gc.enable()

    # -- freezing -----------------------------------------------------------------------

    def freeze(self) -> None:
        """After a full list: freeze everything now tracked."""
        if not self.enabled or not self._users:
            return
        gc.freeze()
        self.freezes += 1
        self._pending = 0

    def note_changes(self, count: int) -> None:
        """Report ``count`` cache changes applied from watch events."""
        if not self.enabled or not self._users:
            return
        self._pending += count
        if self._pending < self.freeze_every:
            return
        count_since, self._pending = self._pending, 0
        if gc.isenabled():
            gc.collect(1)  # the young generations only: a few thousand objects
        gc.freeze()
        self.freezes += 1
        self._unchecked += count_since
        if self._unchecked >= self.check_every:
            self._check_growth()

    def _check_growth(self) -> None:
        self._unchecked = 0
        frozen = gc.get_freeze_count()  # walks the permanent generation: not too often
        if not self._baseline:
            self._baseline = frozen
        elif frozen > 2 * self._baseline and frozen > self.min_cleanup:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.cleanups += 1
            self._baseline = gc.get_freeze_count()
            log.debug("full collection after the frozen objects doubled: %d now frozen",
                      self._baseline)


#: the policy every informer uses (one per process, like the collector itself)
COLLECTOR = CacheCollector()
