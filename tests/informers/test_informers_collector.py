"""The garbage-collector policy: nested pauses, freezing only while used, periodic
freezes from watch changes, the clean-up when the frozen set doubles, and unfreezing
after the last user."""

from __future__ import annotations

import gc

import pytest

from kclient.informers.collector import CacheCollector


@pytest.fixture(autouse=True)
def restore_gc():
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()


def test_pauses_nest_and_restore_the_previous_state() -> None:
    c = CacheCollector()
    gc.enable()
    c.pause()
    c.pause()
    assert not gc.isenabled()
    c.resume()
    assert not gc.isenabled()
    c.resume()
    assert gc.isenabled()
    c.resume()  # unbalanced resumes are ignored
    gc.disable()
    c.pause()
    c.resume()
    assert not gc.isenabled()  # it was off before: it stays off


def test_freezes_only_while_used_and_unfreezes_after_the_last_user() -> None:
    c = CacheCollector()
    gc.unfreeze()
    c.freeze()
    assert gc.get_freeze_count() == 0 and c.freezes == 0
    c.acquire()
    c.acquire()
    keep = [[i] for i in range(1000)]
    c.freeze()
    assert gc.get_freeze_count() >= 1000
    c.release()
    assert gc.get_freeze_count() >= 1000
    c.release()
    assert gc.get_freeze_count() == 0
    del keep


def test_watch_changes_freeze_every_n() -> None:
    c = CacheCollector(freeze_every=10)
    c.acquire()
    c.note_changes(9)
    assert c.freezes == 0
    c.note_changes(1)
    assert c.freezes == 1
    c.disable()
    c.note_changes(100)
    assert c.freezes == 1
    c.release()


def test_cleanup_when_the_frozen_set_doubles() -> None:
    c = CacheCollector(freeze_every=1, check_every=1, min_cleanup=0)
    c.acquire()
    gc.unfreeze()
    gc.collect()
    first = [[i] for i in range(5000)]
    c.note_changes(1)  # the first check sets the baseline
    assert c.cleanups == 0
    more = [[i] for i in range(4 * gc.get_freeze_count())]
    c.note_changes(1)
    assert c.cleanups == 1
    c.release()
    del first, more


def test_disabled_policy_does_nothing() -> None:
    c = CacheCollector()
    c.disable()
    c.acquire()
    c.freeze()
    assert c.freezes == 0
    c.enable()
    c.freeze()
    assert c.freezes == 1
    c.release()
