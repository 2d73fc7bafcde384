"""Pausing Python's cyclic garbage collector around bulk decoding.

Decoding a large list allocates hundreds of thousands of dicts and lists at once; each
allocation burst triggers young-generation collections that traverse the still-growing
result, and every later full collection walks it again. None of what a decoder builds
can form a reference cycle, so for large inputs kclient pauses the collector for the
duration of the decode (restoring it after, even on error). Measured in
benchmarks/codecs.py.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

#: inputs at least this large are decoded with the collector paused
PAUSE_THRESHOLD = 256 * 1024


@contextmanager
def paused_gc(size: int) -> Iterator[None]:
    if size < PAUSE_THRESHOLD or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
