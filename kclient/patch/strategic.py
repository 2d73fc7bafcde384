"""Strategic merge patch: the ``application/strategic-merge-patch+json`` type.

A strategic merge patch is a JSON merge patch that knows, from the kind's
patch metadata (:mod:`kclient.patch.schema`), which lists to merge:

- objects merge key by key; ``null`` deletes a key;
- a list tagged ``patchStrategy:"merge"`` with a ``patchMergeKey`` merges its
  elements by that key (an element whose key is new is added, one whose key
  exists is merged into it); a tagged list of primitives merges as a set;
- every other list, and every field tagged ``replace``, is replaced whole.

Directives, as apimachinery's ``strategicpatch`` (``StrategicMergeMapPatch``)
applies them on the server side:

``{"$patch": "replace"}`` in an object
    the object becomes the patch's object (minus the directive);
``{"$patch": "delete"}`` in an object
    the object becomes ``{}``;
``{"$patch": "delete", <key>: v}`` as an element of a merged list
    every element whose merge key is ``v`` is removed;
``{"$patch": "replace"}`` as an element of a merged list
    the list becomes the patch's other elements;
``"$retainKeys": [...]``
    keys of the target object not listed are dropped (and every non-null
    key of the patch object must be listed);
``"$deleteFromPrimitiveList/<field>": [...]``
    those values are removed from the primitive list ``<field>``;
``"$setElementOrder/<field>": [...]``
    the order the listed elements (by merge key, or value) must end in.

``$patch: merge`` is rejected, as upstream does.  Ordering follows upstream
exactly: elements named in the patch keep the patch's order (or the
``$setElementOrder`` one), and are interleaved with the elements only the
target has, which keep theirs; an element new to the list comes before the
target's elements that follow no patch element.

Divergences, all of which only matter for malformed input: a field the
schema does not list is treated as untagged rather than rejected; values
copied in from the patch have their directives and ``null`` members removed
(upstream leaves some in place and relies on decoding into the Go type to
drop them); and ``$setElementOrder`` on a list that ends up empty is a no-op
rather than an error.

Invariants: the inputs are never mutated; the result shares no containers
with them.
"""

from __future__ import annotations

from typing import Any

from kclient.patch._json import copy_json, json_equal, kind_of, render
from kclient.patch.errors import PatchError
from kclient.patch.merge import apply_merge_patch
from kclient.patch.schema import NO_META, PatchMeta, Schema, schema_for

__all__ = ["apply_strategic_merge_patch", "strategic_merge"]

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_DELETE_PREFIX = "$deleteFromPrimitiveList"
_ORDER_PREFIX = "$setElementOrder"


def _is_directive_key(key: str) -> bool:
    return (
        key in (_DIRECTIVE, _RETAIN_KEYS)
        or key.startswith(_DELETE_PREFIX + "/")
        or key.startswith(_ORDER_PREFIX + "/")
    )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _clean(value: Any) -> tuple[Any, bool]:
    """A patch value ready to be stored: ``(value, keep)``.

    Objects carrying ``$patch`` are dropped (``keep`` is False), other
    directive keys and ``null`` members are removed at every depth.
    """
    if isinstance(value, dict):
        if _DIRECTIVE in value:
            return None, False
        out = {}
        for key, item in value.items():
            if item is None or _is_directive_key(key):
                continue
            cleaned, keep = _clean(item)
            if keep:
                out[key] = cleaned
        return out, True
    if isinstance(value, list):
        items = []
        for item in value:
            cleaned, keep = _clean(item)
            if keep:
                items.append(cleaned)
        return items, True
    return value, True


def _strategy(meta: PatchMeta, path: str) -> str:
    """The merge strategy of a field once ``retainKeys`` is set aside."""
    parts = [p for p in meta.strategy.split(",") if p]
    if not parts:
        return ""
    if len(parts) == 1:
        return "" if parts[0] == "retainKeys" else parts[0]
    if len(parts) == 2 and "retainKeys" in parts:
        return parts[0] if parts[1] == "retainKeys" else parts[1]
    raise PatchError(f"unexpected patch strategy: {parts}", path=path)


def _lookup(schema: Schema | None, key: str) -> PatchMeta:
    if schema is None:
        return NO_META
    return schema.get(key, NO_META)


def _extract_key(key: str, prefix: str, path: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        kind = "primitive list" if prefix == _DELETE_PREFIX else "setElementOrder list"
        raise PatchError(f"invalid patch format of {kind}", path=_join(path, key))
    return rest


def _no_merge_key(item: Any, merge_key: str, path: str) -> PatchError:
    return PatchError(
        f"map: {render(item)} does not contain declared merge key: {merge_key}", path=path
    )


def _unknown_patch_type(directive: Any, where: dict) -> str:
    shown = directive if isinstance(directive, str) else render(directive)
    return f"unknown patch type: {shown} in map: {render(where)}"


def _element_kind(path: str, *lists: list) -> str:
    kind = None
    for items in lists:
        for item in items:
            this = kind_of(item)
            if kind is None:
                if this == "array":
                    raise PatchError("lists of lists are not supported", path=path)
                kind = this
            elif this != kind:
                raise PatchError(
                    f"list element types are not identical: {render(list(lists))}", path=path
                )
    if kind is None:
        raise PatchError("no elements in any of the given slices", path=path)
    return kind


def _find(items: list, merge_key: str, value: Any, path: str) -> int | None:
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise PatchError(f"value for key {i} is not a map", path=path)
        if merge_key in item and json_equal(item[merge_key], value):
            return i
    return None


def _order_value(item: Any, merge_key: str, kind: str) -> Any:
    if kind == "object":
        return item.get(merge_key) if isinstance(item, dict) else None
    return item


def _index(order: list, item: Any, merge_key: str, kind: str) -> int:
    wanted = _order_value(item, merge_key, kind)
    for i, other in enumerate(order):
        if json_equal(_order_value(other, merge_key, kind), wanted):
            return i
    return -1


def _check_merge_keys(merge_key: str, path: str, *lists: list) -> None:
    for items in lists:
        for item in items:
            if not isinstance(item, dict):
                raise PatchError(f"expected a map, got {render(item)}", path=path)
            if merge_key not in item:
                raise _no_merge_key(item, merge_key, path)


def _sort_by(items: list, order: list, merge_key: str, kind: str, path: str) -> list:
    """``items`` sorted by their position in ``order`` (stable; unknown ones last)."""
    if kind == "object":
        _check_merge_keys(merge_key, path, items, order)
    end = len(order)

    def position(item: Any) -> int:
        i = _index(order, item, merge_key, kind)
        return end if i < 0 else i

    return sorted(items, key=position)


def _merge_sorted(left: list, right: list, server_order: list, merge_key: str, kind: str) -> list:
    # Interleave two individually ordered lists.  ``left`` (target-only
    # items) goes first only when both items are in ``server_order`` and it
    # precedes there; otherwise ``right`` (patch items) goes first.
    out = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li = _index(server_order, left[i], merge_key, kind)
            ri = _index(server_order, right[j], merge_key, kind)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _partition(merged: list, by: list, merge_key: str, path: str) -> tuple[list, list]:
    """Split ``merged`` into (items present in ``by``, the rest)."""
    named, rest = [], []
    for item in merged:
        if merge_key:
            if not isinstance(item, dict):
                raise PatchError(f"expected a map, got {render(item)}", path=path)
            if merge_key not in item:
                raise _no_merge_key(item, merge_key, path)
            present = _find(by, merge_key, item[merge_key], path) is not None
        else:
            present = any(json_equal(item, other) for other in by)
        (named if present else rest).append(item)
    return named, rest


def _normalize_order(
    patch_items: list,
    server_only: list,
    patch_order: list,
    server_order: list,
    merge_key: str,
    kind: str,
    path: str,
) -> list:
    patch_items = _sort_by(patch_items, patch_order, merge_key, kind, path)
    server_only = _sort_by(server_only, server_order, merge_key, kind, path)
    return _merge_sorted(server_only, patch_items, server_order, merge_key, kind)


class _Merger:
    """One strategic merge; both documents are private copies it may change."""

    def merge_map(self, original: dict, patch: dict, schema: Schema | None, path: str) -> dict:
        if _DIRECTIVE in patch:
            directive = patch[_DIRECTIVE]
            if directive == "replace":
                del patch[_DIRECTIVE]
                return _clean(patch)[0]
            if directive == "delete":
                return {}
            raise PatchError(_unknown_patch_type(directive, patch), path=path)
        self.retain_keys(original, patch, path)
        self.ordered_lists(original, patch, schema, path)
        for key in list(patch):
            value = patch[key]
            is_delete_list = key.startswith(_DELETE_PREFIX)
            if is_delete_list:
                key = _extract_key(key, _DELETE_PREFIX, path)
            field_path = _join(path, key)
            if value is None:
                original.pop(key, None)
                continue
            if key not in original or kind_of(original[key]) != kind_of(value):
                if not is_delete_list:
                    cleaned, keep = _clean(value)
                    if keep:
                        original[key] = cleaned
                    else:
                        original.pop(key, None)
                continue
            meta = _lookup(schema, key)
            strategy = _strategy(meta, field_path)
            current = original[key]
            if isinstance(current, dict):
                if strategy == "replace":
                    original[key] = _clean(value)[0]
                else:
                    original[key] = self.merge_map(current, value, meta.schema, field_path)
            elif isinstance(current, list):
                original[key] = self.merge_list_field(
                    current, value, meta, strategy, is_delete_list, field_path
                )[0]
            else:
                original[key] = value
        return original

    def retain_keys(self, original: dict, patch: dict, path: str) -> None:
        if _RETAIN_KEYS not in patch:
            return
        retained = patch.pop(_RETAIN_KEYS)
        if not isinstance(retained, list):
            raise PatchError("invalid patch format of retainKeys", path=path)
        for key, value in patch.items():
            if value is None or key.startswith((_DELETE_PREFIX, _ORDER_PREFIX)):
                continue
            if key not in retained:
                raise PatchError("invalid patch format of retainKeys", path=_join(path, key))
        for key in list(original):
            if key not in retained:
                del original[key]

    def merge_list_field(
        self,
        original: list,
        patch: list,
        meta: PatchMeta,
        strategy: str,
        is_delete_list: bool,
        path: str,
    ) -> tuple[list, list]:
        """Merge or replace a list field; see :meth:`merge_list` for the pair."""
        if strategy == "merge" or is_delete_list:
            return self.merge_list(
                original, patch, meta.schema, meta.merge_key, is_delete_list, path
            )
        return _clean(patch)[0], original

    def merge_list(
        self,
        original: list,
        patch: list,
        schema: Schema | None,
        merge_key: str,
        is_delete_list: bool,
        path: str,
    ) -> tuple[list, list]:
        """Merge two lists; return ``(merged, window)``.

        ``window`` is what the target list reads as afterwards in upstream,
        where deletions shift its backing array in place and appended
        elements are written into the slots they free.  Only the
        ``$setElementOrder`` step looks at it, and its ordering depends on it.
        """
        if not original and not patch:
            return original, original
        kind = _element_kind(path, original, patch)
        window = list(original)
        if kind != "object":
            if is_delete_list:
                kept = [v for v in original if not any(json_equal(v, d) for d in patch)]
                return kept, window
            merged: list = []
            for item in original + patch:
                if not any(json_equal(item, seen) for seen in merged):
                    merged.append(item)
        else:
            if not merge_key:
                raise PatchError("cannot merge lists without merge key", path=path)
            original, patch = self.special_elements(window, patch, merge_key, path)
            merged = list(original)
            for item in patch:
                if merge_key not in item:
                    raise _no_merge_key(item, merge_key, path)
                found = _find(merged, merge_key, item[merge_key], path)
                if found is None:
                    cleaned, keep = _clean(item)
                    if keep:
                        if len(merged) < len(window):
                            window[len(merged)] = cleaned
                        merged.append(cleaned)
                else:
                    element_path = f"{path}[{merge_key}={render(item[merge_key])}]"
                    merged[found] = self.merge_map(merged[found], item, schema, element_path)
                    if found < len(window):
                        window[found] = merged[found]
            original = merged[: len(original)]
        patch_items, server_only = _partition(merged, patch, merge_key, path)
        ordered = _normalize_order(patch_items, server_only, patch, original, merge_key, kind, path)
        return ordered, window

    def special_elements(
        self, window: list, patch: list, merge_key: str, path: str
    ) -> tuple[list, list]:
        """Apply ``$patch`` elements of a merged list; return (target, rest of patch).

        Deletions shift ``window`` in place, as removing from a Go slice does.
        """
        length = len(window)
        rest = []
        replace = False
        for item in patch:
            if _DIRECTIVE not in item:
                rest.append(item)
                continue
            directive = item[_DIRECTIVE]
            if directive == "delete":
                if merge_key not in item:
                    raise _no_merge_key(item, merge_key, path)
                while True:
                    hit = next(
                        (
                            i
                            for i in range(length)
                            if merge_key in window[i]
                            and json_equal(window[i][merge_key], item[merge_key])
                        ),
                        None,
                    )
                    if hit is None:
                        break
                    window[hit : length - 1] = window[hit + 1 : length]
                    length -= 1
            elif directive == "replace":
                replace = True
            elif directive == "merge":
                raise PatchError("merging lists cannot yet be specified in the patch", path=path)
            else:
                raise PatchError(_unknown_patch_type(directive, item), path=path)
        if replace:
            return [c for c, keep in map(_clean, rest) if keep], []
        return window[:length], rest

    def ordered_lists(self, original: dict, patch: dict, schema: Schema | None, path: str) -> None:
        for order_key in [k for k in patch if k.startswith(_ORDER_PREFIX)]:
            order = patch.pop(order_key)
            if not isinstance(order, list):
                raise PatchError(
                    f"expected a list for {order_key}, got {kind_of(order)}", path=path
                )
            key = _extract_key(order_key, _ORDER_PREFIX, path)
            field_path = _join(path, key)
            found_original = key in original
            found_patch = key in patch
            original_list = original.get(key) if found_original else []
            patch_list = patch.get(key) if found_patch else []
            for name, value in (("target", original_list), ("patch", patch_list)):
                if not isinstance(value, list):
                    raise PatchError(
                        f"expected a list in the {name}, got {kind_of(value)}", path=field_path
                    )
            meta = _lookup(schema, key)
            strategy = _strategy(meta, field_path)
            merge_key = meta.merge_key
            self.check_order(patch_list, order, merge_key, field_path)
            server_order = original_list
            if found_original and not found_patch:
                merged = original_list
            elif found_patch and not found_original:
                merged = _clean(patch_list)[0]
            elif found_original and found_patch:
                merged, server_order = self.merge_list_field(
                    original_list, patch_list, meta, strategy, False, field_path
                )
            else:
                continue
            patch.pop(key, None)
            if not merged:
                original[key] = merged
                continue
            kind = _element_kind(field_path, merged)
            patch_items, server_only = _partition(merged, order, merge_key, field_path)
            original[key] = _normalize_order(
                patch_items, server_only, order, server_order, merge_key, kind, field_path
            )

    @staticmethod
    def check_order(patch_list: list, order: list, merge_key: str, path: str) -> None:
        """The patch's elements must appear in ``order``, in the same order."""
        if not order or not patch_list:
            return
        items = patch_list
        if merge_key:
            for item in patch_list:
                if not isinstance(item, dict):
                    raise PatchError(f"expected a map, got {render(item)}", path=path)
            items = [i for i in patch_list if i.get(_DIRECTIVE) != "delete"]
        p = s = 0
        while p < len(items) and s < len(order):
            item = items[p]
            if isinstance(item, dict) and _DIRECTIVE in item:
                p += 1
                continue
            if merge_key:
                for side in (item, order[s]):
                    if not isinstance(side, dict):
                        raise PatchError(f"expected a map, got {render(side)}", path=path)
                    if merge_key not in side:
                        raise _no_merge_key(side, merge_key, path)
                equal = json_equal(item[merge_key], order[s][merge_key])
            else:
                equal = json_equal(item, order[s])
            if equal:
                p += 1
            s += 1
        if p < len(items):
            raise PatchError(
                f"The order in patch list:\n{render(patch_list)}\n doesn't match "
                f"{_ORDER_PREFIX} list:\n{render(order)}",
                path=path,
            )


def strategic_merge(original: dict, patch: dict, schema: Schema | None) -> dict:
    """Apply ``patch`` to ``original`` with the patch metadata ``schema``.

    The engine behind :func:`apply_strategic_merge_patch`, usable with any
    schema (see :mod:`kclient.patch.schema`); ``None`` means no field is
    tagged.
    """
    if not isinstance(patch, dict):
        raise PatchError(f"a strategic merge patch must be a JSON object, got {kind_of(patch)}")
    if original is None:
        original = {}
    if not isinstance(original, dict):
        raise PatchError(f"the patched document must be a JSON object, got {kind_of(original)}")
    return _Merger().merge_map(copy_json(original), copy_json(patch), schema, "")


def apply_strategic_merge_patch(target: dict, patch: dict, api_version: str, kind: str) -> dict:
    """Apply a strategic merge patch to an object of the given kind.

    Built-in kinds (see :func:`~kclient.patch.schema.supports_strategic_merge`)
    use their patch metadata; any other kind falls back to JSON merge patch
    semantics (the API server itself refuses strategic merge for them).
    """
    schema = schema_for(api_version, kind)
    if schema is None:
        if not isinstance(patch, dict):
            raise PatchError(f"a strategic merge patch must be a JSON object, got {kind_of(patch)}")
        return apply_merge_patch(target, patch)
    return strategic_merge(target, patch, schema)
