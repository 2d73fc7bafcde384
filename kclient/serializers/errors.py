"""The two exceptions every codec raises.

Nothing else escapes a decoder or encoder: parse errors of the underlying libraries,
``UnicodeDecodeError``, ``RecursionError`` and friends are all turned into these, with a
message naming the format, the offset or frame, and what was wrong.
"""

from __future__ import annotations


class DecodeError(ValueError):
    """Malformed input: the message names the format, where, and what was wrong."""

    def __init__(self, message: str, *, offset: int | None = None, frame: int | None = None):
        where = []
        if frame is not None:
            where.append(f"frame {frame}")
        if offset is not None:
            where.append(f"offset {offset}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)
        self.offset = offset
        self.frame = frame


class EncodeError(ValueError):
    """An object that cannot be written in the requested format (the message names why)."""
