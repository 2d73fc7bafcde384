"""Sans-IO framers: split a byte stream into frames, whatever its chunking.

Each framer is fed chunks and returns the frames completed so far; ``close()`` returns
what the end of the stream completes, or raises if a partial frame is left. Frames are
``bytes``; decoding them is the stream decoder's job. Every framer enforces a maximum
frame size, so a hostile or broken stream cannot make it buffer without bound.

* ``JSONFramer``: top-level JSON objects separated by any whitespace (Go's
  ``json.Decoder`` rule, which is what upstream's JSON framer is), newline-delimited or
  concatenated or pretty-printed. It returns parsed values, not bytes: a server writes
  one compact value per line, so each complete line is parsed as a whole first (one
  orjson call, no scan); only lines that are not exactly one value are scanned
  structurally to find where the value ends.
* ``YAMLFramer``: documents split as upstream's YAML framer splits them: a separator is
  ``\\n---`` plus the rest of that line; ``---`` at the very start stays in the first
  document; the final unterminated chunk is a document at the end of the stream.
* ``LengthDelimitedFramer``: 4-byte big-endian length, then that many bytes.
"""

from __future__ import annotations

import re

import orjson

from .errors import DecodeError

DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024  # client-go's streaming decoder limit

_WS = b" \t\r\n"
_fast_loads = orjson.loads  # the common case; anything it rejects takes the careful path


class _Buffer:
    """A growable buffer with a consumed prefix that is compacted lazily."""

    __slots__ = ("data", "pos", "offset")

    def __init__(self) -> None:
        self.data = bytearray()
        self.pos = 0  # start of unconsumed bytes in data
        self.offset = 0  # stream offset of data[0]

    def compact(self) -> None:
        if self.pos > 65536 and self.pos * 2 > len(self.data):
            del self.data[: self.pos]
            self.offset += self.pos
            self.pos = 0


def _too_large(size: int, limit: int, what: str, frame: int, offset: int) -> DecodeError:
    return DecodeError(f"{what} of {size} bytes exceeds the maximum of {limit}",
                       frame=frame, offset=offset)


class LengthDelimitedFramer:
    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self.max_frame_size = max_frame_size
        self._buf = _Buffer()
        self.frames = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        b = self._buf
        b.data += chunk
        out = []
        data = b.data
        while len(data) - b.pos >= 4:
            n = int.from_bytes(data[b.pos : b.pos + 4], "big")
            if n > self.max_frame_size:
                raise _too_large(n, self.max_frame_size, "frame", self.frames, b.offset + b.pos)
            if len(data) - b.pos - 4 < n:
                break
            start = b.pos + 4
            out.append(data[start : start + n])  # one copy (a bytearray); decoders take any buffer
            b.pos = start + n
            self.frames += 1
        b.compact()
        return out

    def close(self) -> list[bytes]:
        b = self._buf
        left = len(b.data) - b.pos
        if left:
            raise DecodeError(
                f"stream ended inside a frame ({left} bytes left over)",
                frame=self.frames, offset=b.offset + b.pos,
            )
        return []


class YAMLFramer:
    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self.max_frame_size = max_frame_size
        self._buf = _Buffer()
        self._search_from = 0
        self.frames = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        b = self._buf
        b.data += chunk
        data = b.data
        out = []
        while True:
            i = data.find(b"\n---", max(b.pos, self._search_from))
            if i < 0:
                self._search_from = max(b.pos, len(data) - 3)
                break
            eol = data.find(b"\n", i + 4)
            if eol < 0:
                self._search_from = i  # the separator line is not complete yet
                break
            if i - b.pos > self.max_frame_size:
                raise _too_large(i - b.pos, self.max_frame_size, "YAML document", self.frames,
                                 b.offset + b.pos)
            out.append(bytes(data[b.pos : i]))
            self.frames += 1
            b.pos = eol + 1
            self._search_from = b.pos
        if len(data) - b.pos > self.max_frame_size:
            raise _too_large(len(data) - b.pos, self.max_frame_size, "YAML document",
                             self.frames, b.offset + b.pos)
        before = b.pos
        b.compact()
        self._search_from -= before - b.pos
        return out

    def close(self) -> list[bytes]:
        b = self._buf
        rest = bytes(b.data[b.pos :])
        b.pos = len(b.data)
        if not rest:
            return []
        i = rest.find(b"\n---")
        if i >= 0:  # a separator with no newline after it ends the stream (as in Go)
            rest = rest[:i]
        if len(rest) > self.max_frame_size:
            raise _too_large(len(rest), self.max_frame_size, "YAML document", self.frames,
                             b.offset + b.pos - len(rest))
        self.frames += 1
        return [rest]


#: a newline-free region up to this size waits for more data before being scanned
_LAZY_SCAN_LIMIT = 1 << 20

_STRUCT_OUT = re.compile(rb'[{}\[\]"]')
_STRUCT_IN = re.compile(rb'["\\]')


class JSONFramer:
    def __init__(self, loads, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self.max_frame_size = max_frame_size
        self._buf = _Buffer()
        self.frames = 0
        self._nl_from = 0  # where to resume looking for a newline
        # structural scan state, used when a value spans lines or shares one
        self._scanning = False
        self._scan_pos = 0
        self._depth = 0
        self._in_string = False
        self._loads = loads  # callable(bytes) -> value; raises DecodeError unless one value

    def _value_start(self) -> int | None:
        b = self._buf
        data = b.data
        n = len(data)
        p = b.pos
        while p < n and data[p] in _WS:
            p += 1
        b.pos = p
        if p == n:
            return None
        if data[p] != 0x7B:  # '{'
            raise DecodeError(
                f"expected a JSON object, found {bytes(data[p:p + 1])!r}",
                frame=self.frames, offset=b.offset + p,
            )
        return p

    def _scan(self) -> int | None:
        """Advance the structural scan; return the end of the value once complete."""
        data = self._buf.data
        p = self._scan_pos
        n = len(data)
        depth = self._depth
        in_string = self._in_string
        while p < n:
            if in_string:
                m = _STRUCT_IN.search(data, p)
                if m is None:
                    p = n
                    break
                p = m.end()
                if data[p - 1] == 0x5C:  # backslash: skip the escaped byte
                    if p >= n:
                        p -= 1  # re-read the backslash when more data arrives
                        break
                    p += 1
                else:
                    in_string = False
            else:
                m = _STRUCT_OUT.search(data, p)
                if m is None:
                    p = n
                    break
                c = data[m.start()]
                p = m.end()
                if c == 0x22:
                    in_string = True
                elif c in (0x7B, 0x5B):
                    depth += 1
                else:
                    depth -= 1
                    if depth == 0:
                        self._scan_pos, self._depth, self._in_string = p, 0, False
                        return p
        self._scan_pos, self._depth, self._in_string = p, depth, in_string
        return None

    def feed(self, chunk: bytes) -> list:
        b = self._buf
        b.data += chunk
        out: list = []
        data = b.data
        while True:
            if not self._scanning:
                start = self._value_start()
                if start is None:
                    break
                nl = data.find(b"\n", max(start, self._nl_from))
                if nl - start > self.max_frame_size:
                    raise _too_large(nl - start, self.max_frame_size, "JSON value", self.frames,
                                     b.offset + start)
                if nl >= 0:
                    try:
                        value = _fast_loads(data[start:nl])
                    except ValueError:
                        pass  # not exactly one value on this line: scan for its end
                    else:
                        out.append(value)
                        self.frames += 1
                        b.pos = nl + 1
                        continue
                elif len(data) - start <= _LAZY_SCAN_LIMIT:
                    # no newline yet: the value can only be complete if the data ends
                    # in "}"; otherwise wait for more rather than scan byte by byte
                    self._nl_from = len(data)
                    last = len(data) - 1
                    while last > start and data[last] in _WS:
                        last -= 1
                    if data[last] != 0x7D:  # '}'
                        break
                    if last - start >= self.max_frame_size:
                        raise _too_large(last - start + 1, self.max_frame_size, "JSON value",
                                         self.frames, b.offset + start)
                    try:
                        value = _fast_loads(data[start:])
                    except ValueError:
                        pass  # incomplete, or several values: scan
                    else:
                        out.append(value)
                        self.frames += 1
                        b.pos = len(data)
                        continue
                self._scanning = True
                self._scan_pos = start
                self._depth = 0
                self._in_string = False
                if nl < 0:
                    self._nl_from = len(data)
            end = self._scan()
            if end is None:
                break
            if end - b.pos > self.max_frame_size:
                raise _too_large(end - b.pos, self.max_frame_size, "JSON value", self.frames,
                                 b.offset + b.pos)
            try:
                out.append(self._loads(data[b.pos : end]))
            except DecodeError as exc:
                raise DecodeError(f"{exc}", frame=self.frames, offset=b.offset + b.pos) from None
            self.frames += 1
            b.pos = end
            self._scanning = False
        if len(data) - b.pos > self.max_frame_size:
            raise _too_large(len(data) - b.pos, self.max_frame_size, "JSON value", self.frames,
                             b.offset + b.pos)
        before = b.pos
        b.compact()
        shift = before - b.pos
        if shift:
            self._scan_pos -= shift
            self._nl_from = max(0, self._nl_from - shift)
        return out

    def close(self) -> list[bytes]:
        b = self._buf
        self._value_start()
        if b.pos < len(b.data):
            raise DecodeError(
                "stream ended inside a JSON value", frame=self.frames, offset=b.offset + b.pos
            )
        return []
