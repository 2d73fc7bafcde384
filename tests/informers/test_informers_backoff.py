"""Backoff, the reflector's backoff manager (reset after a healthy spell) and
RetryWithDeadline, on a fake clock; and the paged list."""

from __future__ import annotations

import random

import pytest
from informers_fakes import FakeApiError, gone

from kclient.informers import (
    Backoff,
    BackoffManager,
    ListOptions,
    RetryWithDeadline,
    list_all,
)
from kclient.informers.errors import (
    is_connection_refused,
    is_expired,
    is_internal_error,
    is_too_large_resource_version,
    is_too_many_requests,
    is_watch_error_retriable,
)
from kclient.workqueue import FakeClock


def test_backoff_doubles_to_the_cap_without_jitter() -> None:
    b = Backoff(0.8, 2.0, 0.0, cap=30.0)
    assert [round(b.step(), 3) for _ in range(9)] == [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0,
                                                      30.0, 30.0]


def test_backoff_jitter_stays_in_range() -> None:
    rand = random.Random(7)
    b = Backoff(0.8, 2.0, 1.0, cap=30.0, rand=rand)
    base = [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0]
    for d in base:
        got = b.step()
        assert d <= got < 2 * d


def test_backoff_steps_limit() -> None:
    b = Backoff(1.0, 3.0, steps=2)
    assert [b.step() for _ in range(4)] == [1.0, 3.0, 9.0, 9.0]


def test_manager_resets_after_a_healthy_period() -> None:
    clock = FakeClock()
    m = BackoffManager(jitter=0.0, clock=clock)
    assert m.next_delay() == 0.8
    clock.step(1)
    assert m.next_delay() == 1.6
    clock.step(100)
    assert m.next_delay() == 3.2  # 100 s since the last backoff began: no reset yet
    clock.step(121)
    assert m.next_delay() == 0.8  # more than two minutes: back to the start


def test_manager_default_settings_are_the_reflectors() -> None:
    clock = FakeClock()
    m = BackoffManager(clock=clock, rand=random.Random(1))
    delays = [m.next_delay() for _ in range(12)]
    assert 0.8 <= delays[0] < 1.6
    assert all(30.0 <= d < 60.0 for d in delays[7:])


async def test_manager_wait_sleeps_on_its_clock() -> None:
    import asyncio

    clock = FakeClock()
    m = BackoffManager(jitter=0.0, clock=clock)
    task = asyncio.ensure_future(m.wait())
    await asyncio.sleep(0)
    assert not task.done()
    clock.step(0.79)
    await asyncio.sleep(0)
    assert not task.done()
    clock.step(0.01)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert task.done()


def test_retry_with_deadline() -> None:
    clock = FakeClock()
    r = RetryWithDeadline(10.0, 60.0, is_internal_error, clock=clock)
    assert not r.should_retry()
    r.after(FakeApiError(500, "InternalError"))
    assert r.should_retry()
    clock.step(5)
    r.after(FakeApiError(500, "InternalError"))
    assert r.should_retry()
    clock.step(6)
    assert not r.should_retry()  # 11 s since the first error of the run
    r.after(FakeApiError(500, "InternalError"))
    assert r.should_retry()  # a new run started
    r.after(None)
    r.after(gone())
    assert r.should_retry()
    never = RetryWithDeadline(0.0, 60.0, is_internal_error, clock=clock)
    never.after(FakeApiError(500, "InternalError"))
    assert not never.should_retry()


def test_error_classification() -> None:
    assert is_expired(gone())
    assert is_expired(FakeApiError(410, "Gone"))
    assert is_expired(FakeApiError(410, "SomethingNew"))
    assert not is_expired(FakeApiError(410, "NotFound"))
    assert is_too_many_requests(FakeApiError(429, ""))
    assert is_internal_error(FakeApiError(500, ""))
    assert not is_internal_error(FakeApiError(500, "ServiceUnavailable"))
    assert is_too_large_resource_version(FakeApiError(
        504, "Timeout", "x", [{"reason": "ResourceVersionTooLarge"}]))
    assert is_too_large_resource_version(FakeApiError(
        504, "Timeout", "Timeout: Too large resource version: 5, current: 3"))
    assert not is_too_large_resource_version(FakeApiError(504, "Timeout", "slow"))
    refused = ConnectionRefusedError(111, "refused")
    assert is_connection_refused(refused)
    wrapped = RuntimeError("cannot connect")
    wrapped.__cause__ = refused
    assert is_watch_error_retriable(wrapped)
    assert not is_watch_error_retriable(ValueError("x"))
    assert not is_expired(None) and not is_expired(ValueError("x"))


# -- the pager --------------------------------------------------------------------


def pages(n, fail_on_continue=None):
    calls = []

    async def lister(opts: ListOptions):
        calls.append(opts)
        if fail_on_continue and opts.continue_ == fail_on_continue:
            raise gone()
        start = int(opts.continue_ or 0)
        limit = opts.limit or n
        items = [{"metadata": {"name": f"p{i}"}} for i in range(start, min(start + limit, n))]
        meta = {"resourceVersion": "42" if not opts.continue_ else "99"}
        if start + limit < n:
            meta["continue"] = str(start + limit)
        return {"apiVersion": "v1", "kind": "PodList", "metadata": meta, "items": items}

    return lister, calls


async def test_list_all_pages_and_keeps_first_resource_version() -> None:
    lister, calls = pages(1200)
    result = await list_all(lister, ListOptions(resource_version="0",
                                                resource_version_match=""), 500)
    assert len(result.items) == 1200 and result.paginated
    assert result.resource_version == "42"
    assert [c.limit for c in calls] == [500, 500, 500]
    assert [c.resource_version for c in calls] == ["0", "", ""]
    assert result.kind == "PodList"


async def test_list_all_single_page_is_not_paginated() -> None:
    lister, calls = pages(10)
    result = await list_all(lister, ListOptions(), 500)
    assert not result.paginated and len(result.items) == 10 and len(calls) == 1


async def test_list_all_falls_back_to_full_list_when_continue_expires() -> None:
    lister, calls = pages(1200, fail_on_continue="500")
    result = await list_all(lister, ListOptions(), 500)
    assert len(result.items) == 1200 and not result.paginated
    assert calls[-1].limit == 0 and calls[-1].continue_ == ""


async def test_list_all_raises_other_errors() -> None:
    async def broken(opts):
        raise FakeApiError(403, "Forbidden")

    with pytest.raises(FakeApiError):
        await list_all(broken, ListOptions(), 500)
