"""Applying patches to Kubernetes objects, as the API server's patch verb does.

Four patch types, each a pure function over JSON-shaped values that returns a
new document and never mutates its inputs:

- :func:`apply_merge_patch` / :func:`create_merge_patch`: JSON merge patch
  (RFC 7386, ``application/merge-patch+json``);
- :func:`apply_json_patch`: JSON patch (RFC 6902, ``application/json-patch+json``),
  atomic;
- :func:`apply_strategic_merge_patch`: strategic merge patch
  (``application/strategic-merge-patch+json``) for built-in kinds, driven by
  the merge-key table in :mod:`kclient.patch.schema`;
  :func:`supports_strategic_merge` tells which kinds have one.

Every failure is a :class:`PatchError` (a ``ValueError``).
"""

from kclient.patch.errors import PatchError
from kclient.patch.json_patch import apply_json_patch, parse_pointer
from kclient.patch.merge import apply_merge_patch, create_merge_patch
from kclient.patch.schema import KIND_SCHEMAS, PatchMeta, schema_for, supports_strategic_merge
from kclient.patch.strategic import apply_strategic_merge_patch, strategic_merge

__all__ = [
    "KIND_SCHEMAS",
    "PatchError",
    "PatchMeta",
    "apply_json_patch",
    "apply_merge_patch",
    "apply_strategic_merge_patch",
    "create_merge_patch",
    "parse_pointer",
    "schema_for",
    "strategic_merge",
    "supports_strategic_merge",
]
