"""Label and field selectors: parsing, rendering, matching, per-kind fields."""

from __future__ import annotations

import pytest

from kclient.fields import (
    FieldSelector,
    FieldSelectorError,
    convert_field_label,
    convert_field_selector,
    object_fields,
    parse_field_selector,
    pod_fields,
    supported_field_labels,
)
from kclient.labels import (
    Requirement,
    Selector,
    SelectorError,
    new_requirement,
    parse_selector,
    selector_from_label_selector,
    selector_from_set,
    validated_selector_from_set,
)

NAME_PART_REGEX_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)

# (input, canonical rendering)
VALID_SELECTORS = [
    ("", ""),
    ("   ", ""),
    ("x=a", "x=a"),
    ("x==a", "x==a"),
    ("x!=a", "x!=a"),
    ("y==b,x=a", "x=a,y==b"),
    ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
    ("  x  in  ( b , a )  ", "x in (a,b)"),
    ("w in (b,a,b)", "w in (a,b)"),
    ("x in (a,)", "x in (,a)"),
    ("x in (,a)", "x in (,a)"),
    ("x", "x"),
    ("!x", "!x"),
    ("! x", "!x"),
    ("x>1", "x>1"),
    ("x < 10", "x<10"),
    ("x in (in)", "x in (in)"),
    ("x notin (notin,in)", "x notin (in,notin)"),
    ("example.com/app-name_1=v.1", "example.com/app-name_1=v.1"),
    ("x=", "x="),
    ("x=,y=b", "x=,y=b"),
    ("b notin (x),a in (y),a notin (z)", "a in (y),a notin (z),b notin (x)"),
    ("x\t=\na", "x=a"),
    ("in=a", "in=a"),
]


@pytest.mark.parametrize("text,canonical", VALID_SELECTORS)
def test_parse_renders_canonical_string(text: str, canonical: str) -> None:
    selector = parse_selector(text)
    assert str(selector) == canonical
    # The canonical form parses back to the same selector.
    assert parse_selector(canonical) == selector
    assert str(parse_selector(canonical)) == canonical


def test_parse_exposes_requirements_sorted_with_value_sets() -> None:
    selector = parse_selector("z, x in (b,a,b), !y, w>3")
    assert selector.requirements == (
        Requirement("w", "gt", ("3",)),
        Requirement("x", "in", ("a", "b")),
        Requirement("y", "!", ()),
        Requirement("z", "exists", ()),
    )


# (selector, labels, expected)
MATCHES = [
    ("x=a", {"x": "a"}, True),
    ("x=a", {"x": "b"}, False),
    ("x=a", {}, False),
    ("x==a", {"x": "a", "y": "b"}, True),
    ("x!=a", {}, True),
    ("x!=a", {"x": "a"}, False),
    ("x!=a", {"x": "b"}, True),
    ("x in (a,b)", {"x": "b"}, True),
    ("x in (a,b)", {"x": "c"}, False),
    ("x in (a,b)", {}, False),
    ("x notin (a,b)", {}, True),
    ("x notin (a,b)", {"x": "a"}, False),
    ("x in ()", {"x": ""}, True),
    ("x in ()", {"x": "a"}, False),
    ("x=", {"x": ""}, True),
    ("x=", {}, False),
    ("x", {"x": ""}, True),
    ("x", {}, False),
    ("!x", {}, True),
    ("!x", {"x": "a"}, False),
    ("x>1", {"x": "2"}, True),
    ("x>1", {"x": "1"}, False),
    ("x>1", {"x": "a"}, False),
    ("x>1", {}, False),
    ("x<1", {"x": "-5"}, True),
    ("x<1", {"x": "+0"}, True),
    ("x<1", {"x": " 0"}, False),
    ("x=a,y", {"x": "a"}, False),
    ("x=a,y", {"x": "a", "y": "z"}, True),
    ("", {}, True),
    ("", None, True),
    ("!x", None, True),
]


@pytest.mark.parametrize("text,labels,expected", MATCHES)
def test_matches(text: str, labels: dict | None, expected: bool) -> None:
    assert parse_selector(text).matches(labels) is expected


# (input, detail, position)
PARSE_ERRORS = [
    ("x=a,", "found '', expected: identifier after ','", 4),
    ("x=a,,y", "found ',', expected: identifier after ','", 4),
    (
        "x y",
        "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt",
        2,
    ),
    ("x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'", 8),
    ("x in a", "unable to parse requirement: found 'a' expected: '('", 5),
    ("x in ((a)", "unable to parse requirement: found '(', expected: ',', ')' or identifier", 6),
    ("x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier", 8),
    ("x in", "unable to parse requirement: found '' expected: '('", 4),
    ("=a", "found '=', expected: !, identifier, or 'end of string'", 0),
    ("(x)", "found '(', expected: !, identifier, or 'end of string'", 0),
    ("x=a b", "found 'b', expected: ',' or 'end of string'", 4),
    ("x=a=b", "found '=', expected: ',' or 'end of string'", 3),
    ("!x=a", "found '=', expected: ',' or 'end of string'", 2),
    ("!", "unable to parse requirement: found '', expected: identifier", 1),
    ("x=(a)", "unable to parse requirement: found '(', expected: identifier", 2),
    (
        "-x=a",
        'unable to parse requirement: key: Invalid value: "-x": ' + NAME_PART_REGEX_MSG,
        0,
    ),
    (
        "x=a_",
        'unable to parse requirement: values[0][x]: Invalid value: "a_": ' + LABEL_VALUE_MSG,
        0,
    ),
    (
        "a,x>b",
        'unable to parse requirement: values[0]: Invalid value: "b": '
        "for 'Gt', 'Lt' operators, the value must be an integer",
        2,
    ),
    (
        "a" * 64 + "=b",
        f'unable to parse requirement: key: Invalid value: "{"a" * 64}": '
        "name part must be no more than 63 characters",
        0,
    ),
    (
        "x=" + "v" * 64,
        f'unable to parse requirement: values[0][x]: Invalid value: "{"v" * 64}": '
        "must be no more than 63 characters",
        0,
    ),
    (
        "/x",
        'unable to parse requirement: key: Invalid value: "/x": prefix part must be non-empty',
        0,
    ),
]


@pytest.mark.parametrize("text,detail,position", PARSE_ERRORS)
def test_parse_errors_name_problem_and_position(text: str, detail: str, position: int) -> None:
    with pytest.raises(SelectorError) as info:
        parse_selector(text)
    assert info.value.detail == detail
    assert info.value.position == position
    assert str(info.value) == f"{detail} (at position {position})"
    assert isinstance(info.value, ValueError)


def test_selector_equality_and_hash_ignore_input_order() -> None:
    a = parse_selector("b=1,a in (y,x)")
    b = parse_selector("a in (x,y), b=1")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert a != parse_selector("b=1,a in (x)")
    assert a != parse_selector("b==1,a in (x,y)")


def test_everything_and_nothing() -> None:
    everything = Selector.everything()
    nothing = Selector.nothing()
    assert everything.empty and everything.matches({"a": "b"}) and everything.matches(None)
    assert not nothing.empty and not nothing.matches({}) and not nothing.matches({"a": "b"})
    assert str(nothing) == "" and str(everything) == ""
    assert nothing != everything
    assert parse_selector("") == everything
    assert nothing.requirements == ()
    assert nothing.add(Requirement("a", "exists")) == nothing


def test_add_and_requires_exact_match() -> None:
    selector = parse_selector("b=2").add(new_requirement("a", "in", ["1"]))
    assert str(selector) == "a in (1),b=2"
    assert selector.requires_exact_match("a") == "1"
    assert selector.requires_exact_match("b") == "2"
    assert parse_selector("a in (1,2)").requires_exact_match("a") is None
    assert parse_selector("a!=1").requires_exact_match("a") is None
    assert selector.requires_exact_match("c") is None


def test_new_requirement_validates() -> None:
    with pytest.raises(SelectorError) as info:
        new_requirement("a", "in", [])
    assert info.value.detail == (
        "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
    )
    with pytest.raises(SelectorError) as info:
        new_requirement("a", "=", ["x", "y"])
    assert info.value.detail == (
        'values: Invalid value: ["x","y"]: exact-match compatibility requires one single value'
    )
    with pytest.raises(SelectorError) as info:
        new_requirement("a", "~", [])
    assert info.value.detail.startswith('operator: Unsupported value: "~": supported values: "in"')
    # Several problems are aggregated as upstream's "[a, b]".
    with pytest.raises(SelectorError) as info:
        new_requirement("-a", "exists", ["x"])
    assert info.value.detail.startswith('[key: Invalid value: "-a": ')
    assert "values set must be empty for exists and does not exist" in info.value.detail


def test_selector_from_set() -> None:
    assert str(selector_from_set({"b": "2", "a": "1"})) == "a=1,b=2"
    assert selector_from_set(None) == Selector.everything()
    assert selector_from_set({}).empty
    # No validation, as upstream; the validated variant rejects.
    assert str(selector_from_set({"a b": "c"})) == "a b=c"
    with pytest.raises(SelectorError):
        validated_selector_from_set({"a b": "c"})
    assert selector_from_set({"app": "web"}).matches({"app": "web", "tier": "x"})


LABEL_SELECTORS = [
    (None, None),
    ({}, ""),
    ({"matchLabels": {}, "matchExpressions": []}, ""),
    ({"matchLabels": {"b": "2", "a": "1"}}, "a=1,b=2"),
    (
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["fe", "be"]},
                {"key": "env", "operator": "NotIn", "values": ["dev"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "Exists", "values": []},
            ],
        },
        "app=web,!canary,env notin (dev),tier in (be,fe),zone",
    ),
]


@pytest.mark.parametrize("label_selector,rendered", LABEL_SELECTORS)
def test_selector_from_label_selector(label_selector: dict | None, rendered: str | None) -> None:
    selector = selector_from_label_selector(label_selector)
    if rendered is None:
        assert selector == Selector.nothing()
        assert not selector.matches({})
    else:
        assert str(selector) == rendered


def test_selector_from_label_selector_matching() -> None:
    selector = selector_from_label_selector(
        {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe"]}]}
    )
    assert selector.matches({"app": "web", "tier": "fe"})
    assert not selector.matches({"app": "web", "tier": "be"})
    assert not selector.matches({"tier": "fe"})
    assert selector_from_label_selector({}).matches({"anything": "x"})


LABEL_SELECTOR_ERRORS = [
    (
        {"matchExpressions": [{"key": "a", "operator": "Foo"}]},
        '"Foo" is not a valid label selector operator',
    ),
    (
        {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
        "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    ),
    (
        {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
        'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    ),
    (
        {"matchLabels": {"a": "not valid"}},
        'values[0][a]: Invalid value: "not valid": ' + LABEL_VALUE_MSG,
    ),
    (
        {"matchLabels": {"a/b/c": "x"}},
        'key: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  "
        "or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
        "(e.g. 'example.com/MyName')",
    ),
]


@pytest.mark.parametrize("label_selector,detail", LABEL_SELECTOR_ERRORS)
def test_selector_from_label_selector_errors(label_selector: dict, detail: str) -> None:
    with pytest.raises(SelectorError) as info:
        selector_from_label_selector(label_selector)
    assert info.value.detail == detail


# --------------------------------------------------------------------------
# field selectors
# --------------------------------------------------------------------------

# (input, requirements, canonical rendering)
FIELD_SELECTORS = [
    ("", (), ""),
    (",,", (), ""),
    ("a=1", (("a", "=", "1"),), "a=1"),
    ("a==1", (("a", "=", "1"),), "a=1"),
    ("a!=1", (("a", "!=", "1"),), "a!=1"),
    ("b=2,a=1", (("a", "=", "1"), ("b", "=", "2")), "a=1,b=2"),
    ("metadata.name=", (("metadata.name", "=", ""),), "metadata.name="),
    (r"a=x\,y\=z\\w", (("a", "=", "x,y=z\\w"),), r"a=x\,y\=z\\w"),
    (r"b=1,a=p\,q", (("a", "=", "p,q"), ("b", "=", "1")), r"a=p\,q,b=1"),
    ("a = b", (("a ", "=", " b"),), "a = b"),
    ("a!==b", (("a", "!=", "=b"),), None),
]


@pytest.mark.parametrize("text,requirements,canonical", FIELD_SELECTORS)
def test_parse_field_selector(text: str, requirements: tuple, canonical: str | None) -> None:
    if canonical is None:
        with pytest.raises(FieldSelectorError):
            parse_field_selector(text)
        return
    selector = parse_field_selector(text)
    assert selector.requirements == requirements
    assert str(selector) == canonical
    assert parse_field_selector(str(selector)) == selector
    assert selector.empty is (not requirements)


# (input, detail, position)
FIELD_SELECTOR_ERRORS = [
    ("a", "invalid selector: 'a'; can't understand 'a'", 0),
    ("x=1,abc", "invalid selector: 'x=1,abc'; can't understand 'abc'", 4),
    (r"a=b\x", r"invalid field selector: invalid escape sequence: \x", 3),
    ("a=b\\", "invalid field selector: invalid escape sequence: \\", 3),
    ("a=b=c", "invalid field selector: unescaped character in value: =", 3),
    (r"a=1\,b=2", "invalid field selector: unescaped character in value: =", 6),
]


@pytest.mark.parametrize("text,detail,position", FIELD_SELECTOR_ERRORS)
def test_field_selector_errors(text: str, detail: str, position: int) -> None:
    with pytest.raises(FieldSelectorError) as info:
        parse_field_selector(text)
    assert info.value.detail == detail
    assert info.value.position == position


FIELD_MATCHES = [
    ("status.phase=Running", {"status.phase": "Running"}, True),
    ("status.phase=Running", {"status.phase": "Pending"}, False),
    ("status.phase!=Running", {"status.phase": "Pending"}, True),
    ("status.phase!=Running", {}, True),
    ("spec.nodeName=", {}, True),
    ("spec.nodeName=", {"spec.nodeName": "n1"}, False),
    ("a=1,b!=2", {"a": "1", "b": "3"}, True),
    ("a=1,b!=2", {"a": "1", "b": "2"}, False),
    (r"a=x\,y", {"a": "x,y"}, True),
    ("", {}, True),
]


@pytest.mark.parametrize("text,fields,expected", FIELD_MATCHES)
def test_field_selector_matches(text: str, fields: dict, expected: bool) -> None:
    assert parse_field_selector(text).matches(fields) is expected


def test_field_selector_from_set_and_exact_match() -> None:
    selector = FieldSelector.from_set({"b": "x,y", "a": "1"})
    assert str(selector) == r"a=1,b=x\,y"
    assert selector.requires_exact_match("b") == "x,y"
    assert parse_field_selector("a!=1").requires_exact_match("a") is None
    assert hash(selector) == hash(parse_field_selector(str(selector)))


# --------------------------------------------------------------------------
# selectable fields per kind
# --------------------------------------------------------------------------

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "prod", "labels": {"app": "web"}},
    "spec": {
        "nodeName": "node-a",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "hostNetwork": True,
    },
    "status": {
        "phase": "Running",
        "podIP": "10.0.0.9",
        "podIPs": [{"ip": "10.0.0.7"}, {"ip": "fd00::7"}],
        "nominatedNodeName": "node-b",
    },
}


def test_pod_fields() -> None:
    assert pod_fields(POD) == {
        "metadata.name": "web-1",
        "metadata.namespace": "prod",
        "spec.nodeName": "node-a",
        "spec.restartPolicy": "Always",
        "spec.schedulerName": "default-scheduler",
        "spec.serviceAccountName": "default",
        "spec.hostNetwork": "true",
        "status.phase": "Running",
        "status.podIP": "10.0.0.7",
        "status.nominatedNodeName": "node-b",
    }
    assert object_fields("pods", POD) == pod_fields(POD)


def test_pod_fields_defaults() -> None:
    fields = pod_fields({"metadata": {"name": "p", "namespace": "d"}, "status": {"podIP": "1.2.3.4"}})
    assert fields["spec.hostNetwork"] == "false"
    assert fields["spec.nodeName"] == ""
    assert fields["status.podIP"] == "1.2.3.4"


OBJECT_FIELDS = [
    (
        "nodes",
        "",
        {"metadata": {"name": "n1"}, "spec": {"unschedulable": True}},
        {"metadata.name": "n1", "spec.unschedulable": "true"},
    ),
    ("nodes", "", {"metadata": {"name": "n1"}}, {"metadata.name": "n1", "spec.unschedulable": "false"}),
    (
        "namespaces",
        "",
        {"metadata": {"name": "ns"}, "status": {"phase": "Terminating"}},
        {"metadata.name": "ns", "status.phase": "Terminating", "name": "ns"},
    ),
    (
        "secrets",
        "",
        {"metadata": {"name": "s", "namespace": "d"}, "type": "kubernetes.io/tls"},
        {"metadata.name": "s", "metadata.namespace": "d", "type": "kubernetes.io/tls"},
    ),
    (
        "replicationcontrollers",
        "",
        {"metadata": {"name": "r", "namespace": "d"}, "status": {"replicas": 3}},
        {"metadata.name": "r", "metadata.namespace": "d", "status.replicas": "3"},
    ),
    (
        "replicasets",
        "apps",
        {"metadata": {"name": "r", "namespace": "d"}},
        {"metadata.name": "r", "metadata.namespace": "d", "status.replicas": "0"},
    ),
    (
        "jobs.batch",
        "",
        {"metadata": {"name": "j", "namespace": "d"}, "status": {"succeeded": 2}},
        {"metadata.name": "j", "metadata.namespace": "d", "status.successful": "2"},
    ),
    (
        "services",
        "",
        {"metadata": {"name": "s", "namespace": "d"}, "spec": {"clusterIP": "None", "type": "ClusterIP"}},
        {"metadata.name": "s", "metadata.namespace": "d", "spec.clusterIP": "None", "spec.type": "ClusterIP"},
    ),
    ("configmaps", "", {"metadata": {"name": "c", "namespace": "d"}}, {"metadata.name": "c", "metadata.namespace": "d"}),
    ("persistentvolumes", "", {"metadata": {"name": "pv"}}, {"metadata.name": "pv"}),
]


@pytest.mark.parametrize("resource,group,obj,expected", OBJECT_FIELDS)
def test_object_fields(resource: str, group: str, obj: dict, expected: dict) -> None:
    assert object_fields(resource, obj, group) == expected


def test_event_fields_source_falls_back_to_reporting_component() -> None:
    event = {
        "metadata": {"name": "e", "namespace": "d"},
        "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "d", "uid": "u1"},
        "reason": "Started",
        "type": "Normal",
        "reportingComponent": "kubelet",
    }
    fields = object_fields("events", event)
    assert fields["source"] == "kubelet"
    assert fields["involvedObject.kind"] == "Pod"
    assert fields["involvedObject.uid"] == "u1"
    assert fields["involvedObject.fieldPath"] == ""
    event["source"] = {"component": "scheduler"}
    assert object_fields("events", event)["source"] == "scheduler"
    # The events.k8s.io form reads the renamed fields.
    v1 = {
        "metadata": {"name": "e", "namespace": "d"},
        "regarding": {"kind": "Node", "name": "n1"},
        "reportingController": "ctrl",
    }
    fields = object_fields("events", v1, group="events.k8s.io")
    assert fields["involvedObject.kind"] == "Node"
    assert fields["reportingComponent"] == "ctrl"
    assert fields["source"] == "ctrl"


def test_supported_field_labels() -> None:
    pods = supported_field_labels("pods")
    assert {"metadata.name", "spec.nodeName", "status.podIP", "status.podIPs"} <= pods
    assert "spec.host" not in pods
    assert supported_field_labels("nodes") == frozenset({"metadata.name", "spec.unschedulable"})
    assert supported_field_labels("configmaps") == frozenset({"metadata.name", "metadata.namespace"})
    assert supported_field_labels("storageclasses") == frozenset({"metadata.name"})
    assert "status.successful" in supported_field_labels("jobs", "batch")
    assert "status.replicas" not in supported_field_labels("replicasets", "apps")


CONVERSIONS = [
    ("pods", "", "spec.host", ("spec.nodeName", "n1")),
    ("pods", "", "status.phase", ("status.phase", "n1")),
    ("events", "events.k8s.io", "regarding.name", ("involvedObject.name", "n1")),
    ("events", "events.k8s.io", "reportingController", ("reportingComponent", "n1")),
    ("configmaps", "", "metadata.namespace", ("metadata.namespace", "n1")),
]


@pytest.mark.parametrize("resource,group,label,expected", CONVERSIONS)
def test_convert_field_label(resource: str, group: str, label: str, expected: tuple) -> None:
    assert convert_field_label(resource, label, "n1", group) == expected


REJECTIONS = [
    ("pods", "", "spec.foo", "field label not supported: spec.foo"),
    ("nodes", "", "metadata.namespace", "field label not supported: metadata.namespace"),
    ("events", "events.k8s.io", "involvedObject.name", "field label not supported: involvedObject.name"),
    (
        "configmaps",
        "",
        "data.key",
        '"data.key" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ),
    (
        "replicasets",
        "apps",
        "status.replicas",
        '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ),
    ("jobs", "batch", "status.failed", 'field label "status.failed" not supported for "Job"'),
]


@pytest.mark.parametrize("resource,group,label,message", REJECTIONS)
def test_convert_field_label_rejects_with_upstream_message(
    resource: str, group: str, label: str, message: str
) -> None:
    with pytest.raises(FieldSelectorError) as info:
        convert_field_label(resource, label, "x", group)
    assert str(info.value) == message


def test_field_selector_end_to_end_on_pods() -> None:
    selector = convert_field_selector("pods", "spec.host=node-a,status.phase!=Failed")
    assert str(selector) == "spec.nodeName=node-a,status.phase!=Failed"
    assert selector.matches(object_fields("pods", POD))
    other = {**POD, "spec": {**POD["spec"], "nodeName": "node-z"}}
    assert not selector.matches(object_fields("pods", other))
    with pytest.raises(FieldSelectorError):
        convert_field_selector("pods", "spec.containers=x")


# -- properties ---------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_selector_text = st.text(alphabet="ab.-_/=!(),<>19 \tinotx", max_size=24)


@given(_selector_text)
def test_any_text_parses_or_raises_selector_error(text: str) -> None:
    try:
        selector = parse_selector(text)
    except SelectorError as err:
        assert err.position is not None and 0 <= err.position <= len(text)
        return
    # Whatever parses renders to a canonical form that parses to the same selector.
    assert parse_selector(str(selector)) == selector


@given(st.text(alphabet="ab=!,\\ .", max_size=16))
def test_any_text_parses_or_raises_field_selector_error(text: str) -> None:
    try:
        selector = parse_field_selector(text)
    except FieldSelectorError:
        return
    assert parse_field_selector(str(selector)) == selector
