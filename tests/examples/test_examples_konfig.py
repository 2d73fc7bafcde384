"""examples/konfig: parsing and coercion, and the whole life of a ConfigMap end to end
against the embedded API server (load, update, invalid update, delete, recreate)."""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, Optional

import pytest

from kclient.rest import RESTClient
from kclient.testing import APIServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "konfig"
# the example's folder is on the path only while its modules are imported, so that
# its main.py never shadows another example's
sys.path.insert(0, str(EXAMPLE))
try:
    from konfig import (
        Konfig,
        KonfigError,
        State,
        build_config,
        parse_bool,
        parse_duration,
        parse_float,
        parse_int,
    )
finally:
    sys.path.remove(str(EXAMPLE))

#: bounds every wait; reached only if something hangs
WAIT = 60.0
NS = "default"


# ------------------------------------------------------------------------ the types

class Mode(enum.Enum):
    FAST = "fast"
    SAFE = "safe"


@dataclass(frozen=True)
class Limits:
    rps: float = 10.0
    burst: int = 20


@dataclass(frozen=True)
class Settings:
    name: str = "svc"
    workers: int = 4
    ratio: float = 0.5
    debug: bool = False
    timeout: timedelta = timedelta(seconds=30)
    level: Literal["info", "debug"] = "info"
    mode: Mode = Mode.SAFE
    tags: list[str] = field(default_factory=list)
    ports: tuple[int, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    owner: Optional[str] = None  # noqa: UP045 - the typing.Optional spelling is supported too
    retries: int | None = None
    log_format: str = field(default="text", metadata={"key": "logFormat"})

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")


@dataclass(frozen=True)
class Required:
    endpoint: str
    port: int = 80


@dataclass(frozen=True)
class Pair:
    """Each version the tests write keeps ``a == b``: a torn read would break it."""

    a: int = 0
    b: int = 0
    note: str = ""


# ------------------------------------------------------------- Go-style scalar parsing

@pytest.mark.parametrize("text", ["1", "t", "T", "TRUE", "true", "True"])
def test_parse_bool_true(text: str) -> None:
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["0", "f", "F", "FALSE", "false", "False"])
def test_parse_bool_false(text: str) -> None:
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["", "yes", "no", "on", "tRUE", " true", "2"])
def test_parse_bool_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid bool"):
        parse_bool(text)


@pytest.mark.parametrize("text,value", [
    ("42", 42), ("-7", -7), ("+3", 3), ("0", 0), ("0x2A", 42), ("0X2a", 42),
    ("0o17", 15), ("017", 15), ("0b101", 5), ("1_000", 1000), ("0x_ff", 255),
    ("9223372036854775807", 2 ** 63 - 1), ("-9223372036854775808", -2 ** 63),
])
def test_parse_int(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1.5", "08", "_1", "1_", "1__0", "0x",
                                  " 1", "9223372036854775808", "1e3"])
def test_parse_int_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid int"):
        parse_int(text)


@pytest.mark.parametrize("text,value", [
    ("0.5", 0.5), ("1e3", 1000.0), ("-.5", -0.5), ("1.", 1.0), ("+2", 2.0),
    ("0x1p-2", 0.25), ("1E-3", 0.001),
])
def test_parse_float(text: str, value: float) -> None:
    assert parse_float(text) == value


def test_parse_float_specials() -> None:
    assert parse_float("inf") == math.inf
    assert parse_float("-Infinity") == -math.inf
    assert parse_float("+INF") == math.inf
    assert math.isnan(parse_float("NaN"))


@pytest.mark.parametrize("text", ["", "abc", "1_0", " 1", "1e400", "0x1", "1,5", "--1"])
def test_parse_float_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid float"):
        parse_float(text)


@pytest.mark.parametrize("text,value", [
    ("0", timedelta(0)), ("30s", timedelta(seconds=30)), ("1h30m", timedelta(minutes=90)),
    ("1.5s", timedelta(seconds=1.5)), ("-300ms", timedelta(milliseconds=-300)),
    ("2us", timedelta(microseconds=2)), ("2\u00b5s", timedelta(microseconds=2)),
    ("1500ns", timedelta(microseconds=2)), (".5m", timedelta(seconds=30)),
    ("1h0m0.25s", timedelta(hours=1, seconds=0.25)), ("+5s", timedelta(seconds=5)),
])
def test_parse_duration(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value


@pytest.mark.parametrize("text,match", [
    ("", "invalid duration"), ("5", "missing unit"), ("1x", "unknown unit 'x'"),
    ("-", "invalid duration"), (".s", "invalid duration"), ("1d", "unknown unit 'd'"),
    ("3000000h", "out of range"),
])
def test_parse_duration_rejects(text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_duration(text)


# ----------------------------------------------------- key/value layout: each type

def test_key_value_every_type() -> None:
    config = build_config(Settings, {
        "name": "cart", "workers": "0x10", "ratio": "2.5e-1", "debug": "T",
        "timeout": "1m30s", "level": "debug", "mode": "fast", "tags": "[a, b]",
        "ports": "[80, 443]", "labels": "{tier: web}", "limits": "{rps: 5, burst: 7}",
        "owner": "team-a", "retries": "3", "logFormat": "json",
    })
    assert config == Settings(
        name="cart", workers=16, ratio=0.25, debug=True, timeout=timedelta(seconds=90),
        level="debug", mode=Mode.FAST, tags=["a", "b"], ports=(80, 443),
        labels={"tier": "web"}, limits=Limits(rps=5.0, burst=7), owner="team-a",
        retries=3, log_format="json")
    assert isinstance(config.limits.rps, float)


def test_key_value_missing_keys_take_defaults() -> None:
    assert build_config(Settings, {}) == Settings()
    assert build_config(Settings, None) == Settings()


def test_key_value_optional_empty_is_none() -> None:
    config = build_config(Settings, {"retries": "", "owner": ""})
    assert config.retries is None
    assert config.owner == ""  # a string field keeps the empty string


def test_key_value_enum_by_name() -> None:
    assert build_config(Settings, {"mode": "FAST"}).mode is Mode.FAST


def test_key_value_block_yaml_list() -> None:
    assert build_config(Settings, {"tags": "- a\n- b\n"}).tags == ["a", "b"]


@pytest.mark.parametrize("data,key,field_path,reason", [
    ({"workers": "many"}, "workers", "workers", "invalid int 'many'"),
    ({"ratio": "half"}, "ratio", "ratio", "invalid float 'half'"),
    ({"debug": "yes"}, "debug", "debug", "invalid bool 'yes'"),
    ({"timeout": "10"}, "timeout", "timeout", "missing unit"),
    ({"level": "warn"}, "level", "level", "expected one of 'info', 'debug'"),
    ({"mode": "slow"}, "mode", "mode", "expected one of 'fast', 'safe'"),
    ({"tags": "[a, [b]]"}, "tags", "tags[1]", "expected str, got list"),
    ({"tags": "a: b"}, "tags", "tags", "expected a list, got mapping"),
    ({"tags": "[a"}, "tags", "tags", "invalid YAML"),
    ({"ports": "[80, x]"}, "ports", "ports[1]", "expected int, got string 'x'"),
    ({"labels": "{a: 1}"}, "labels", "labels['a']", "expected str, got int 1"),
    ({"limits": "{burst: many}"}, "limits", "limits.burst", "expected int"),
    ({"limits": "{rps: 1, extra: 2}"}, "limits", "limits.extra", "unknown field"),
    ({"retries": "x"}, "retries", "retries", "invalid int 'x'"),
    ({"bogus": "1"}, "bogus", "bogus", "unknown field"),
])
def test_key_value_errors_name_the_key(data: dict[str, str], key: str, field_path: str,
                                       reason: str) -> None:
    with pytest.raises(KonfigError) as info:
        build_config(Settings, data)
    err = info.value
    assert err.key == key
    assert err.field == field_path
    assert reason in err.reason
    assert repr(key) in str(err) and reason in str(err)


def test_key_value_unknown_keys_allowed_when_not_strict() -> None:
    assert build_config(Settings, {"bogus": "1", "workers": "2"}, strict=False).workers == 2


def test_required_field_missing() -> None:
    with pytest.raises(KonfigError, match="required field of Required is missing") as info:
        build_config(Required, {"port": "8080"})
    assert info.value.key == "endpoint"
    assert build_config(Required, {"endpoint": "db"}) == Required("db", 80)


def test_post_init_rejection_is_reported() -> None:
    with pytest.raises(KonfigError, match="workers must be at least 1, got 0"):
        build_config(Settings, {"workers": "0"})


# ------------------------------------------------------------------ YAML layout

YAML_DOC = """\
name: cart
workers: 8
ratio: 1           # an int is a valid float
debug: on          # YAML 1.1 booleans, as Kubernetes reads them
timeout: 45s
level: debug
mode: fast
tags: [a, b]
ports: [80, 443]
labels: {tier: web}
limits:
  rps: 2.5
owner: null
logFormat: json
"""


def test_yaml_every_type() -> None:
    config = build_config(Settings, {"config.yaml": YAML_DOC, "other": "ignored"},
                          key="config.yaml")
    assert config == Settings(
        name="cart", workers=8, ratio=1.0, debug=True, timeout=timedelta(seconds=45),
        level="debug", mode=Mode.FAST, tags=["a", "b"], ports=(80, 443),
        labels={"tier": "web"}, limits=Limits(rps=2.5), owner=None, log_format="json")


def test_yaml_reads_as_kubernetes_does() -> None:
    """``y``, ``no`` and ``on`` are booleans in the YAML Kubernetes reads: a list of
    strings holding them is a type error naming the item, not a silent surprise."""
    with pytest.raises(KonfigError, match=r"field 'tags\[1\]': expected str, got bool True"):
        build_config(Settings, {"c": "tags: [x, y]"}, key="c")
    assert build_config(Settings, {"c": "tags: [x, 'y']"}, key="c").tags == ["x", "y"]
    assert build_config(Settings, {"c": "ports: [0x50, 0o17]"}, key="c").ports == (80, 15)


def test_yaml_empty_document_gives_defaults() -> None:
    assert build_config(Settings, {"c": ""}, key="c") == Settings()
    assert build_config(Settings, {"c": "# nothing set\n"}, key="c") == Settings()


def test_yaml_null_takes_the_default() -> None:
    assert build_config(Settings, {"c": "workers: null\nname:\n"}, key="c") == Settings()


@pytest.mark.parametrize("doc,field_path,reason", [
    ("workers: '8'", "workers", "expected int, got string '8'"),
    ("workers: 1.5", "workers", "expected int, got float 1.5"),
    ("workers: true", "workers", "expected int, got bool True"),
    ("ratio: x", "ratio", "expected float, got string 'x'"),
    ("debug: 1", "debug", "expected bool, got int 1"),
    ("name: 5", "name", "expected str, got int 5"),
    ("timeout: 5", "timeout", "expected a duration string"),
    ("timeout: 5 parsecs", "timeout", "unknown unit"),
    ("tags: [a, 1]", "tags[1]", "expected str, got int 1"),
    ("ports: [1, 2, x]", "ports[2]", "expected int"),
    ("limits: {burst: x}", "limits.burst", "expected int"),
    ("limits: 5", "limits", "expected a mapping for Limits"),
    ("limits: {typo: 1}", "limits.typo", "unknown field (known fields of Limits: burst, rps)"),
    ("typo: 1", "typo", "unknown field"),
    ("workers: 0", "", "Settings rejected it: ValueError: workers must be at least 1"),
])
def test_yaml_errors_name_the_field(doc: str, field_path: str, reason: str) -> None:
    with pytest.raises(KonfigError) as info:
        build_config(Settings, {"config.yaml": doc}, key="config.yaml")
    err = info.value
    assert err.key == "config.yaml"
    assert err.field == field_path
    assert reason in err.reason
    assert "'config.yaml'" in str(err)
    if field_path:
        assert repr(field_path) in str(err)


def test_yaml_syntax_error_names_the_key_and_line() -> None:
    with pytest.raises(KonfigError, match=r"key 'c': invalid YAML: .* at line \d+, column \d+") as info:
        build_config(Settings, {"c": "workers: 1\ntags: [a\n"}, key="c")
    assert info.value.key == "c"


def test_yaml_not_a_mapping() -> None:
    with pytest.raises(KonfigError, match="expected a YAML mapping, got list"):
        build_config(Settings, {"c": "- a\n"}, key="c")


def test_yaml_missing_key() -> None:
    with pytest.raises(KonfigError, match=r"no key 'config.yaml' \(keys: other\)"):
        build_config(Settings, {"other": "x"}, key="config.yaml")


def test_validate_hook() -> None:
    def no_debug_in_fast_mode(config: Settings) -> list[str]:
        return ["debug is not allowed in fast mode"] if config.debug and \
            config.mode is Mode.FAST else []

    ok = build_config(Settings, {"debug": "true"}, validate=no_debug_in_fast_mode)
    assert ok.debug
    with pytest.raises(KonfigError, match="validation failed: debug is not allowed"):
        build_config(Settings, {"debug": "true", "mode": "fast"},
                     validate=no_debug_in_fast_mode)

    def raises(config: Settings) -> None:
        raise ValueError("name must not be 'x'")

    with pytest.raises(KonfigError, match="validation failed: ValueError: name must not"):
        build_config(Settings, {}, validate=raises)
    with pytest.raises(KonfigError, match="validate hook returned False"):
        build_config(Settings, {}, validate=lambda c: False)
    with pytest.raises(KonfigError, match="validation failed: too many workers"):
        build_config(Settings, {}, validate=lambda c: "too many workers")
    assert build_config(Settings, {}, validate=lambda c: True) == Settings()


def test_unsupported_types_are_refused_up_front() -> None:
    @dataclass
    class Bad:
        ids: set[int] = field(default_factory=set)

    @dataclass
    class BadKeys:
        table: dict[int, str] = field(default_factory=dict)

    with pytest.raises(TypeError, match=r"unsupported type set\[int\] \(field ids\)"):
        Konfig(None, Bad, namespace=NS, name="x")
    with pytest.raises(TypeError, match="map keys must be str"):
        Konfig(None, BadKeys, namespace=NS, name="x")
    with pytest.raises(TypeError, match="must be a dataclass type"):
        Konfig(None, dict, namespace=NS, name="x")


def test_error_message_shapes() -> None:
    assert str(KonfigError("bad", key="k", field="k")) == "key 'k': bad"
    assert str(KonfigError("bad", key="k", field="a.b")) == "key 'k', field 'a.b': bad"
    assert str(KonfigError("bad")) == "bad"


# --------------------------------------------------------------- end to end

@pytest.fixture
async def cluster() -> Any:
    async with APIServer() as server, RESTClient(server.config()) as client:
        yield client


def configmap(name: str, data: dict[str, str], **labels: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}


class Recorder:
    """Collects what konfig's callbacks receive, with the config in force at the time."""

    def __init__(self, k: Konfig[Any]) -> None:
        self.changes: list[tuple[Any, Any, Any]] = []
        self.rejects: list[KonfigError] = []
        self.deletes: list[Any] = []
        k.on_change(self.changed)
        k.on_reject(self.rejected)
        k.on_delete(self.deleted)
        self.k = k

    async def changed(self, old: Any, new: Any) -> None:  # an async callback
        await asyncio.sleep(0)
        self.changes.append((old, new, self.k.current))

    def rejected(self, error: KonfigError) -> None:  # a plain one
        self.rejects.append(error)

    def deleted(self, last_good: Any) -> None:
        self.deletes.append(last_good)


async def test_end_to_end_lifecycle(cluster: RESTClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="konfig")
    cms = cluster.resource("v1", "configmaps", namespace=NS)
    await cms.create(configmap("neighbour", {"config.yaml": "workers: 99"}))
    created = await cms.create(configmap("app", {"config.yaml": "workers: 2\ntags: [a]\n"}))

    k = Konfig(cluster, Settings, namespace=NS, name="app", key="config.yaml")
    rec = Recorder(k)
    async with k:
        # initial load: only the one ConfigMap is listed and watched
        first = await k.wait_until_loaded(WAIT)
        assert first == Settings(workers=2, tags=["a"])
        assert [o["metadata"]["name"] for o in k.informer.lister.list()] == ["app"]
        snap = k.snapshot
        assert snap is not None and snap.config is first
        assert snap.resource_version == created["metadata"]["resourceVersion"]
        assert snap.generation == 1 == k.generation
        assert k.status.state is State.LOADED and k.status.healthy
        assert k.status.as_condition()["status"] == "True"
        assert rec.changes == [(None, first, first)]

        # update: callback gets old and new; the new one is in force when it runs
        updated = await cms.patch("app", {"data": {"config.yaml": "workers: 6\ntags: [a, b]\n"}})
        await k.wait_for(lambda s: s.generation == 2, WAIT)
        second = k.current
        assert second == Settings(workers=6, tags=["a", "b"])
        assert k.resource_version == updated["metadata"]["resourceVersion"]
        assert rec.changes[-1] == (first, second, second)
        assert rec.changes[-1][0] is first and first.workers == 2  # the old one is untouched

        # invalid update (a type error): rejected, the last good kept, reason reported
        bad = await cms.patch("app", {"data": {"config.yaml": "workers: six\n"}})
        bad_rv = bad["metadata"]["resourceVersion"]
        status = await k.wait_for(lambda s: s.observed_resource_version == bad_rv, WAIT)
        assert status.state is State.REJECTED and status.reason == "InvalidConfig"
        assert not status.healthy and status.as_condition()["status"] == "False"
        assert k.current is second and k.generation == 2
        assert status.resource_version == updated["metadata"]["resourceVersion"]
        assert status.error is not None
        assert (status.error.key, status.error.field) == ("config.yaml", "workers")
        assert "expected int, got string 'six'" in status.message
        assert rec.rejects == [status.error]
        assert any(r.levelno == logging.WARNING and "field 'workers'" in r.getMessage()
                   and "keeping generation 2" in r.getMessage() for r in caplog.records)

        # invalid update (the dataclass's __post_init__ refuses it)
        bad = await cms.patch("app", {"data": {"config.yaml": "workers: 0\n"}})
        bad_rv = bad["metadata"]["resourceVersion"]
        status = await k.wait_for(lambda s: s.observed_resource_version == bad_rv, WAIT)
        assert status.state is State.REJECTED
        assert "workers must be at least 1, got 0" in status.message
        assert k.current is second and len(rec.rejects) == 2

        # back to a valid version equal to the one in force: healthy, no new generation
        same = await cms.patch("app", {"data": {"config.yaml": "tags: [a, b]\nworkers: 6\n"}})
        status = await k.wait_for(lambda s: s.state is State.LOADED, WAIT)
        assert status.reason == "Unchanged" and status.generation == 2
        assert k.resource_version == same["metadata"]["resourceVersion"]
        assert k.current is second and len(rec.changes) == 2

        # delete: the last good configuration stays, the deletion is reported
        await cms.delete("app")
        status = await k.wait_for(lambda s: s.state is State.DELETED, WAIT)
        assert status.reason == "ConfigMapDeleted" and "was deleted" in status.message
        assert k.current is second and k.generation == 2
        assert rec.deletes == [second]
        assert any(r.levelno == logging.WARNING and "was deleted" in r.getMessage()
                   for r in caplog.records)

        # recreate: loaded again, as a new generation
        again = await cms.create(configmap("app", {"config.yaml": "workers: 3\n"}))
        status = await k.wait_for(lambda s: s.state is State.LOADED and s.generation == 3,
                                  WAIT)
        third = k.current
        assert third == Settings(workers=3)
        assert k.resource_version == again["metadata"]["resourceVersion"]
        assert rec.changes[-1] == (second, third, third)
        assert [o["metadata"]["name"] for o in k.informer.lister.list()] == ["app"]
    assert k.informer.is_stopped


async def test_key_value_layout_starting_without_the_configmap(cluster: RESTClient) -> None:
    cms = cluster.resource("v1", "configmaps", namespace=NS)
    k = Konfig(cluster, Settings, namespace=NS, name="flat", default=Settings(name="dflt"))
    rec = Recorder(k)
    async with k:
        assert k.status.state is State.PENDING and k.status.reason == "ConfigMapNotFound"
        assert k.current == Settings(name="dflt") and k.generation == 0
        await cms.create(configmap("flat", {"workers": "5", "debug": "true",
                                            "timeout": "2m", "tags": "[web, api]"}))
        loaded = await k.wait_until_loaded(WAIT)
        assert loaded == Settings(workers=5, debug=True, timeout=timedelta(minutes=2),
                                  tags=["web", "api"])
        assert rec.changes == [(Settings(name="dflt"), loaded, loaded)]
        bad = await cms.patch("flat", {"data": {"debug": "maybe"}})
        status = await k.wait_for(
            lambda s: s.observed_resource_version == bad["metadata"]["resourceVersion"], WAIT)
        assert status.state is State.REJECTED
        assert (status.error.key, status.error.field) == ("debug", "debug")  # type: ignore[union-attr]
        assert "invalid bool 'maybe'" in status.message
        assert k.current is loaded


async def test_invalid_first_version_loads_nothing_until_fixed(cluster: RESTClient) -> None:
    cms = cluster.resource("v1", "configmaps", namespace=NS)
    await cms.create(configmap("req", {"port": "8080"}))
    async with Konfig(cluster, Required, namespace=NS, name="req") as k:
        status = await k.wait_for(lambda s: s.state is State.REJECTED, WAIT)
        assert k.current is None and k.generation == 0
        assert status.error is not None and status.error.key == "endpoint"
        await cms.patch("req", {"data": {"endpoint": "db.internal"}})
        assert await k.wait_until_loaded(WAIT) == Required("db.internal", 8080)
        assert k.generation == 1


async def test_failing_callback_does_not_stop_the_others(cluster: RESTClient,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    cms = cluster.resource("v1", "configmaps", namespace=NS)
    await cms.create(configmap("cb", {"workers": "1"}))
    seen: list[int] = []

    def broken(old: Any, new: Any) -> None:
        raise RuntimeError("callback bug")

    k = Konfig(cluster, Settings, namespace=NS, name="cb", on_change=broken)
    k.on_change(lambda old, new: seen.append(new.workers))
    async with k:
        await k.wait_until_loaded(WAIT)
        await cms.patch("cb", {"data": {"workers": "2"}})
        await k.wait_for(lambda s: s.generation == 2, WAIT)
        assert k.current is not None and k.current.workers == 2
        assert k.status.state is State.LOADED
    assert seen == [1, 2]
    assert any("callback" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_readers_always_see_one_complete_version(cluster: RESTClient) -> None:
    """A thread reads the snapshot in a tight loop while versions change: every
    config it sees is whole (a == b), and generations never go back."""
    cms = cluster.resource("v1", "configmaps", namespace=NS)
    await cms.create(configmap("pair", {"a": "0", "b": "0"}))
    problems: list[str] = []
    reads = 0
    stop = threading.Event()

    async with Konfig(cluster, Pair, namespace=NS, name="pair") as k:
        await k.wait_until_loaded(WAIT)

        def reader() -> None:
            nonlocal reads
            last_generation = 0
            while not stop.is_set():
                snap = k.snapshot
                if snap is None:
                    problems.append("no snapshot")
                    break
                if snap.config.a != snap.config.b:
                    problems.append(f"torn read {snap}")
                if snap.generation < last_generation:
                    problems.append(f"generation went back to {snap.generation}")
                last_generation = snap.generation
                reads += 1

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        try:
            for n in range(1, 21):
                await cms.patch("pair", {"data": {"a": str(n), "b": str(n), "note": "x" * n}})
            await k.wait_for(lambda s: s.state is State.LOADED and k.current == Pair(20, 20, "x" * 20),
                             WAIT)
        finally:
            stop.set()
            await asyncio.to_thread(thread.join, WAIT)
    assert problems == []
    assert reads > 0
    assert k.generation >= 2  # versions may be merged by the watch, never torn


# ----------------------------------------------------------------- the demo script

def test_demo_script_runs_against_the_embedded_server() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, str(EXAMPLE / "main.py"), "--embedded"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    expected_in_order = [
        "created ConfigMap default/konfig-demo",
        "loaded generation 1: log_level=info workers=4",
        "status: state=Loaded reason=Loaded generation=1",
        "-- update",
        "changed to generation 2: log_level: info -> debug; workers: 4 -> 8",
        "status: state=Loaded reason=Loaded generation=2",
        "-- invalid update",
        "rejected: key 'config.yaml', field 'workers': expected int, got string 'lots'",
        "  still in force: generation 2: log_level=debug workers=8",
        "status: state=Rejected reason=InvalidConfig generation=2",
        "-- delete",
        "deleted: the ConfigMap is gone",
        "  still in force: generation 2: log_level=debug workers=8",
        "status: state=Deleted reason=ConfigMapDeleted generation=2",
        "-- recreate",
        "changed to generation 3: log_level: debug -> warning; workers: 8 -> 2",
        "status: state=Loaded reason=Loaded generation=3",
        "done",
    ]
    position = 0
    for prefix in expected_in_order:
        while position < len(out) and not out[position].startswith(prefix):
            position += 1
        assert position < len(out), f"missing (in order) {prefix!r} in:\n{proc.stdout}"
        position += 1
    assert "rejected ConfigMap default/konfig-demo" in proc.stderr  # the log line
    assert "Traceback" not in proc.stderr
