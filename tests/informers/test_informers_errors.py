"""The informers' error classification: the REST layer's predicates, re-exported, plus
the reflector's own (expired, too large resource version, retriable watch errors)."""

from __future__ import annotations

from typing import Any

import pytest
from informers_fakes import FakeApiError, gone, too_large_rv, too_many

import kclient.informers
import kclient.rest.errors as rest_errors
from kclient.informers import errors
from kclient.rest import ApiError


def api_error(fake: FakeApiError) -> ApiError:
    return ApiError(fake.status)


def caused_by(inner: BaseException) -> BaseException:
    outer = RuntimeError("list failed")
    outer.__cause__ = inner
    return outer


def test_every_public_name_is_still_importable() -> None:
    for name in errors.__all__:
        assert getattr(errors, name) is not None, name
    for name in ("StatusError", "CacheSyncError", "FIFOClosedError", "IndexNotFoundError",
                 "InformerStoppedError", "WatchListUnsupportedError"):
        assert getattr(kclient.informers, name) is getattr(errors, name)


def test_the_shared_predicates_are_the_rest_layers() -> None:
    for name in ("code_of", "reason_of", "status_of", "is_internal_error",
                 "is_too_many_requests"):
        assert getattr(errors, name) is getattr(rest_errors, name), name


def test_status_error_is_the_api_error() -> None:
    status = {"code": 410, "reason": "Expired", "message": "too old resource version"}
    err = errors.StatusError(status)
    assert isinstance(err, ApiError) and err.code == 410 and err.reason == "Expired"
    assert str(err) == "too old resource version"
    assert errors.is_expired(err) and rest_errors.is_gone(err)
    from_event = errors.error_from_status(status)
    assert isinstance(from_event, errors.StatusError) and from_event.status["code"] == 410
    assert errors.error_from_status({}).code == 0  # an ERROR event with no Status in it


FAKES = [gone(), too_many(), too_large_rv(), FakeApiError(410, "Gone"),
         FakeApiError(410, "SomethingNew"), FakeApiError(410, "NotFound"),
         FakeApiError(429, "Forbidden"), FakeApiError(500, ""),
         FakeApiError(500, "ServiceUnavailable"), FakeApiError(504, "SomethingNew",
                                                               "Too large resource version"),
         FakeApiError(504, "Timeout", "slow"), FakeApiError(504, "InternalError",
                                                            "Too large resource version")]
PREDICATES = [errors.is_expired, errors.is_internal_error, errors.is_too_large_resource_version,
              errors.is_too_many_requests, errors.is_watch_error_retriable]


@pytest.mark.parametrize("fake", FAKES, ids=lambda f: f"{f.status['code']}-{f.status['reason']}")
def test_a_fake_and_an_api_error_classify_alike(fake: FakeApiError) -> None:
    for predicate in PREDICATES:
        expected = predicate(api_error(fake))
        assert predicate(fake) == expected, predicate.__name__
        assert predicate(caused_by(fake)) == expected, predicate.__name__
        assert predicate(caused_by(api_error(fake))) == expected, predicate.__name__


def test_expired_is_gone_or_expired_or_an_unknown_410() -> None:
    assert errors.is_expired(gone()) and errors.is_expired(FakeApiError(410, "Gone"))
    assert errors.is_expired(FakeApiError(0, "Expired"))
    assert errors.is_expired(FakeApiError(410, "SomethingNew"))
    assert errors.is_expired(FakeApiError(410, ""))
    assert not errors.is_expired(FakeApiError(410, "NotFound"))
    assert not errors.is_expired(FakeApiError(404, "SomethingNew"))


def test_watch_errors_that_are_retried_without_a_relist() -> None:
    # any 429 counts, whatever its reason (upstream's IsTooManyRequests)
    assert errors.is_watch_error_retriable(FakeApiError(429, "Forbidden"))
    assert errors.is_watch_error_retriable(caused_by(too_many()))
    assert errors.is_watch_error_retriable(caused_by(ConnectionRefusedError(111, "refused")))
    assert not errors.is_watch_error_retriable(gone())


def test_too_large_resource_version() -> None:
    assert errors.is_too_large_resource_version(too_large_rv())
    # the cause alone is enough, whatever the reason
    assert errors.is_too_large_resource_version(FakeApiError(
        500, "InternalError", "x", [{"reason": "ResourceVersionTooLarge"}]))
    # older servers: a timeout (reason Timeout, or an unknown reason with 504) whose
    # cause or message says so
    assert errors.is_too_large_resource_version(FakeApiError(
        504, "Timeout", "x", [{"message": "Too large resource version"}]))
    assert errors.is_too_large_resource_version(FakeApiError(
        504, "SomethingNew", "Timeout: Too large resource version: 5, current: 3"))
    assert not errors.is_too_large_resource_version(FakeApiError(
        504, "InternalError", "Too large resource version"))
    assert not errors.is_too_large_resource_version(FakeApiError(
        500, "SomethingNew", "Too large resource version"))
    assert errors.is_too_large_resource_version(caused_by(too_large_rv()))


class Odd(Exception):
    def __init__(self, status: Any) -> None:
        super().__init__("odd")
        self.status = status


def test_the_predicates_never_raise() -> None:
    cycle_a, cycle_b = RuntimeError("a"), RuntimeError("b")
    cycle_a.__cause__, cycle_b.__cause__ = cycle_b, cycle_a
    cycle_a.__context__, cycle_b.__context__ = cycle_b, cycle_a
    odd = [None, ValueError("x"), cycle_a, Odd(None), Odd(404), Odd("Status"),
           Odd({"code": "abc", "reason": None, "message": 5}),
           Odd({"code": float("inf"), "details": "x"}),
           Odd({"code": 504, "reason": "Timeout", "details": {"causes": "x"}}),
           Odd({"code": 504, "reason": "Timeout", "details": {"causes": [None, 1, "x"]}}),
           Odd({"code": [], "reason": 7, "details": {"causes": None}, "message": None}),
           "not an exception", 3]
    for err in odd:
        for predicate in [*PREDICATES, errors.is_connection_refused, errors.is_stream_broken]:
            assert predicate(err) is False, (predicate.__name__, err)
        assert isinstance(errors.code_of(err), int) and isinstance(errors.reason_of(err), str)


def test_an_error_without_a_status_is_no_api_error() -> None:
    class HasCode(Exception):
        code = 500
        status_code = 429
        reason = "InternalError"

    for predicate in PREDICATES:
        assert not predicate(HasCode()), predicate.__name__
    assert errors.code_of(HasCode()) == 0 and errors.reason_of(HasCode()) == ""
