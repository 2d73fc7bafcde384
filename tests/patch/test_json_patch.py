"""JSON patch (RFC 6902): the RFC's examples, errors, pointers, atomicity."""

from __future__ import annotations

import copy

import pytest

from kclient.patch import PatchError, apply_json_patch, parse_pointer

# RFC 6902, Appendix A: (document, patch, result)
RFC6902_APPENDIX_A = [
    # A.1 adding an object member
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    # A.2 adding an array element
    (
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    # A.3 removing an object member
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    # A.4 removing an array element
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    # A.5 replacing a value
    (
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    # A.6 moving a value
    (
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    # A.7 moving an array element
    (
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    # A.8 testing a value: success
    (
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    # A.10 adding a nested member object
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    # A.11 ignoring unrecognized elements
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
        {"foo": "bar", "baz": "qux"},
    ),
    # A.14 ~ escape ordering
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    # A.16 adding an array value
    (
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
]


@pytest.mark.parametrize("document,patch,result", RFC6902_APPENDIX_A)
def test_rfc6902_appendix_a(document, patch, result) -> None:
    assert apply_json_patch(document, patch) == result


# (document, patch, failing op index, path, detail fragment)
RFC6902_ERRORS = [
    # A.9 testing a value: error
    ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], 0, "/baz", "test failed"),
    # A.12 adding to a nonexistent target
    ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], 0, "/baz/bat", "'baz' does not exist"),
    # A.15 comparing strings and numbers
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}], 0, "/~01", "test failed"),
    # booleans are not numbers
    ({"a": 1}, [{"op": "test", "path": "/a", "value": True}], 0, "/a", "test failed"),
    ({"a": []}, [{"op": "remove", "path": "/a/0"}], 0, "/a/0", "out of bounds"),
    ({"a": [1]}, [{"op": "add", "path": "/a/2", "value": 0}], 0, "/a/2", "out of bounds"),
    ({"a": [1, 2]}, [{"op": "replace", "path": "/a/01", "value": 0}], 0, "/a/01", "not a valid array index"),
    ({"a": [1, 2]}, [{"op": "remove", "path": "/a/-1"}], 0, "/a/-1", "not a valid array index"),
    ({"a": [1, 2]}, [{"op": "remove", "path": "/a/-"}], 0, "/a/-", "'-' does not name"),
    ({"a": 1}, [{"op": "remove", "path": "/b"}], 0, "/b", "'b' does not exist"),
    ({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}], 0, "/b", "'b' does not exist"),
    ({"a": "s"}, [{"op": "add", "path": "/a/b", "value": 2}], 0, "/a/b", "cannot add a member to a string"),
    ({"a": {"b": {}}}, [{"op": "move", "from": "/a", "path": "/a/b/c"}], 0, "/a/b/c", "own children"),
    ({"a": 1}, [{"op": "copy", "from": "/x", "path": "/y"}], 0, "/y", "'x' does not exist"),
    ({"a": 1}, [{"op": "add", "path": "/b"}], 0, "/b", "missing 'value'"),
    ({"a": 1}, [{"op": "move", "path": "/b"}], 0, "/b", "missing 'from'"),
    ({"a": 1}, [{"op": "frobnicate", "path": "/a"}], 0, "/a", 'unknown operation "frobnicate"'),
    ({"a": 1}, [{"op": "add", "path": "a", "value": 1}], 0, "a", "must start with '/'"),
    ({"a": 1}, [{"op": "add", "path": "/a~2", "value": 1}], 0, "/a~2", "invalid '~' escape"),
    ({}, [{"op": "remove", "path": ""}], 0, "", "cannot remove the document root"),
]


@pytest.mark.parametrize("document,patch,index,path,fragment", RFC6902_ERRORS)
def test_errors_name_the_operation_and_path(document, patch, index, path, fragment) -> None:
    with pytest.raises(PatchError) as info:
        apply_json_patch(document, patch)
    err = info.value
    assert err.op_index == index
    assert err.path == path
    assert fragment in str(err)
    assert str(err).startswith(f"json patch operation {index} (path {path!r}): ")


def test_failed_patch_leaves_input_untouched() -> None:
    document = {"spec": {"replicas": 1, "items": [1, 2, 3]}, "metadata": {"labels": {"a": "b"}}}
    before = copy.deepcopy(document)
    patch = [
        {"op": "replace", "path": "/spec/replicas", "value": 5},
        {"op": "remove", "path": "/spec/items/0"},
        {"op": "add", "path": "/metadata/labels/c", "value": "d"},
        {"op": "test", "path": "/spec/replicas", "value": 1},
    ]
    with pytest.raises(PatchError) as info:
        apply_json_patch(document, patch)
    assert info.value.op_index == 3
    assert document == before


def test_result_does_not_alias_input_or_operations() -> None:
    document = {"a": {"b": [1]}}
    value = {"deep": ["x"]}
    result = apply_json_patch(
        document,
        [{"op": "add", "path": "/v", "value": value}, {"op": "copy", "from": "/a", "path": "/c"}],
    )
    result["v"]["deep"].append("y")
    result["c"]["b"].append(2)
    result["a"]["b"].append(3)
    assert value == {"deep": ["x"]}
    assert document == {"a": {"b": [1]}}
    assert result["c"]["b"] == [1, 2]


SUCCESSES = [
    ({"a": 1}, [{"op": "replace", "path": "", "value": [1]}], [1]),
    ({"a": 1}, [{"op": "add", "path": "", "value": {"b": 2}}], {"b": 2}),
    ({"a": [1]}, [{"op": "add", "path": "/a/1", "value": 2}], {"a": [1, 2]}),
    ({"a": [1]}, [{"op": "add", "path": "/a/0", "value": 0}], {"a": [0, 1]}),
    ({"a": {"x": 1}}, [{"op": "copy", "from": "/a", "path": "/b"}], {"a": {"x": 1}, "b": {"x": 1}}),
    ({"a": 1}, [{"op": "move", "from": "/a", "path": "/a"}], {"a": 1}),
    ({"a/b": {"m~n": 1}}, [{"op": "replace", "path": "/a~1b/m~0n", "value": 2}], {"a/b": {"m~n": 2}}),
    ({"a": {"1": "x"}}, [{"op": "remove", "path": "/a/1"}], {"a": {}}),
    ({"a": None}, [{"op": "test", "path": "/a", "value": None}], {"a": None}),
    ({"a": [1.0, {"b": 2}]}, [{"op": "test", "path": "/a", "value": [1, {"b": 2.0}]}], {"a": [1.0, {"b": 2}]}),
    (
        {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}},
        [{"op": "move", "from": "/spec/containers/1", "path": "/spec/containers/0"}],
        {"spec": {"containers": [{"name": "b"}, {"name": "a"}]}},
    ),
]


@pytest.mark.parametrize("document,patch,result", SUCCESSES)
def test_operations(document, patch, result) -> None:
    assert apply_json_patch(document, patch) == result


def test_patch_must_be_a_list_of_operation_objects() -> None:
    with pytest.raises(PatchError):
        apply_json_patch({}, {"op": "add"})  # type: ignore[arg-type]
    with pytest.raises(PatchError) as info:
        apply_json_patch({}, [{"op": "add", "path": "/a", "value": 1}, "junk"])
    assert info.value.op_index == 1
    with pytest.raises(PatchError) as info:
        apply_json_patch({}, [{"path": "/a"}])
    assert "missing 'op'" in str(info.value)


POINTERS = [
    ("", []),
    ("/", [""]),
    ("/foo/0", ["foo", "0"]),
    ("/a~1b", ["a/b"]),
    ("/m~0n", ["m~n"]),
    ("/~01", ["~1"]),
    ("/ ", [" "]),
]


@pytest.mark.parametrize("pointer,tokens", POINTERS)
def test_parse_pointer(pointer: str, tokens: list[str]) -> None:
    assert parse_pointer(pointer) == tokens
