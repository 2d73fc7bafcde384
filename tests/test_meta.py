"""Object keys, GVK helpers, owner references and name validation."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from kclient.meta import (
    DeletedFinalStateUnknown,
    GroupVersionKind,
    GroupVersionResource,
    ObjectKeyError,
    controller_of,
    gvk_of,
    is_controlled_by,
    key_of,
    name_of,
    namespace_of,
    new_controller_ref,
    parse_api_version,
    split_key,
    validate_annotations,
    validate_dns1035_label,
    validate_dns1123_label,
    validate_dns1123_subdomain,
    validate_label_key,
    validate_label_value,
    validate_labels,
)

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "prod", "uid": "p1"}}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-a"}}


class DuckTombstone:
    def __init__(self, key: str, obj: dict) -> None:
        self.key = key
        self.obj = obj


KEYS = [
    (POD, "prod/web-1"),
    (NODE, "node-a"),
    ({"metadata": {"name": "x", "namespace": ""}}, "x"),
    ({"metadata": {"name": "x", "namespace": None}}, "x"),
    (DeletedFinalStateUnknown("prod/old", POD), "prod/old"),
    (DuckTombstone("ns/gone", {}), "ns/gone"),
    ("explicit/key", "explicit/key"),
]


@pytest.mark.parametrize("obj,key", KEYS)
def test_key_of(obj: object, key: str) -> None:
    assert key_of(obj) == key


def test_tombstone_key_wins_over_its_object() -> None:
    # The tombstone's key is used even when the object it carries would give another.
    tombstone = DeletedFinalStateUnknown("other/name", POD)
    assert key_of(tombstone) == "other/name"
    with pytest.raises(FrozenInstanceError):
        tombstone.key = "x"  # type: ignore[misc]


def test_key_of_rejects_non_objects() -> None:
    with pytest.raises(ObjectKeyError):
        key_of(42)
    with pytest.raises(ValueError):
        key_of({"metadata": "nope"})


SPLITS = [
    ("prod/web-1", ("prod", "web-1")),
    ("node-a", ("", "node-a")),
    ("/x", ("", "x")),
    ("", ("", "")),
]


@pytest.mark.parametrize("key,parts", SPLITS)
def test_split_key(key: str, parts: tuple[str, str]) -> None:
    assert split_key(key) == parts


def test_split_key_rejects_more_than_one_slash() -> None:
    with pytest.raises(ObjectKeyError) as info:
        split_key("a/b/c")
    assert str(info.value) == 'unexpected key format: "a/b/c"'


def test_split_inverts_key_of() -> None:
    for obj in (POD, NODE):
        assert split_key(key_of(obj)) == (namespace_of(obj), name_of(obj))


API_VERSIONS = [
    ("v1", ("", "v1")),
    ("apps/v1", ("apps", "v1")),
    ("rbac.authorization.k8s.io/v1", ("rbac.authorization.k8s.io", "v1")),
    ("", ("", "")),
]


@pytest.mark.parametrize("api_version,parsed", API_VERSIONS)
def test_parse_api_version(api_version: str, parsed: tuple[str, str]) -> None:
    assert parse_api_version(api_version) == parsed


def test_parse_api_version_rejects_extra_slashes() -> None:
    with pytest.raises(ValueError, match="unexpected GroupVersion string: a/b/c"):
        parse_api_version("a/b/c")


def test_gvk_and_gvr() -> None:
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment"}
    gvk = gvk_of(deploy)
    assert gvk == GroupVersionKind("apps", "v1", "Deployment")
    assert gvk.api_version == "apps/v1"
    assert str(gvk) == "apps/v1, Kind=Deployment"
    assert gvk_of(POD) == ("", "v1", "Pod")
    assert gvk_of(POD).api_version == "v1"
    gvr = GroupVersionResource.from_api_version("batch/v1", "jobs")
    assert gvr == GroupVersionResource("batch", "v1", "jobs")
    assert gvr.api_version == "batch/v1"
    assert GroupVersionResource("", "v1", "pods").api_version == "v1"


def _owned(*refs: dict) -> dict:
    return {"metadata": {"name": "child", "namespace": "prod", "ownerReferences": list(refs)}}


def test_controller_of_and_is_controlled_by() -> None:
    owner = {"metadata": {"name": "rs", "uid": "u-rs"}}
    plain = {"apiVersion": "v1", "kind": "ConfigMap", "name": "c", "uid": "u-cm"}
    ctrl = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u-rs", "controller": True}
    child = _owned(plain, ctrl)
    assert controller_of(child) == ctrl
    assert is_controlled_by(child, owner)
    assert not is_controlled_by(child, {"metadata": {"name": "rs", "uid": "other"}})
    # A reference that is not the controller does not count.
    assert controller_of(_owned(plain)) is None
    assert not is_controlled_by(_owned({**ctrl, "controller": False}), owner)
    assert controller_of({"metadata": {}}) is None
    # The result is a copy.
    controller_of(child)["name"] = "changed"  # type: ignore[index]
    assert child["metadata"]["ownerReferences"][1]["name"] == "rs"


def test_new_controller_ref() -> None:
    owner = {"metadata": {"name": "web", "namespace": "prod", "uid": "u-1"}}
    ref = new_controller_ref(owner, GroupVersionKind("apps", "v1", "ReplicaSet"))
    assert ref == {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "name": "web",
        "uid": "u-1",
        "controller": True,
        "blockOwnerDeletion": True,
    }
    assert is_controlled_by(_owned(ref), owner)


# --------------------------------------------------------------------------
# validation messages
# --------------------------------------------------------------------------

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
    "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)

VALIDATIONS = [
    (validate_dns1123_subdomain, "my-app.example.com", []),
    (validate_dns1123_subdomain, "a" * 253, []),
    (validate_dns1123_subdomain, "MyApp", [SUBDOMAIN_MSG]),
    (validate_dns1123_subdomain, "app-", [SUBDOMAIN_MSG]),
    (validate_dns1123_subdomain, "", [SUBDOMAIN_MSG]),
    (validate_dns1123_subdomain, "app\n", [SUBDOMAIN_MSG]),
    (validate_dns1123_subdomain, "a" * 254, ["must be no more than 253 characters"]),
    (validate_dns1123_label, "web-1", []),
    (validate_dns1123_label, "1abc", []),
    (validate_dns1123_label, "a.b", ["must not contain dots"]),
    (validate_dns1123_label, "Web", [LABEL_MSG]),
    (validate_dns1123_label, "a" * 64, ["must be no more than 63 characters"]),
    (validate_dns1123_label, "-" + "a" * 63, ["must be no more than 63 characters", LABEL_MSG]),
    (validate_dns1035_label, "svc", []),
    (validate_dns1035_label, "1svc", [DNS1035_MSG]),
    (validate_label_key, "app", []),
    (validate_label_key, "example.com/App_Name.1", []),
    (validate_label_key, "a" * 63, []),
    (validate_label_key, "a" * 64, ["name part must be no more than 63 characters"]),
    (validate_label_key, "-app", [NAME_PART_MSG]),
    (validate_label_key, "", ["name part must be non-empty", NAME_PART_MSG]),
    (validate_label_key, "/app", ["prefix part must be non-empty"]),
    (validate_label_key, "Example.com/app", ["prefix part " + SUBDOMAIN_MSG]),
    (validate_label_key, "example.com/", ["name part must be non-empty", NAME_PART_MSG]),
    (
        validate_label_key,
        "a/b/c",
        [
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
            "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ],
    ),
    (validate_label_value, "", []),
    (validate_label_value, "v1.2_beta-3", []),
    (validate_label_value, "-v", [VALUE_MSG]),
    (validate_label_value, "a b", [VALUE_MSG]),
    (validate_label_value, "é", [VALUE_MSG]),
    (validate_label_value, "v" * 64, ["must be no more than 63 characters"]),
]


@pytest.mark.parametrize("validate,value,expected", VALIDATIONS)
def test_validation_messages(validate, value: str, expected: list[str]) -> None:
    assert validate(value) == expected


def test_lengths_count_utf8_bytes() -> None:
    # 32 two-byte characters are 64 bytes: too long, whatever else is wrong.
    assert validate_label_value("é" * 32)[0] == "must be no more than 63 characters"


def test_validate_labels() -> None:
    assert validate_labels({"app": "web", "example.com/tier": ""}) == []
    assert validate_labels(None) == []
    assert validate_labels({"-bad": "ok", "good": "bad value"}) == [
        'metadata.labels: Invalid value: "-bad": ' + NAME_PART_MSG,
        'metadata.labels: Invalid value: "bad value": ' + VALUE_MSG,
    ]


def test_validate_annotations_keys_are_checked_lower_cased() -> None:
    assert validate_annotations({"Example.COM/Some-Key": "anything at all, even spaces"}) == []
    assert validate_annotations({"bad key": "v"}) == [
        'metadata.annotations: Invalid value: "bad key": ' + NAME_PART_MSG
    ]
    assert validate_annotations({"a": "v"}, path="spec.template.metadata.annotations") == []


def test_validate_annotations_size_limit() -> None:
    limit = 256 * 1024
    assert validate_annotations({"k": "v" * (limit - 1)}) == []
    assert validate_annotations({"k": "v" * limit}) == [
        "metadata.annotations: Too long: may not be more than 262144 bytes"
    ]
    # Keys count, and sizes are summed over all entries.
    assert validate_annotations({"a": "v" * (limit // 2), "b": "v" * (limit // 2)}) == [
        "metadata.annotations: Too long: may not be more than 262144 bytes"
    ]
    # Multi-byte characters count as their UTF-8 size.
    assert validate_annotations({"k": "é" * (limit // 2)}) == [
        "metadata.annotations: Too long: may not be more than 262144 bytes"
    ]
