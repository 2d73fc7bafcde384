"""Strategic merge engine against apimachinery's documented behaviour.

The schema below has the shape of apimachinery's own test type (a struct with
a list merged by ``name``, a primitive list merged as a set, lists without a
strategy, a field replaced whole and ``retainKeys`` fields), and the cases
are the outcomes its test suite records for applying a patch to a document,
including the exact element order.
"""

from __future__ import annotations

import copy

import pytest

from kclient.patch import PatchError, PatchMeta, strategic_merge

ITEM: dict[str, PatchMeta] = {}
RETAIN_KEYS_ITEM = {
    "mergingIntList": PatchMeta("merge"),
    "mergingList": PatchMeta("merge", "name", ITEM),
}
ITEM.update(
    {
        "mergingList": PatchMeta("merge", "name", ITEM),
        "mergingIntList": PatchMeta("merge"),
        "mergeItemPtr": PatchMeta("merge", "name", ITEM),
        "replacingItem": PatchMeta("replace"),
        "retainKeysMap": PatchMeta("retainKeys", schema=RETAIN_KEYS_ITEM),
        "retainKeysMergingList": PatchMeta("merge,retainKeys", "name", ITEM),
    }
)


def n(name, **fields):
    """A list element keyed by ``name``."""
    return {"name": name, **fields}


# (description, document, patch, result)
CASES = [
    # -- lists of primitives --------------------------------------------------
    ("unique scalars when merging", {"mergingIntList": [1, 2]}, {"mergingIntList": [2, 3]}, {"mergingIntList": [1, 2, 3]}),
    ("patch order wins in int list", {"mergingIntList": [1, 2, 3]}, {"mergingIntList": [3, 1, 2]}, {"mergingIntList": [3, 1, 2]}),
    ("partial patch order in int list", {"mergingIntList": [1, 2, 3]}, {"mergingIntList": [3, 1]}, {"mergingIntList": [2, 3, 1]}),
    ("non-merging int list is replaced", {"nonMergingIntList": [1, 2]}, {"nonMergingIntList": [2, 3]}, {"nonMergingIntList": [2, 3]}),
    (
        "$deleteFromPrimitiveList removes from a merging list",
        {"mergingIntList": [1, 2, 3]},
        {"$deleteFromPrimitiveList/mergingIntList": [2]},
        {"mergingIntList": [1, 3]},
    ),
    (
        "$deleteFromPrimitiveList removes from a list without strategy",
        {"nonMergingIntList": [1, 2, 3]},
        {"$deleteFromPrimitiveList/nonMergingIntList": [2]},
        {"nonMergingIntList": [1, 3]},
    ),
    (
        "$deleteFromPrimitiveList of a missing item",
        {"mergingIntList": [1, 2]},
        {"$deleteFromPrimitiveList/mergingIntList": [3]},
        {"mergingIntList": [1, 2]},
    ),
    (
        "$deleteFromPrimitiveList on a null list",
        {"mergingIntList": None},
        {"$deleteFromPrimitiveList/mergingIntList": [3]},
        {"mergingIntList": None},
    ),
    (
        "$deleteFromPrimitiveList never creates the list",
        {"foo": ["bar"]},
        {"$deleteFromPrimitiveList/mergingIntList": [3]},
        {"foo": ["bar"]},
    ),
    (
        "$deleteFromPrimitiveList with $setElementOrder keeps server-only items",
        {"mergingIntList": [1, 2, 3, 4]},
        {"$setElementOrder/mergingIntList": [1, 2], "$deleteFromPrimitiveList/mergingIntList": [3]},
        {"mergingIntList": [1, 2, 4]},
    ),
    (
        "$deleteFromPrimitiveList removes duplicates",
        {"mergingIntList": [1, 2, 3, 3, 4]},
        {"$setElementOrder/mergingIntList": [1, 2], "$deleteFromPrimitiveList/mergingIntList": [3]},
        {"mergingIntList": [1, 2, 4]},
    ),
    (
        "add and delete in an int list",
        {"mergingIntList": [1, 2, 3]},
        {
            "$setElementOrder/mergingIntList": [1, 2, 4],
            "$deleteFromPrimitiveList/mergingIntList": [3],
            "mergingIntList": [4],
        },
        {"mergingIntList": [1, 2, 4]},
    ),
    (
        "add an item in an int list in order",
        {"mergingIntList": [1, 2]},
        {"$setElementOrder/mergingIntList": [3, 1, 2], "mergingIntList": [3]},
        {"mergingIntList": [3, 1, 2]},
    ),
    (
        "add several items in an int list in order",
        {"mergingIntList": [1, 2]},
        {"$setElementOrder/mergingIntList": [1, 4, 2, 3], "mergingIntList": [4, 3]},
        {"mergingIntList": [1, 4, 2, 3]},
    ),
    (
        "delete an item and reorder an int list",
        {"mergingIntList": [1, 2, 3]},
        {"$setElementOrder/mergingIntList": [2, 1], "$deleteFromPrimitiveList/mergingIntList": [3]},
        {"mergingIntList": [2, 1]},
    ),
    (
        "$setElementOrder naming an absent int",
        {"mergingIntList": [1, 3]},
        {"$setElementOrder/mergingIntList": [3, 2, 1]},
        {"mergingIntList": [3, 1]},
    ),
    (
        "set the order of an int list with server-only items",
        {"mergingIntList": [1, 2, 9, 3, 4]},
        {"$setElementOrder/mergingIntList": [2, 1, 4, 3]},
        {"mergingIntList": [2, 1, 9, 4, 3]},
    ),
    (
        "set the order of an int list with several server-only items",
        {"mergingIntList": [1, 2, 7, 9, 8, 3, 4]},
        {"$setElementOrder/mergingIntList": [2, 1, 4, 3]},
        {"mergingIntList": [2, 1, 7, 9, 8, 4, 3]},
    ),
    (
        "set the order of an int list with duplicates",
        {"mergingIntList": [1, 2, 3, 2, 4]},
        {"$setElementOrder/mergingIntList": [2, 1, 4, 3, 2]},
        {"mergingIntList": [2, 2, 1, 4, 3]},
    ),
    # -- maps ----------------------------------------------------------------
    ("add a field", {"name": 1}, {"value": 1}, {"name": 1, "value": 1}),
    ("null deletes a field", {"name": 1, "other": "a"}, {"name": None, "value": 1}, {"value": 1, "other": "a"}),
    ("null for an absent field is dropped", {"name": "a", "other": "a"}, {"name": 1, "value": 1, "other": None}, {"name": 1, "value": 1}),
    (
        "delete a field from a nested map",
        {"simpleMap": {"key1": 1, "key2": 1, "other": "a"}},
        {"simpleMap": {"key2": None}},
        {"simpleMap": {"key1": 1, "other": "a"}},
    ),
    ("$patch: delete empties a nested map", {"simpleMap": {"key1": 1, "key2": 1}}, {"simpleMap": {"$patch": "delete"}}, {"simpleMap": {}}),
    ("$patch: replace at the top", {"name": 1, "value": 1}, {"$patch": "replace"}, {}),
    ("$patch: replace keeps the patch's keys", {"name": 1, "value": 1}, {"other": "a", "$patch": "replace"}, {"other": "a"}),
    (
        "replace strategy replaces a map whole",
        {"replacingItem": {"a": 1, "b": 2}},
        {"replacingItem": {"c": 3}},
        {"replacingItem": {"c": 3}},
    ),
    # -- lists of maps merged by key -------------------------------------------
    ("merge empty lists", {"mergingList": []}, {"mergingList": []}, {"mergingList": []}),
    ("$patch: replace element clears a list", {"mergingList": [n(1), n(2)]}, {"mergingList": [{"$patch": "replace"}]}, {"mergingList": []}),
    (
        "$patch: replace element with new items",
        {"mergingList": [n(1), n(2)]},
        {"mergingList": [n(3, value="c"), {"$patch": "replace"}]},
        {"mergingList": [n(3, value="c")]},
    ),
    (
        "$patch: delete removes every duplicate",
        {"mergingList": [n(1), n(1), n(2, value="a"), n(3), n(3)]},
        {"mergingList": [n(1, **{"$patch": "delete"}), n(3, **{"$patch": "delete"})]},
        {"mergingList": [n(2, value="a")]},
    ),
    (
        "delete all maps",
        {"mergingList": [n(1, other="a"), n(2, other="b")]},
        {"mergingList": [n(1, **{"$patch": "delete"}), n(2, **{"$patch": "delete"})]},
        {"mergingList": []},
    ),
    (
        "delete from an empty list",
        {"mergingList": []},
        {"mergingList": [n(1, **{"$patch": "delete"})]},
        {"mergingList": []},
    ),
    (
        "patch order wins in a merging list",
        {"mergingList": [n(1), n(2, value="b"), n(3)]},
        {"mergingList": [n(3, value="c"), n(1, value="a"), n(2, other="x")]},
        {"mergingList": [n(3, value="c"), n(1, value="a"), n(2, value="b", other="x")]},
    ),
    (
        "partial patch order in a merging list",
        {"mergingList": [n(1), n(2, value="b"), n(3)]},
        {"mergingList": [n(3, value="c"), n(1, value="a")]},
        {"mergingList": [n(2, value="b"), n(3, value="c"), n(1, value="a")]},
    ),
    (
        "a new element goes before the target's elements",
        {"mergingList": [n(1), n(2)]},
        {"mergingList": [n(3)]},
        {"mergingList": [n(3), n(1), n(2)]},
    ),
    (
        "null deletes a field inside a merged element",
        {"mergingList": [n(1, value=1, other="a"), n(2, value=2)]},
        {"$setElementOrder/mergingList": [n(1), n(2)], "mergingList": [n(1, value=None)]},
        {"mergingList": [n(1, other="a"), n(2, value=2)]},
    ),
    (
        "a list without strategy nested in a merged element is replaced",
        {"mergingList": [n(1, other="a", nonMergingList=[n(1), n(2, value=2)]), n(2, other="b")]},
        {"$setElementOrder/mergingList": [n(1), n(2)], "mergingList": [n(1, nonMergingList=[n(1, value=1)])]},
        {"mergingList": [n(1, other="a", nonMergingList=[n(1, value=1)]), n(2, other="b")]},
    ),
    (
        "an added list loses its directives",
        {"name": "hi"},
        {"mergingList": [n("hello"), {"$patch": "delete", "name": "doesntexist"}]},
        {"name": "hi", "mergingList": [n("hello")]},
    ),
    (
        "merge with an existing list, deleting a missing element",
        {"name": "hi", "mergingList": [n("hello2")]},
        {
            "$setElementOrder/mergingList": [n("hello"), n("doesntexist")],
            "mergingList": [n("hello"), {"$patch": "delete", "name": "doesntexist"}],
        },
        {"name": "hi", "mergingList": [n("hello"), n("hello2")]},
    ),
    # -- $setElementOrder on lists of maps ----------------------------------------
    (
        "add maps in the given order",
        {"mergingList": [n(1, other="a"), n(2, value=2, other="b")]},
        {
            "$setElementOrder/mergingList": [n(4), n(1), n(2), n(3)],
            "mergingList": [n(4, value=4), n(3, value=3)],
        },
        {"mergingList": [n(4, value=4), n(1, other="a"), n(2, value=2, other="b"), n(3, value=3)]},
    ),
    (
        "$setElementOrder naming an absent map",
        {"mergingList": [n(1), n(3)]},
        {"$setElementOrder/mergingList": [n(3), n(2), n(1)], "mergingList": [n(3, value=3), n(1, value=1)]},
        {"mergingList": [n(3, value=3), n(1, value=1)]},
    ),
    (
        "add and delete maps; server-only items keep their place",
        {"mergingList": [n(1), n(2, other="b"), n(4, other="c")]},
        {"$setElementOrder/mergingList": [n(2), n(3)], "mergingList": [n(3), n(1, **{"$patch": "delete"})]},
        {"mergingList": [n(2, other="b"), n(4, other="c"), n(3)]},
    ),
    (
        "add and delete maps when the target differs",
        {"mergingList": [n(1, other="a"), n(4, other="c")]},
        {
            "$setElementOrder/mergingList": [n(2), n(3)],
            "mergingList": [n(2), n(3), n(1, **{"$patch": "delete"})],
        },
        {"mergingList": [n(4, other="c"), n(2), n(3)]},
    ),
    (
        "delete a map that is not there",
        {"mergingList": [n(3, other="a")]},
        {"$setElementOrder/mergingList": [n(2)], "mergingList": [n(2), n(1, **{"$patch": "delete"})]},
        {"mergingList": [n(2), n(3, other="a")]},
    ),
    (
        "set the order with a server-only item at the end",
        {"mergingList": [n(1, other="a"), n(3, value=3), n(4, value=4), n(2, value=2), n(9)]},
        {"$setElementOrder/mergingList": [n(4), n(2), n(3), n(1)]},
        {"mergingList": [n(4, value=4), n(2, value=2), n(3, value=3), n(1, other="a"), n(9)]},
    ),
    (
        "set the order with a server-only item in the middle",
        {"mergingList": [n(1, other="a"), n(2, value=2), n(9), n(3, value=3), n(4, value=4)]},
        {"$setElementOrder/mergingList": [n(2), n(1), n(4), n(3)]},
        {"mergingList": [n(2, value=2), n(1, other="a"), n(9), n(4, value=4), n(3, value=3)]},
    ),
    (
        "set the order with several server-only items",
        {"mergingList": [n(1, other="a"), n(2, value=2), n(7), n(9), n(8), n(3, value=3), n(4, value=4)]},
        {"$setElementOrder/mergingList": [n(2), n(1), n(4), n(3)]},
        {"mergingList": [n(2, value=2), n(1, other="a"), n(7), n(9), n(8), n(4, value=4), n(3, value=3)]},
    ),
    (
        "set the order of a list with duplicate keys",
        {"mergingList": [n(1), n(2, value="dup1"), n(3), n(2, value="dup2"), n(4)]},
        {"$setElementOrder/mergingList": [n(2), n(1), n(4), n(3), n(2)]},
        {"mergingList": [n(2, value="dup1"), n(2, value="dup2"), n(1), n(4), n(3)]},
    ),
    # -- $retainKeys ---------------------------------------------------------------
    (
        "retainKeys field without directive merges",
        {"retainKeysMap": {"name": "foo"}},
        {"retainKeysMap": {"value": "bar"}},
        {"retainKeysMap": {"name": "foo", "value": "bar"}},
    ),
    (
        "retainKeys field without directive deletes with null",
        {"retainKeysMap": {"name": "foo", "value": "a"}},
        {"retainKeysMap": {"value": None}},
        {"retainKeysMap": {"name": "foo"}},
    ),
    (
        "$retainKeys clears an unlisted field",
        {"retainKeysMap": {"value": "foo"}},
        {"retainKeysMap": {"$retainKeys": ["other"], "other": "bar"}},
        {"retainKeysMap": {"other": "bar"}},
    ),
    (
        "$retainKeys switches a union member",
        {"retainKeysMap": {"name": "type1", "value": "foo"}},
        {"retainKeysMap": {"$retainKeys": ["name", "other"], "name": "type2", "other": "bar"}},
        {"retainKeysMap": {"name": "type2", "other": "bar"}},
    ),
    (
        "$retainKeys with a null deletion",
        {"retainKeysMap": {"name": "foo", "value": "bar", "other": "a"}},
        {"retainKeysMap": {"$retainKeys": ["name"], "value": None}},
        {"retainKeysMap": {"name": "foo"}},
    ),
    (
        "$retainKeys keeps nested maps merging",
        {"retainKeysMap": {"name": "foo", "value": "bar", "simpleMap": {"key1": "a", "key3": "c"}}},
        {"retainKeysMap": {"$retainKeys": ["name", "simpleMap", "value"], "simpleMap": {"key2": "b"}}},
        {"retainKeysMap": {"name": "foo", "value": "bar", "simpleMap": {"key1": "a", "key2": "b", "key3": "c"}}},
    ),
    (
        "$retainKeys inside merged list elements",
        {"retainKeysMergingList": [n("bar"), n("foo", value="a", other="x")]},
        {"retainKeysMergingList": [n("foo", value="b", **{"$retainKeys": ["name", "value"]})]},
        {"retainKeysMergingList": [n("bar"), n("foo", value="b")]},
    ),
]


@pytest.mark.parametrize("document,patch,result", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_apply(document: dict, patch: dict, result: dict) -> None:
    document_before, patch_before = copy.deepcopy(document), copy.deepcopy(patch)
    assert strategic_merge(document, patch, ITEM) == result
    assert document == document_before
    assert patch == patch_before


# (description, document, patch, error fragment)
ERRORS = [
    (
        "$setElementOrder disagrees with the patch list",
        {"mergingList": [n(1), n(3), n(2)]},
        {"$setElementOrder/mergingList": [n(1), n(2), n(3)], "mergingList": [n(3, value=3), n(1, value=1)]},
        "doesn't match $setElementOrder list",
    ),
    (
        "$setElementOrder disagrees with the int patch list",
        {"mergingIntList": [1, 3, 2]},
        {"$setElementOrder/mergingIntList": [1, 2, 3], "mergingIntList": [3, 1]},
        "doesn't match $setElementOrder list",
    ),
    (
        "element without merge key",
        {"mergingList": [n(1, value="a")]},
        {"mergingList": [{"value": "b"}]},
        'map: {"value":"b"} does not contain declared merge key: name',
    ),
    (
        "delete element without merge key",
        {"mergingList": [n(1)]},
        {"mergingList": [{"$patch": "delete"}]},
        "does not contain declared merge key: name",
    ),
    ("$patch: merge on a map", {"simpleMap": {"a": 1}}, {"simpleMap": {"$patch": "merge"}}, "unknown patch type: merge in map"),
    (
        "$patch: merge in a list",
        {"mergingList": [n(1)]},
        {"mergingList": [{"$patch": "merge"}]},
        "merging lists cannot yet be specified in the patch",
    ),
    ("unknown directive on a map", {"simpleMap": {"a": 1}}, {"simpleMap": {"$patch": "frob"}}, "unknown patch type: frob"),
    (
        "$retainKeys must list every patched key",
        {"retainKeysMap": {"name": "a"}},
        {"retainKeysMap": {"$retainKeys": ["name"], "value": "b"}},
        "invalid patch format of retainKeys",
    ),
    (
        "$retainKeys must be a list",
        {"retainKeysMap": {"name": "a"}},
        {"retainKeysMap": {"$retainKeys": "name"}},
        "invalid patch format of retainKeys",
    ),
    (
        "malformed $deleteFromPrimitiveList key",
        {"mergingIntList": [1]},
        {"$deleteFromPrimitiveListmergingIntList": [1]},
        "invalid patch format of primitive list",
    ),
    (
        "malformed $setElementOrder key",
        {"mergingIntList": [1]},
        {"$setElementOrder": [1]},
        "invalid patch format of setElementOrder list",
    ),
    ("lists of lists", {"mergingIntList": [[1]]}, {"mergingIntList": [[2]]}, "lists of lists are not supported"),
    ("mixed element types", {"mergingIntList": [1]}, {"mergingIntList": ["a"]}, "list element types are not identical"),
]


@pytest.mark.parametrize("document,patch,fragment", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors(document: dict, patch: dict, fragment: str) -> None:
    with pytest.raises(PatchError) as info:
        strategic_merge(document, patch, ITEM)
    assert fragment in str(info.value)


def test_error_names_the_field() -> None:
    with pytest.raises(PatchError) as info:
        strategic_merge({"mergingList": [n(1, mergingList=[n("a")])]}, {"mergingList": [n(1, mergingList=[{"x": 1}])]}, ITEM)
    assert info.value.path == "mergingList[name=1].mergingList"


def test_patch_must_be_an_object() -> None:
    with pytest.raises(PatchError):
        strategic_merge({}, [], ITEM)  # type: ignore[arg-type]
