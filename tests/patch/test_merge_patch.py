"""JSON merge patch (RFC 7386): the RFC's examples, immutability, two-way diff."""

from __future__ import annotations

import copy

import pytest

from kclient.patch import PatchError, apply_merge_patch, create_merge_patch

# RFC 7386, Appendix A: (original, patch, result)
RFC7386_APPENDIX_A = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize("original,patch,result", RFC7386_APPENDIX_A)
def test_rfc7386_appendix_a(original, patch, result) -> None:
    assert apply_merge_patch(original, patch) == result


def test_rfc7386_section_3_example() -> None:
    target = {
        "title": "Goodbye!",
        "author": {"givenName": "John", "familyName": "Doe"},
        "tags": ["example", "sample"],
        "content": "This will be unchanged",
    }
    patch = {
        "title": "Hello!",
        "phoneNumber": "+01-123-456-7890",
        "author": {"familyName": None},
        "tags": ["example"],
    }
    assert apply_merge_patch(target, patch) == {
        "title": "Hello!",
        "author": {"givenName": "John"},
        "tags": ["example"],
        "content": "This will be unchanged",
        "phoneNumber": "+01-123-456-7890",
    }


def test_inputs_are_never_mutated_nor_shared() -> None:
    target = {"metadata": {"labels": {"a": "1"}}, "spec": {"items": [{"x": 1}]}}
    patch = {"metadata": {"labels": {"b": "2"}}, "status": {"nested": {"k": "v"}}}
    target_before, patch_before = copy.deepcopy(target), copy.deepcopy(patch)
    result = apply_merge_patch(target, patch)
    assert target == target_before and patch == patch_before
    result["spec"]["items"][0]["x"] = 99
    result["status"]["nested"]["k"] = "changed"
    assert target == target_before and patch == patch_before


# (original, modified, expected patch)
TWO_WAY = [
    ({"a": 1}, {"a": 1}, {}),
    ({"a": 1}, {"a": 2}, {"a": 2}),
    ({"a": 1, "b": 2}, {"a": 1}, {"b": None}),
    ({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "c": 3, "d": 4}}, {"a": {"c": 3, "d": 4}}),
    ({"a": {"b": 1}}, {"a": {"b": 1}}, {}),
    ({"a": [1, 2]}, {"a": [1, 2, 3]}, {"a": [1, 2, 3]}),
    ({"a": [1, 2]}, {"a": [1, 2]}, {}),
    ({"a": {"b": 1}}, {"a": "x"}, {"a": "x"}),
    ({"a": 1}, {"a": True}, {"a": True}),
    ({"a": 1}, {"a": 1.0}, {}),
    ({}, {"a": {"b": [1]}}, {"a": {"b": [1]}}),
]


@pytest.mark.parametrize("original,modified,expected", TWO_WAY)
def test_create_merge_patch(original, modified, expected) -> None:
    patch = create_merge_patch(original, modified)
    assert patch == expected
    assert apply_merge_patch(original, patch) == modified


def test_create_merge_patch_for_a_deployment_edit() -> None:
    original = {
        "metadata": {"name": "web", "labels": {"app": "web", "old": "x"}, "resourceVersion": "7"},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "c", "image": "v1"}]}}},
    }
    modified = copy.deepcopy(original)
    modified["metadata"]["labels"].pop("old")
    modified["spec"]["replicas"] = 3
    modified["spec"]["template"]["spec"]["containers"][0]["image"] = "v2"
    patch = create_merge_patch(original, modified)
    assert patch == {
        "metadata": {"labels": {"old": None}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "c", "image": "v2"}]}}},
    }
    assert apply_merge_patch(original, patch) == modified


def test_create_merge_patch_needs_objects() -> None:
    with pytest.raises(PatchError):
        create_merge_patch([1], {"a": 1})  # type: ignore[arg-type]


# -- properties ---------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_scalars = st.one_of(st.booleans(), st.integers(-5, 5), st.text(max_size=3))
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)
_documents = st.dictionaries(st.text(max_size=3), _values, max_size=4)


@given(_documents, _documents)
def test_two_way_patch_round_trips(original: dict, modified: dict) -> None:
    # Without explicit nulls in ``modified``, applying the diff reproduces it.
    before = copy.deepcopy(original)
    assert apply_merge_patch(original, create_merge_patch(original, modified)) == modified
    assert original == before


@given(_documents)
def test_diff_with_itself_is_empty(document: dict) -> None:
    assert create_merge_patch(document, copy.deepcopy(document)) == {}
