"""Kubernetes protobuf: the k8s\\x00 envelope, the schema registry, special types.

Wire facts (WIRE-FORMATS.md §a, §b, §f): the envelope is ``k8s\\x00`` + runtime.Unknown
{1: typeMeta{1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType};
objects are gogo proto2 messages (ascending field numbers, unpacked repeated scalars,
map entries sorted by key); a watch frame is a bare WatchEvent{1: type, 2: RawExtension
{1: raw}} whose raw is an enveloped object.
"""

from __future__ import annotations

import base64
import copy
import importlib
import json
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kclient.serializers import (
    PROTOBUF,
    DecodeError,
    EncodeError,
    StreamDecoder,
    decode,
    encode,
    encode_item,
    encode_list,
    encode_watch_event,
    has_protobuf_schema,
)
from kclient.serializers import protobuf as pb
from kclient.serializers.protobuf import special
from tests.conftest import HEAD, fixture_names

MAGIC = b"k8s\x00"


# ------------------------------------------------- an independent little wire reader


def varint(buf: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of each field of one message, in wire order."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            value, pos = varint(buf, pos)
        elif wt == 2:
            n, pos = varint(buf, pos)
            value, pos = buf[pos : pos + n], pos + n
        elif wt == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wt == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise AssertionError(f"wire type {wt}")
        yield num, wt, value


def field(buf: bytes, num: int) -> list:
    return [v for n, _, v in fields(buf) if n == num]


def put_varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def ld(num: int, payload: bytes) -> bytes:
    """A length-delimited field."""
    return put_varint(num << 3 | 2) + put_varint(len(payload)) + payload


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = ld(1, api_version.encode()) + ld(2, kind.encode())
    return MAGIC + ld(1, type_meta) + ld(2, raw) + b"\x1a\x00\x22\x00"


def unwrap(data: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw) of an enveloped object, checked against the layout."""
    assert data[:4] == MAGIC
    body = data[4:]
    assert [n for n, _, _ in fields(body)] == [1, 2, 3, 4]
    type_meta = field(body, 1)[0]
    api_version = b"".join(field(type_meta, 1)).decode()
    kind = b"".join(field(type_meta, 2)).decode()
    assert field(body, 3) == [b""] and field(body, 4) == [b""]
    return api_version, kind, field(body, 2)[0]


def fixture(name: str) -> dict:
    return json.loads((HEAD / f"{name}.json").read_bytes())


def rt(obj: dict) -> dict:
    return decode(encode(obj, PROTOBUF), PROTOBUF)


# ------------------------------------------------------------------------- registry


def test_every_schema_module_imports():
    from kclient.serializers.protobuf import schemas

    assert len(schemas.MODULES) >= 15
    for name in schemas.MODULES:
        importlib.import_module(f"{schemas.__name__}.{name}")  # no module may be missing


def test_registry_resolves_every_message_reference():
    from kclient.serializers.protobuf import schemas
    from kclient.serializers.protobuf.plan import MESSAGE, SLICE, all_plans
    from kclient.serializers.protobuf.schema import REGISTRY, SCALARS, SPECIALS

    schemas.load_all()
    REGISTRY.resolve()
    for msg in REGISTRY.messages.values():
        numbers = [f.number for f in msg.fields]
        assert numbers == sorted(set(numbers)), msg.full_name
        for f in msg.fields:
            if f.type not in SCALARS and f.type not in SPECIALS:
                assert f.message is not None, f"{msg.full_name}.{f.name} -> {f.type}"
    plans = all_plans()
    assert set(plans) == set(REGISTRY.messages)
    for plan in plans.values():
        for fp in plan.ordered:
            if fp.kind in (MESSAGE, SLICE):
                assert fp.sub is not None, fp.path


META_KINDS = ["Status", "WatchEvent", "DeleteOptions", "ListOptions", "GetOptions",
              "CreateOptions", "UpdateOptions", "PatchOptions"]

KINDS_WITH_LISTS = [
    ("v1", k)
    for k in ["Pod", "PodTemplate", "ReplicationController", "Service", "Endpoints", "Node",
              "Event", "LimitRange", "ResourceQuota", "Namespace", "Secret", "ServiceAccount",
              "PersistentVolume", "PersistentVolumeClaim", "ComponentStatus", "ConfigMap"]
] + [
    ("apps/v1", k)
    for k in ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"]
] + [
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("autoscaling/v1", "HorizontalPodAutoscaler"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("coordination.k8s.io/v1", "Lease"),
    ("policy/v1", "PodDisruptionBudget"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("events.k8s.io/v1", "Event"),
    ("discovery.k8s.io/v1", "EndpointSlice"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "CSIStorageCapacity"),
]

KINDS_WITHOUT_LISTS = [
    ("v1", "Binding"),
    ("v1", "PodStatusResult"),
    ("policy/v1", "Eviction"),
    ("autoscaling/v1", "Scale"),
]
OPTION_KINDS = [("v1", "PodLogOptions"), ("v1", "PodExecOptions"), ("v1", "PodAttachOptions"),
                ("v1", "PodProxyOptions")]

GROUP_VERSIONS = sorted({av for av, _ in KINDS_WITH_LISTS})


@pytest.mark.parametrize("api_version, kind",
                         KINDS_WITH_LISTS + KINDS_WITHOUT_LISTS + OPTION_KINDS,
                         ids=lambda v: str(v))
def test_required_kind_has_a_schema(api_version, kind):
    assert has_protobuf_schema(api_version, kind)


@pytest.mark.parametrize("api_version, kind", KINDS_WITH_LISTS, ids=lambda v: str(v))
def test_required_kind_has_its_list(api_version, kind):
    assert has_protobuf_schema(api_version, kind + "List")


@pytest.mark.parametrize("api_version", GROUP_VERSIONS)
@pytest.mark.parametrize("kind", META_KINDS)
def test_meta_kinds_exist_in_every_group_version(api_version, kind):
    assert has_protobuf_schema(api_version, kind)


@pytest.mark.parametrize("api_version, kind", KINDS_WITH_LISTS + KINDS_WITHOUT_LISTS,
                         ids=lambda v: str(v))
def test_minimal_object_of_each_kind_round_trips(api_version, kind):
    obj = {"apiVersion": api_version, "kind": kind,
           "metadata": {"name": "n", "namespace": "ns", "labels": {"b": "2", "a": "1"}}}
    data = encode(obj, PROTOBUF)
    assert unwrap(data)[:2] == (api_version, kind)
    got = decode(data, PROTOBUF)
    assert got["apiVersion"] == api_version and got["kind"] == kind
    assert got["metadata"] == obj["metadata"]
    assert rt(got) == got  # what decode gives is a fixed point


@pytest.mark.parametrize("api_version, kind", KINDS_WITH_LISTS, ids=lambda v: str(v))
def test_empty_list_of_each_kind_round_trips(api_version, kind):
    obj = {"apiVersion": api_version, "kind": kind + "List",
           "metadata": {"resourceVersion": "42", "continue": "c"}, "items": []}
    assert rt(obj) == obj


@pytest.mark.parametrize("kind", ["DeleteOptions", "ListOptions", "GetOptions", "CreateOptions"])
def test_option_kinds_round_trip(kind):
    obj = {"apiVersion": "v1", "kind": kind}
    assert rt(obj)["kind"] == kind


def test_delete_options_keep_zero_pointers():
    obj = {"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0,
           "orphanDependents": False, "propagationPolicy": "Foreground",
           "preconditions": {"uid": "u", "resourceVersion": "7"}, "dryRun": ["All"]}
    assert rt(obj) == obj


@pytest.mark.parametrize(
    "api_version, kind",
    [("v1", "NoSuchKind"), ("nope.example.com/v9", "Pod"), ("apps/v1", "Pod"),
     ("example.com/v1", "CustomType")],
)
def test_unknown_kind_is_named_in_decode_and_encode_errors(api_version, kind):
    with pytest.raises(EncodeError) as info:
        encode({"apiVersion": api_version, "kind": kind, "metadata": {}}, PROTOBUF)
    assert api_version in str(info.value) and kind in str(info.value)
    with pytest.raises(DecodeError) as info2:
        decode(envelope(api_version, kind, b"\x0a\x00"), PROTOBUF)
    assert api_version in str(info2.value) and kind in str(info2.value)


@pytest.mark.parametrize("obj", [{"kind": "Pod"}, {"apiVersion": "v1"}, {}])
def test_encode_without_api_version_or_kind_is_an_encode_error(obj):
    with pytest.raises(EncodeError):
        encode(obj, PROTOBUF)


def test_envelope_without_kind_is_a_decode_error():
    with pytest.raises(DecodeError):
        decode(envelope("v1", "", b""), PROTOBUF)


@pytest.mark.parametrize("kind", ["Status", "DeleteOptions", "Pod"])
def test_envelope_without_api_version_is_a_decode_error(kind):
    # protobuf.Serializer.Decode: a missing version is an error, even for kinds that
    # every group version registers
    with pytest.raises(DecodeError):
        decode(envelope("", kind, b""), PROTOBUF)


def test_defaults_stand_in_for_an_empty_type_meta():
    raw = unwrap((HEAD / "core.v1.Status.pb").read_bytes())[2]
    got = pb.decode(envelope("", "", raw), default_api_version="v1", default_kind="Status")
    assert got == fixture("core.v1.Status")


# ------------------------------------------------------------------------- envelope


def test_envelope_layout_of_an_encoded_object():
    data = encode({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}},
                  PROTOBUF)
    api_version, kind, raw = unwrap(data)
    assert (api_version, kind) == ("apps/v1", "Deployment")
    assert data.endswith(b"\x1a\x00\x22\x00")
    meta = field(raw, 1)[0]
    assert field(meta, 1) == [b"d"]


@pytest.mark.parametrize(
    "data, what",
    [
        (b"", "empty"),
        (b"k8s", "prefix"),
        (b"k8s\x01" + b"\x0a\x00", "prefix"),
        (b"\x0a\x02v1", "prefix"),
        (b"{}", "prefix"),
        (MAGIC, "empty"),
    ],
)
def test_envelope_errors(data, what):
    with pytest.raises(DecodeError) as info:
        decode(data, PROTOBUF)
    assert what in str(info.value)


@pytest.mark.parametrize("cut", [5, 6, 10, 20, 100, 1000, -5, -6, -1000])
def test_truncated_envelopes_are_decode_errors(cut):
    data = (HEAD / "core.v1.Pod.pb").read_bytes()
    with pytest.raises(DecodeError):
        decode(data[:cut], PROTOBUF)


@pytest.mark.parametrize("cut", [1, 2, 5, 50, 500, 5000])
def test_truncated_raw_in_a_consistent_envelope_is_a_decode_error(cut):
    _, _, raw = unwrap((HEAD / "core.v1.Pod.pb").read_bytes())
    with pytest.raises(DecodeError):
        decode(envelope("v1", "Pod", raw[:-cut]), PROTOBUF)


def test_content_encoding_and_type_are_ignored():
    raw = ld(1, ld(1, b"cm"))
    tm = ld(1, b"v1") + ld(2, b"ConfigMap")
    data = MAGIC + ld(1, tm) + ld(2, raw) + ld(3, b"gzip") + ld(4, b"application/json")
    assert decode(data, PROTOBUF)["metadata"] == {"name": "cm"}


def test_envelope_fields_in_another_order_decode():
    raw = ld(1, ld(1, b"cm"))
    tm = ld(2, b"ConfigMap") + ld(1, b"v1")
    data = MAGIC + ld(2, raw) + ld(1, tm)
    got = decode(data, PROTOBUF)
    assert (got["apiVersion"], got["kind"], got["metadata"]) == ("v1", "ConfigMap", {"name": "cm"})


# ------------------------------------------------------------------ unknown fields


UNKNOWN_FIELDS = [
    put_varint(100 << 3 | 0) + put_varint(12345),
    put_varint(101 << 3 | 1) + b"\x00" * 8,
    ld(102, b"anything at all"),
    put_varint(103 << 3 | 5) + b"\x01\x02\x03\x04",
    put_varint(104 << 3 | 0) + put_varint(-1),  # ten-byte varint
]


@pytest.mark.parametrize("extra", UNKNOWN_FIELDS)
def test_default_decode_skips_unknown_fields(extra):
    raw = ld(1, ld(1, b"cm") + extra) + extra + ld(2, ld(1, b"k") + ld(2, b"v")) + extra
    got = pb.decode(envelope("v1", "ConfigMap", raw))
    assert got == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"},
                   "data": {"k": "v"}}


@pytest.mark.parametrize("extra", UNKNOWN_FIELDS)
def test_strict_decode_rejects_unknown_field_numbers(extra):
    raw = ld(1, ld(1, b"cm")) + extra
    with pytest.raises(DecodeError) as info:
        pb.decode(envelope("v1", "ConfigMap", raw), strict=True)
    num = varint(extra, 0)[0] >> 3
    assert str(num) in str(info.value)


def test_strict_decode_rejects_unknown_fields_in_nested_messages():
    raw = ld(1, ld(1, b"cm") + ld(99, b"x"))
    assert pb.decode(envelope("v1", "ConfigMap", raw))["metadata"] == {"name": "cm"}
    with pytest.raises(DecodeError):
        pb.decode(envelope("v1", "ConfigMap", raw), strict=True)


@pytest.mark.parametrize(
    "raw",
    [
        put_varint(1 << 3 | 3),  # start group
        put_varint(1 << 3 | 4),  # end group
        put_varint(100 << 3 | 6),
        put_varint(100 << 3 | 7) + b"\x00",
        put_varint(0 << 3 | 0) + b"\x01",  # field number 0
        b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",  # varint longer than ten bytes
        put_varint(100 << 3 | 2) + put_varint(1 << 40),  # length beyond the data
        put_varint(100 << 3 | 1) + b"\x00",  # truncated fixed64
        put_varint(100 << 3 | 5) + b"\x00",  # truncated fixed32
    ],
)
def test_malformed_fields_are_decode_errors(raw):
    with pytest.raises(DecodeError):
        pb.decode(envelope("v1", "ConfigMap", raw))


@pytest.mark.parametrize(
    "raw, path",
    [
        (b"\x08\x01", "metadata"),  # ConfigMap.metadata is a message, not a varint
        (ld(1, b"\x10\x01"), "generateName"),  # ObjectMeta.generateName: string
        (ld(1, b"\x3a\x04abcd"), "generation"),  # ObjectMeta.generation: varint
        (b"\x22\x01x", "immutable"),  # ConfigMap.immutable: bool
    ],
)
def test_wire_type_mismatch_is_a_decode_error_naming_the_field(raw, path):
    with pytest.raises(DecodeError) as info:
        pb.decode(envelope("v1", "ConfigMap", raw))
    assert path in str(info.value)


def test_last_occurrence_of_a_singular_field_wins():
    raw = ld(1, ld(1, b"first") + ld(1, b"second"))
    assert pb.decode(envelope("v1", "ConfigMap", raw))["metadata"] == {"name": "second"}


def test_packed_repeated_scalars_are_accepted():
    # gogo never packs, but a proto2 reader must accept packed input
    groups = put_varint(4 << 3 | 2) + put_varint(3) + b"\x01\x02\x03"
    pod_spec = ld(14, groups)  # PodSpec.securityContext (14) .supplementalGroups (4)
    raw = ld(1, b"") + ld(2, pod_spec)
    got = pb.decode(envelope("v1", "Pod", raw))
    assert got["spec"]["securityContext"]["supplementalGroups"] == [1, 2, 3]


# ------------------------------------------------------------------- special types


def pod_with(status=None, **spec) -> dict:
    obj: dict = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                 "spec": {"containers": [{"name": "c"}], **spec}}
    if status is not None:
        obj["status"] = status
    return obj


@pytest.mark.parametrize(
    "value, expect",
    [
        ("2008-01-01T01:01:01Z", "2008-01-01T01:01:01Z"),
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
        ("2020-01-01T00:00:00.999999999Z", "2020-01-01T00:00:00Z"),  # second precision
        ("2020-01-01T02:00:00+02:00", "2020-01-01T00:00:00Z"),  # to UTC
        ("2019-12-31T19:30:00-05:30", "2020-01-01T01:00:00Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),  # negative seconds
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),  # the epoch is not the zero time
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
    ],
)
def test_time_round_trips_at_second_precision_in_utc(value, expect):
    obj = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "x", "creationTimestamp": value}}
    assert rt(obj)["metadata"]["creationTimestamp"] == expect


def test_time_wire_form():
    data = encode({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"creationTimestamp": "2008-01-01T01:01:01Z"}}, PROTOBUF)
    meta = field(unwrap(data)[2], 1)[0]
    # seconds then nanos (always 0 for Time), as in the fixtures: 42 08 08 cd a1 e6 bb 04 10 00
    assert field(meta, 8) == [b"\x08\xcd\xa1\xe6\xbb\x04\x10\x00"]


def test_zero_time_is_omitted_where_omitzero_and_null_elsewhere():
    got = rt(pod_with(status={"conditions": [{"type": "Ready", "status": "True"}]}))
    assert "creationTimestamp" not in got["metadata"]  # omitzero
    cond = got["status"]["conditions"][0]
    assert cond["lastTransitionTime"] is None and cond["lastProbeTime"] is None
    explicit_null = {"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "x", "creationTimestamp": None}}
    assert rt(explicit_null)["metadata"] == {"name": "x"}


def test_zero_time_is_written_as_an_empty_message():
    data = encode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, PROTOBUF)
    meta = field(unwrap(data)[2], 1)[0]
    assert field(meta, 8) == [b""]  # 42 00


@pytest.mark.parametrize(
    "value, expect",
    [
        ("2002-01-01T01:01:01.000002Z", "2002-01-01T01:01:01.000002Z"),
        ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000000Z"),  # always six digits
        ("2024-01-02T03:04:05.5Z", "2024-01-02T03:04:05.500000Z"),
        ("2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05.123456Z"),  # truncated
        ("2024-01-02T05:04:05.000001+02:00", "2024-01-02T03:04:05.000001Z"),
    ],
)
def test_micro_time_has_six_fraction_digits(value, expect):
    obj = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
           "spec": {"renewTime": value, "acquireTime": value}}
    spec = rt(obj)["spec"]
    assert spec["renewTime"] == expect and spec["acquireTime"] == expect


def test_micro_time_wire_form():
    obj = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {},
           "eventTime": "2002-01-01T01:01:01.000002Z"}
    raw = unwrap(encode(obj, PROTOBUF))[2]
    # WIRE-FORMATS §f: 12 09 08 cd 94 c4 e1 03 10 d0 0f (nanos = 2000)
    assert field(raw, 2) == [b"\x08\xcd\x94\xc4\xe1\x03\x10\xd0\x0f"]


def test_zero_micro_time_is_null():
    got = rt({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"}})
    assert got["eventTime"] is None


@pytest.mark.parametrize("bad", ["yesterday", "2020-13-01T00:00:00Z", "2020-01-01", 12345,
                                 "2020-01-01T00:00:00"])
def test_invalid_time_is_an_encode_error_naming_the_field(bad):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"creationTimestamp": bad}}
    with pytest.raises(EncodeError) as info:
        encode(obj, PROTOBUF)
    assert "creationTimestamp" in str(info.value)


@pytest.mark.parametrize(
    "nanos, text",
    [
        (0, "0s"),
        (1, "1ns"),
        (1500, "1.5µs"),
        (1_000_000, "1ms"),
        (1_500_000, "1.5ms"),
        (10**9, "1s"),
        (60 * 10**9, "1m0s"),
        (3600 * 10**9, "1h0m0s"),
        (3723 * 10**9 + 5 * 10**8, "1h2m3.5s"),
        (-(10**9), "-1s"),
        (100 * 3600 * 10**9, "100h0m0s"),
        ((1 << 63) - 1, "2562047h47m16.854775807s"),
        (-(1 << 63), "-2562047h47m16.854775808s"),
    ],
)
def test_duration_uses_go_strings(nanos, text):
    # time.Duration.String()
    assert special.format_duration(nanos) == text
    assert special.parse_duration(text, "spec.timeout") == nanos


@pytest.mark.parametrize("text, nanos", [("1.5us", 1500), ("1.5μs", 1500), ("90m", 5400 * 10**9),
                                         ("1h30m", 5400 * 10**9), ("-1.5h", -5400 * 10**9),
                                         ("0", 0), (".5s", 5 * 10**8), ("1m30.25s", 90250 * 10**6)])
def test_duration_parses_go_forms(text, nanos):
    assert special.parse_duration(text, "spec.timeout") == nanos


@pytest.mark.parametrize("text", ["", "1", "abc", "1x", "s", "-", "+", "1.2.3s", ".s"])
def test_invalid_duration_is_an_encode_error_naming_the_field(text):
    with pytest.raises(EncodeError) as info:
        special.parse_duration(text, "spec.timeout")
    assert "spec.timeout" in str(info.value)


def service(*ports) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
            "spec": {"ports": [dict(p) for p in ports]}}


def test_int_or_string_round_trips_both_forms():
    obj = service({"port": 80, "targetPort": 8080}, {"port": 81, "targetPort": "http"},
                  {"port": 82, "targetPort": 0}, {"port": 83, "targetPort": "8080"},
                  {"port": 84, "targetPort": -1})
    got = rt(obj)["spec"]["ports"]
    assert [p["targetPort"] for p in got] == [8080, "http", 0, "8080", -1]
    assert type(got[0]["targetPort"]) is int and type(got[3]["targetPort"]) is str


def test_int_or_string_wire_form():
    raw = unwrap(encode(service({"port": 1, "targetPort": "portValue"}), PROTOBUF))[2]
    port = field(field(raw, 2)[0], 1)[0]  # ServiceSpec.ports
    # WIRE-FORMATS §f: all three fields, 08 01 10 00 1a 09 "portValue"
    assert field(port, 4) == [b"\x08\x01\x10\x00\x1a\x09portValue"]
    raw = unwrap(encode(service({"port": 1, "targetPort": 8080}), PROTOBUF))[2]
    port = field(field(raw, 2)[0], 1)[0]
    assert field(port, 4) == [b"\x08\x00\x10\x90\x3f\x1a\x00"]


@pytest.mark.parametrize("bad", [1.5, True, [80], {"port": 80}, 1 << 31])
def test_invalid_int_or_string_is_an_encode_error(bad):
    with pytest.raises(EncodeError) as info:
        encode(service({"port": 1, "targetPort": bad}), PROTOBUF)
    assert "targetPort" in str(info.value)


def resources_pod(**limits) -> dict:
    return pod_with(containers=[{"name": "c", "resources": {"limits": limits}}])


def test_canonical_quantities_round_trip():
    limits = {"cpu": "100m", "memory": "128Mi", "a": "2", "b": "1Gi", "c": "500M", "d": "0"}
    got = rt(resources_pod(**limits))
    assert got["spec"]["containers"][0]["resources"]["limits"] == limits


def test_quantity_wire_form_and_map_order():
    raw = unwrap(encode(resources_pod(memory="128Mi", cpu="100m"), PROTOBUF))[2]
    container = field(field(raw, 2)[0], 2)[0]  # PodSpec.containers
    resources = field(container, 8)[0]
    entries = field(resources, 1)  # ResourceRequirements.limits
    # entries sorted by key; the value is Quantity{1: string}
    assert entries == [ld(1, b"cpu") + ld(2, ld(1, b"100m")),
                       ld(1, b"memory") + ld(2, ld(1, b"128Mi"))]


@pytest.mark.parametrize(
    "given_, canonical",
    [
        # resource.Quantity: "1.5 will be serialized as 1500m, 1.5Gi as 1536Mi"
        ("1.5", "1500m"),
        ("1.5Gi", "1536Mi"),
        ("0.5", "500m"),
        (2, "2"),
        (1.5, "1500m"),
    ],
)
def test_quantities_are_written_in_canonical_form(given_, canonical):
    got = rt(resources_pod(cpu=given_))
    assert got["spec"]["containers"][0]["resources"]["limits"]["cpu"] == canonical


@pytest.mark.parametrize("bad", ["abc", "1.5.5", "--1", "", True, [1], {"a": 1}])
def test_invalid_quantity_is_an_encode_error(bad):
    with pytest.raises(EncodeError) as info:
        encode(resources_pod(cpu=bad), PROTOBUF)
    assert "cpu" in str(info.value)


def test_bytes_are_base64_and_map_entries_sorted():
    payloads = {"z": b"\x00\xff\x10", "a": b"hello", "m": b"", "é": bytes(range(256))}
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
           "data": {k: base64.b64encode(v).decode() for k, v in payloads.items()}}
    data = encode(obj, PROTOBUF)
    entries = field(unwrap(data)[2], 2)  # Secret.data
    keys = [field(e, 1)[0].decode() for e in entries]
    values = [b"".join(field(e, 2)) for e in entries]
    assert keys == sorted(payloads, key=lambda k: k.encode())  # sorted by key
    assert values == [payloads[k] for k in keys]  # raw bytes on the wire, not base64
    assert decode(data, PROTOBUF)["data"] == obj["data"]


@pytest.mark.parametrize("bad", ["not base64!", "YQ", 123, ["YQ=="]])
def test_invalid_base64_is_an_encode_error_naming_the_key(bad):
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {}, "data": {"tls.key": bad}}
    with pytest.raises(EncodeError) as info:
        encode(obj, PROTOBUF)
    assert "tls.key" in str(info.value)


def test_labels_and_annotations_map_entries_sorted_by_key():
    labels = {"b": "2", "a": "1", "c": "3", "A": "0", "aa": "4"}
    data = encode({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"labels": labels, "annotations": labels}}, PROTOBUF)
    meta = field(unwrap(data)[2], 1)[0]
    for num in (11, 12):
        keys = [field(e, 1)[0].decode() for e in field(meta, num)]
        assert keys == ["A", "a", "aa", "b", "c"]
    assert rt({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"labels": labels}})["metadata"]["labels"] == labels


def test_raw_extension_holds_an_embedded_object():
    embedded = {"apiVersion": "example.com/v1", "kind": "CustomType",
                "spec": {"replicas": 1, "list": [1, "two", None, 2.5, {"deep": True}]}}
    obj = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "r"},
           "data": embedded, "revision": 3}
    data = encode(obj, PROTOBUF)
    raw_ext = field(unwrap(data)[2], 2)[0]
    assert json.loads(field(raw_ext, 1)[0]) == embedded  # RawExtension.raw is JSON text
    assert decode(data, PROTOBUF) == obj


def test_raw_extension_json_has_go_s_integers():
    # the embedded JSON is read as JSON is everywhere: past int64 is a float64
    embedded = {"big": 2**63, "max": 2**63 - 1, "neg": -(2**63) - 1}
    revision = ld(1, ld(1, b"r")) + ld(2, ld(1, json.dumps(embedded).encode()))
    got = decode(envelope("apps/v1", "ControllerRevision", revision), PROTOBUF)["data"]
    assert got == {"big": float(2**63), "max": 2**63 - 1, "neg": float(-(2**63) - 1)}
    assert type(got["big"]) is float and type(got["max"]) is int


def test_raw_extension_json_with_invalid_utf8_reads_as_go_reads_it():
    revision = ld(1, ld(1, b"r")) + ld(2, ld(1, b'{"s":"a\xffb","n":[1,2]}'))
    got = decode(envelope("apps/v1", "ControllerRevision", revision), PROTOBUF)["data"]
    assert got == {"s": "a\ufffdb", "n": [1, 2]}


def test_raw_extension_with_an_enveloped_object_decodes_it():
    inner = encode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "in"},
                    "data": {"k": "v"}}, PROTOBUF)
    revision = ld(1, ld(1, b"r")) + ld(2, ld(1, inner)) + b"\x18\x01"
    got = decode(envelope("apps/v1", "ControllerRevision", revision), PROTOBUF)
    assert got["data"] == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "in"},
                           "data": {"k": "v"}}


def test_raw_extension_with_garbage_is_a_decode_error():
    revision = ld(1, b"") + ld(2, ld(1, b"\x01\x02not json"))
    with pytest.raises(DecodeError):
        decode(envelope("apps/v1", "ControllerRevision", revision), PROTOBUF)


def test_repeated_scalars_are_not_packed():
    obj = pod_with(securityContext={"supplementalGroups": [1, 2, 300]})
    raw = unwrap(encode(obj, PROTOBUF))[2]
    psc = field(field(raw, 2)[0], 14)[0]
    assert [(n, wt) for n, wt, _ in fields(psc) if n == 4] == [(4, 0)] * 3
    assert rt(obj)["spec"]["securityContext"]["supplementalGroups"] == [1, 2, 300]


# -------------------------------------------------------------------------- integers


@pytest.mark.parametrize("value", [-1, -2, -(1 << 31), (1 << 31) - 1, 0x7FFF])
def test_int32_round_trips_including_negatives(value):
    obj = pod_with(containers=[{"name": "c", "ports": [{"containerPort": value}]}])
    assert rt(obj)["spec"]["containers"][0]["ports"][0]["containerPort"] == value


def test_negative_int32_is_a_ten_byte_varint():
    obj = pod_with(containers=[{"name": "c", "ports": [{"containerPort": -1}]}])
    raw = unwrap(encode(obj, PROTOBUF))[2]
    port = field(field(field(raw, 2)[0], 2)[0], 6)[0]  # spec.containers[0].ports[0]
    assert b"\x18" + b"\xff" * 9 + b"\x01" in port  # field 3, int32 -1 sign-extended


@pytest.mark.parametrize("value", [-1, -(1 << 63), (1 << 63) - 1, 8071137005907523419])
def test_int64_round_trips_including_extremes(value):
    obj = pod_with(securityContext={"runAsUser": value, "runAsGroup": value})
    assert rt(obj)["spec"]["securityContext"] == {"runAsUser": value, "runAsGroup": value}


@pytest.mark.parametrize("value", [1 << 31, -(1 << 31) - 1])
def test_int32_out_of_range_is_an_encode_error(value):
    obj = pod_with(containers=[{"name": "c", "ports": [{"containerPort": value}]}])
    with pytest.raises(EncodeError) as info:
        encode(obj, PROTOBUF)
    assert "containerPort" in str(info.value)


@pytest.mark.parametrize("value", [1 << 63, -(1 << 63) - 1])
def test_int64_out_of_range_is_an_encode_error(value):
    with pytest.raises(EncodeError):
        encode(pod_with(securityContext={"runAsUser": value}), PROTOBUF)


def test_pointer_zero_values_are_kept():
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"replicas": 0, "paused": False, "minReadySeconds": 0,
                    "selector": {"matchLabels": {"a": "b"}},
                    "template": {"metadata": {}, "spec": {"containers": [{"name": "c"}]}}}}
    got = rt(obj)["spec"]
    assert got["replicas"] == 0  # *int32: present on the wire, kept in JSON
    assert "paused" not in got and "minReadySeconds" not in got  # omitempty values


# ------------------------------------------------------------------- encode errors


@pytest.mark.parametrize(
    "obj, path",
    [
        (pod_with(bogus=1), "bogus"),
        ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "nam": "typo"}}, "nam"),
        (pod_with(containers=[{"name": "c", "imagee": "x"}]), "imagee"),
        ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}, "extra": {}}, "extra"),
    ],
)
def test_encode_rejects_unknown_fields(obj, path):
    with pytest.raises(EncodeError) as info:
        encode(obj, PROTOBUF)
    assert path in str(info.value)


@pytest.mark.parametrize(
    "obj, path",
    [
        ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 5}}, "metadata.name"),
        ({"apiVersion": "v1", "kind": "Pod", "metadata": "x"}, "metadata"),
        (pod_with(containers={"name": "c"}), "containers"),
        (pod_with(containers=["c"]), "containers[0]"),
        (pod_with(containers=[{"name": "c", "ports": [{"containerPort": "80"}]}]),
         "spec.containers[0].ports[0].containerPort"),
        (pod_with(containers=[{"name": "c", "tty": "yes"}]), "spec.containers[0].tty"),
        (pod_with(containers=[{"name": "c", "ports": [{"containerPort": 1.5}]}]),
         "containerPort"),
        (pod_with(hostNetwork=1), "hostNetwork"),
        ({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": ["a"]}}, "labels"),
        ({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a": 1}}}, "labels.a"),
        ({"apiVersion": "v1", "kind": "Pod", "metadata": {"finalizers": "f"}}, "finalizers"),
        ({"apiVersion": "v1", "kind": "Pod", "metadata": {"finalizers": [1]}}, "finalizers[0]"),
    ],
)
def test_encode_rejects_wrong_types_naming_the_path(obj, path):
    with pytest.raises(EncodeError) as info:
        encode(obj, PROTOBUF)
    assert path in str(info.value)


@pytest.mark.parametrize("obj", [None, [], "pod", 5])
def test_encode_of_a_non_object_is_an_encode_error(obj):
    with pytest.raises(EncodeError):
        encode(obj, PROTOBUF)  # type: ignore[arg-type]


def test_encode_of_a_too_deeply_nested_embedded_object_is_an_encode_error():
    deep: Any = "leaf"
    for _ in range(100_000):
        deep = [deep]
    obj = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {}, "data": deep}
    with pytest.raises(EncodeError):
        encode(obj, PROTOBUF)


# ----------------------------------------------------------------------------- lists


def test_pod_list_from_encoded_items_decodes_back():
    pod = fixture("core.v1.Pod")
    other = copy.deepcopy(pod)
    other["metadata"]["name"] = "second"
    items = [encode_item(pod, PROTOBUF), encode_item(other, PROTOBUF)]
    head = {"apiVersion": "v1", "kind": "PodList",
            "metadata": {"resourceVersion": "77", "continue": "tok", "remainingItemCount": 5}}
    data = encode_list(head, items, PROTOBUF)
    api_version, kind, raw = unwrap(data)
    assert (api_version, kind) == ("v1", "PodList")
    assert [n for n, _, _ in fields(raw)] == [1, 2, 2]
    assert field(raw, 2) == items  # items are bare messages, no per-item envelope
    got = decode(data, PROTOBUF)
    strip = lambda o: {k: v for k, v in o.items() if k not in ("apiVersion", "kind")}  # noqa: E731
    assert got == {**head, "items": [strip(pod), strip(other)]}


def test_item_bytes_are_the_envelope_raw():
    pod = fixture("core.v1.Pod")
    assert encode_item(pod, PROTOBUF) == unwrap((HEAD / "core.v1.Pod.pb").read_bytes())[2]


def test_empty_list_decodes_with_empty_items():
    data = encode_list({"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "1"}},
                       [], PROTOBUF)
    got = decode(data, PROTOBUF)
    assert got["items"] == [] and got["metadata"] == {"resourceVersion": "1"}


def test_list_of_other_group_kinds():
    dep = fixture("apps.v1.Deployment")
    data = encode_list({"apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": {}},
                       [encode_item(dep, PROTOBUF)], PROTOBUF)
    got = decode(data, PROTOBUF)
    assert got["kind"] == "DeploymentList" and len(got["items"]) == 1
    assert got["items"][0]["spec"] == dep["spec"]


def test_list_of_an_unknown_kind_is_an_encode_error():
    with pytest.raises(EncodeError):
        encode_list({"apiVersion": "v1", "kind": "NopeList", "metadata": {}}, [], PROTOBUF)


# ------------------------------------------------------------------------ watch events


@pytest.mark.parametrize("event_type", ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"])
@pytest.mark.parametrize("name", ["core.v1.Pod", "apps.v1.Deployment", "core.v1.Secret",
                                  "coordination.k8s.io.v1.Lease"])
def test_watch_event_round_trips(event_type, name):
    obj = fixture(name)
    frame = encode_watch_event(event_type, obj, PROTOBUF)
    length = int.from_bytes(frame[:4], "big")
    assert length == len(frame) - 4
    body = frame[4:]
    # a bare WatchEvent: no prefix, type then RawExtension{raw: enveloped object}
    assert body[:4] != MAGIC
    assert [n for n, _, _ in fields(body)] == [1, 2]
    assert field(body, 1) == [event_type.encode()]
    inner = field(field(body, 2)[0], 1)[0]
    assert inner == (HEAD / f"{name}.pb").read_bytes()
    assert pb.decode_watch_event(body) == {"type": event_type, "object": obj}
    assert StreamDecoder(PROTOBUF + ";stream=watch").feed(frame) == [
        {"type": event_type, "object": obj}
    ]


def test_error_event_with_a_status():
    status = {"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
              "message": "too old resource version", "reason": "Expired", "code": 410}
    frame = encode_watch_event("ERROR", status, PROTOBUF)
    assert StreamDecoder(PROTOBUF).feed(frame) == [{"type": "ERROR", "object": status}]


def test_upstream_watch_event_fixture_body():
    # core.v1.WatchEvent.pb is the enveloped (non-stream) form with an empty typeMeta;
    # its raw is the bare WatchEvent, whose RawExtension holds JSON
    data = (HEAD / "core.v1.WatchEvent.pb").read_bytes()
    api_version, kind, body = unwrap(data)
    assert (api_version, kind) == ("", "")
    event = pb.decode_watch_event(body)
    assert event == fixture("core.v1.WatchEvent")


def test_bookmark_event():
    bookmark = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"resourceVersion": "964",
                             "annotations": {"k8s.io/initial-events-end": "true"}}}
    frame = encode_watch_event("BOOKMARK", bookmark, PROTOBUF)
    got = StreamDecoder(PROTOBUF).feed(frame)
    assert got[0]["type"] == "BOOKMARK"
    assert got[0]["object"]["metadata"] == bookmark["metadata"]


# ------------------------------------------------- realistic objects, mutated


FIXTURES = [n for n in fixture_names() if n != "core.v1.WatchEvent"]
ZERO = (None, "", 0, False)


def zeroish(value) -> bool:
    if isinstance(value, dict):
        return all(zeroish(v) for v in value.values())
    if isinstance(value, list):
        return not value
    return value in ZERO and not (isinstance(value, float) and value != 0)


def same_data(sent, got, path="") -> list[str]:
    """Differences that lose or invent data; a field Go writes as a zero value may appear
    or vanish (omitempty and non-pointer fields), but nothing else may change."""
    if isinstance(sent, dict) and isinstance(got, dict):
        problems = []
        for key in sent.keys() | got.keys():
            if key not in got:
                if not zeroish(sent[key]):
                    problems.append(f"{path}/{key} lost")
            elif key not in sent:
                if not zeroish(got[key]):
                    problems.append(f"{path}/{key} appeared as {got[key]!r}")
            else:
                problems += same_data(sent[key], got[key], f"{path}/{key}")
        return problems
    if isinstance(sent, list) and isinstance(got, list):
        if len(sent) != len(got):
            return [f"{path} has {len(got)} items, sent {len(sent)}"]
        out = []
        for i, (a, b) in enumerate(zip(sent, got)):
            out += same_data(a, b, f"{path}[{i}]")
        return out
    if sent is None and zeroish(got) or got is None and zeroish(sent):
        return []
    if type(sent) is not type(got) or sent != got:
        return [f"{path}: sent {sent!r}, got {got!r}"]
    return []


def paths(value, prefix=()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield prefix + (k,)
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield prefix + (i,)
            yield from paths(v, prefix + (i,))


def at(obj, path):
    for p in path:
        obj = obj[p]
    return obj


NEW_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
NEW_INT = st.integers(min_value=-(1 << 31), max_value=(1 << 31) - 1).filter(bool)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from(FIXTURES), st.data())
def test_realistic_objects_round_trip_with_fields_removed_or_changed(name, data):
    obj = fixture(name)
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        candidates = [p for p in paths(obj) if p not in (("apiVersion",), ("kind",))]
        if not candidates:
            break
        path = data.draw(st.sampled_from(candidates), label="path")
        parent, key = at(obj, path[:-1]), path[-1]
        value = parent[key]
        if isinstance(parent, list):
            if len(parent) > 1:
                del parent[key]
        elif isinstance(value, bool):
            parent[key] = not value
        elif isinstance(value, int):
            parent[key] = data.draw(NEW_INT, label="int")
        elif isinstance(value, str) and value.endswith("Value"):
            parent[key] = data.draw(NEW_TEXT, label="text")
        else:
            del parent[key]
    wire = encode(obj, PROTOBUF)
    got = decode(wire, PROTOBUF)
    assert same_data(obj, got) == []
    assert encode(got, PROTOBUF) == wire  # nothing of the object is lost in decoding
    assert decode(encode(got, PROTOBUF), PROTOBUF) == got


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_objects_round_trip_exactly(name):
    obj = fixture(name)
    assert rt(obj) == obj


@pytest.mark.skipif(pb.IMPLEMENTATION != "c", reason="memory layout of the C decoder")
def test_decoded_lists_hold_no_spare_capacity_and_small_ints_are_shared():
    # a cache keeps decoded objects for their whole life: lists grown by appending would
    # keep room for up to twice their items, and every port number its own int
    import sys

    pod = fixture("core.v1.Pod")
    pod["spec"]["containers"] = [dict(pod["spec"]["containers"][0], name=f"c{i}")
                                 for i in range(3)]
    for c in pod["spec"]["containers"]:
        c["ports"] = [{"containerPort": 8080 + i, "protocol": "TCP"} for i in range(5)]
    data = encode(pod, PROTOBUF)
    one, two = decode(data, PROTOBUF), decode(data, PROTOBUF)
    assert one["spec"]["containers"] == pod["spec"]["containers"]

    def lists(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from lists(v)
        elif isinstance(value, list):
            yield value
            for v in value:
                yield from lists(v)

    found = list(lists(one))
    assert any(len(lst) >= 3 for lst in found)
    for lst in found:
        assert sys.getsizeof(lst) == sys.getsizeof(lst[:]), lst
    port = one["spec"]["containers"][1]["ports"][4]["containerPort"]
    assert port == 8084 and port is two["spec"]["containers"][1]["ports"][4]["containerPort"]
