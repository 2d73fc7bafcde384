"""The error every patch function raises."""

from __future__ import annotations


class PatchError(ValueError):
    """A patch that cannot be applied (or built).

    ``path`` names where in the document the problem is (a JSON pointer for
    JSON patch, a dotted field path for merge patches), ``op_index`` the
    failing operation of a JSON patch.  ``detail`` is the bare problem.
    """

    def __init__(self, detail: str, *, path: str | None = None, op_index: int | None = None):
        self.detail = detail
        self.path = path
        self.op_index = op_index
        if op_index is not None:
            message = f"json patch operation {op_index} (path {path!r}): {detail}"
        elif path:
            message = f"{detail} (at {path})"
        else:
            message = detail
        super().__init__(message)
