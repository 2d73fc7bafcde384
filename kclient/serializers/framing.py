"""Sans-IO framers: split a byte stream into frames, whatever its chunking.

Each framer is fed chunks and returns the frames completed so far; ``close()`` returns
what the end of the stream completes, or raises if a partial frame is left. Every framer
enforces a maximum frame size, so a hostile or broken stream cannot make it buffer
without bound.

Watch streams are the hot path, so the JSON and length-delimited framers work on the
fed chunk in place: a frame lying wholly inside the chunk is read through a view of it,
and only the bytes of a frame that straddles chunks are copied into a buffer. (A chunk
given as a ``bytearray`` or ``memoryview`` is copied once first, so that the caller
reusing its buffer cannot change frames already handed out.)

* ``JSONFramer``: top-level JSON objects separated by any whitespace (Go's
  ``json.Decoder`` rule, which is what upstream's JSON framer is), newline-delimited or
  concatenated or pretty-printed. It returns parsed values, not bytes: a server writes
  one compact value per line, so each complete line is parsed as a whole first (one
  orjson call, no scan); only lines that are not exactly one value are scanned
  structurally to find where the value ends. Numbers follow Go's rule (past int64 is a
  float64) on every path. With an ``event_reader`` (a watch decoder's memo of unchanged
  parts), a line goes to it first, and is parsed as above when it declines.
* ``YAMLFramer``: documents split as upstream's YAML framer splits them: a separator is
  ``\\n---`` plus the rest of that line; ``---`` at the very start stays in the first
  document; the final unterminated chunk is a document at the end of the stream.
* ``LengthDelimitedFramer``: 4-byte big-endian length, then that many bytes; frames are
  ``memoryview``s. ``iter_into`` frames and decodes in one pass, frame by frame,
  through a cursor (the protobuf watch loop in C) that decodes the common frames.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson

from .errors import DecodeError
from .json_codec import _may_exceed_int64, go_integers

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


def _immutable(chunk: bytes | bytearray | memoryview) -> memoryview:
    """A view of the chunk that later changes by the caller cannot reach: frames may
    be views into it."""
    return memoryview(chunk if type(chunk) is bytes else bytes(chunk))


class LengthDelimitedFramer:
    """Frames are views: a frame lying wholly inside one chunk is a ``memoryview`` of
    that chunk (no copy); only a frame split across chunks is assembled in a buffer.
    Take ``bytes(frame)`` to keep one beyond the chunk's life."""

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self.max_frame_size = max_frame_size
        self._pending = bytearray()  # an incomplete frame, its header included
        self._fed = 0  # stream offset of the chunk being fed
        self._rest: tuple[memoryview, Any] | None = None  # unread by an iter_into
        self._token: object | None = None  # the live iter_into
        self.frames = 0

    def _check(self, size: int, offset: int) -> None:
        if size > self.max_frame_size:
            raise _too_large(size, self.max_frame_size, "frame", self.frames, offset)

    def _complete_pending(self, view: memoryview, out: list) -> int:
        """Extend the pending frame from ``view``; return how many bytes it took."""
        pend = self._pending
        pos = 0
        if len(pend) < 4:
            pos = min(4 - len(pend), len(view))
            pend += view[:pos]
            if len(pend) < 4:
                return pos
            self._check(int.from_bytes(pend[:4], "big"), self._fed + pos - len(pend))
        want = 4 + int.from_bytes(pend[:4], "big") - len(pend)
        take = min(want, len(view) - pos)
        pend += view[pos : pos + take]
        if take == want:
            out.append(memoryview(pend)[4:])
            self.frames += 1
            self._pending = bytearray()  # the frame handed out keeps the old one
        return pos + take

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[memoryview]:
        view = _immutable(self._take_rest(chunk))
        out: list = []
        pos = self._complete_pending(view, out) if self._pending else 0
        first = len(out)
        end = len(view)
        limit = self.max_frame_size
        while end - pos >= 4:
            n = int.from_bytes(view[pos : pos + 4], "big")
            if n > limit:
                self.frames += len(out) - first
                self._check(n, self._fed + pos)
            if end - pos - 4 < n:
                break
            pos += 4
            out.append(view[pos : pos + n])
            pos += n
        self.frames += len(out) - first
        if pos < end:
            self._pending += view[pos:]
        self._fed += end
        return out

    def iter_into(self, chunk: bytes | bytearray | memoryview, cursor, single) -> Iterator:
        """Frame and decode in one pass, one frame each time a value is asked for:
        ``cursor(buffer, pos)`` is an iterator decoding the whole frames from ``pos`` on
        while it can, its ``pos`` where it stopped (the protobuf watch loop in C);
        ``single(frame)`` decodes a frame the cursor refused (or raises, for its precise
        error). Exhaust it before feeding more; the frames an abandoned iterator left
        are decoded by the next call. The frame count stays exact."""
        view = _immutable(self._take_rest(chunk))
        done: list = []
        pos = self._complete_pending(view, done) if self._pending else 0
        token = self._token = object()
        if done:  # a frame assembled across chunks: its header and body are one buffer
            self.frames -= 1  # counted again once decoded
            self._rest = (view, pos)
            frame = done[0]
            value = next(cursor(bytes(frame.obj), 0), None)
            if value is None:
                value = single(frame)
            self.frames += 1
            yield value
            if self._token is not token:
                return
        buf, end = view.obj, len(view)
        while True:
            frames = cursor(buf, pos)
            self._rest = (view, frames)  # resumes at frames.pos
            for value in frames:
                self.frames += 1
                yield value
                if self._token is not token:
                    return
            pos = frames.pos
            if end - pos < 4:
                break
            n = int.from_bytes(view[pos : pos + 4], "big")
            self._check(n, self._fed + pos)
            if end - pos - 4 < n:
                break
            value = single(view[pos + 4 : pos + 4 + n])
            pos += 4 + n
            self.frames += 1
            self._rest = (view, pos)
            yield value
            if self._token is not token:
                return
        self._rest = None
        if pos < end:
            self._pending += view[pos:]
        self._fed += end

    def _take_rest(self, chunk: bytes | bytearray | memoryview) -> bytes | bytearray | memoryview:
        """``chunk``, after what an abandoned ``iter_into`` left unread, if anything."""
        rest, self._rest = self._rest, None
        self._token = None  # such an iterator, resumed later, yields nothing more
        if rest is None:
            return chunk
        view, at = rest
        pos = at if type(at) is int else at.pos  # an offset, or a cursor's position
        self._fed += pos
        return bytes(view[pos:]) + bytes(chunk)

    def close(self) -> list:
        rest = self._take_rest(b"")
        frames = self.feed(rest) if rest else []
        left = len(self._pending)
        if left:
            raise DecodeError(
                f"stream ended inside a frame ({left} bytes left over)",
                frame=self.frames, offset=self._fed - left,
            )
        return frames


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
_BACK_TO_BACK = re.compile(rb"}[ \t\r\n]*{")


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
        self._fed = 0  # stream offset of the chunk being fed
        self._lazy = (-1, 0)  # (stream offset, size) of a value last found incomplete
        self._base = 0  # stream offset of the chunk being framed in place
        self._rest: tuple[memoryview, int] | None = None  # unread by an iter_feed
        self._ready: list = []  # decoded by an iter_feed, not yet handed out
        self._token: object | None = None  # the live iter_feed
        # callable(line, numbers_checked=False) -> event, or None to parse the line as
        # usual: a watch event reader that shares the parts unchanged since the last
        # event of a key (numbers_checked: no number past int64 is in the line)
        self.event_reader: Any = None

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

    def _pending(self) -> bool:
        return self._scanning or self._buf.pos < len(self._buf.data)

    def _begin(self, chunk: bytes | bytearray | memoryview, out: list) -> tuple[memoryview, int]:
        """Take a new chunk: first complete what is buffered (values go to ``out``);
        return the chunk and where its in-place lines start (its length when the rest
        went to the buffer)."""
        self._adopt_rest()
        view = _immutable(chunk)
        base = self._fed
        self._fed += len(view)
        b = self._buf
        if not self._pending():
            self._base = base
            return view, 0
        if self._scanning:
            pos = len(view)  # a multi-line value: buffer all of it
        else:
            nl = view.obj.find(b"\n")
            pos = len(view) if nl < 0 else nl + 1
        b.data += view[:pos]
        self._drain(out)
        if self._pending() and pos < len(view):
            b.data += view[pos:]
            self._drain(out)
            pos = len(view)
        self._base = base
        return view, pos

    def _buffer_from(self, view: memoryview, pos: int) -> None:
        """Make ``view[pos:]`` (nothing of it framed yet) the buffer's content."""
        b = self._buf
        b.offset = self._base + pos
        b.data = bytearray(view[pos:])
        b.pos = 0
        self._nl_from = 0

    def _adopt_rest(self) -> None:
        """Move what an abandoned ``iter_feed`` left unread into the buffer."""
        rest = self._rest
        self._token = None  # such an iterator, resumed later, yields nothing more
        self._rest = None
        if rest is not None and rest[1] < len(rest[0]):  # (else all of it is buffered)
            self._buffer_from(*rest)

    def take_ready(self) -> list:
        """Values an abandoned :meth:`iter_feed` decoded but did not hand out."""
        ready, self._ready = self._ready, []
        return ready

    def feed(self, chunk: bytes | bytearray | memoryview) -> list:
        """Values completed by this chunk. Lines wholly inside the chunk are parsed in
        place; only a value's bytes that straddle chunks are copied into the buffer."""
        return list(self.iter_feed(chunk))

    def _hand_out(self, ready: list, token: object) -> Iterator:
        while ready:
            value = ready.pop(0)
            yield value
            if self._token is not token:
                return

    def iter_feed(self, chunk: bytes | bytearray | memoryview) -> Iterator:
        """:meth:`feed` as an iterator: each value is parsed when it is asked for, so a
        consumer handling values one by one gets each while it is fresh in the CPU's
        caches. Exhaust it before feeding more; what an abandoned iterator left is
        decoded by the next call."""
        ready: list = self.take_ready()
        view, pos = self._begin(chunk, ready)
        token = self._token = object()
        self._ready = ready
        self._rest = (view, pos)
        yield from self._hand_out(ready, token)
        if self._token is not token:
            return
        data = view.obj
        end = len(view)
        find = data.find
        limit = self.max_frame_size
        loads = _fast_loads
        check = _may_exceed_int64(view)  # one scan of the chunk; rarely true
        reader = None if check else self.event_reader
        while pos < end and data[pos] == 0x7B:  # '{'
            nl = find(b"\n", pos)
            if nl < 0:
                break
            if nl - pos > limit:
                raise _too_large(nl - pos, limit, "JSON value", self.frames, self._base + pos)
            line = view[pos:nl]
            value = None if reader is None else reader(line, True)  # numbers checked
            if value is None:
                try:
                    value = loads(line)
                except ValueError:
                    break  # not exactly one value on this line: the careful path
                if check:
                    value = go_integers(value, line)
            self.frames += 1
            pos = nl + 1
            self._rest = (view, pos)
            yield value
            if self._token is not token:
                return
        self._rest = None
        if pos < end:  # a partial or irregular remainder: the careful path
            self._buffer_from(view, pos)
            self._drain(ready)
        yield from self._hand_out(ready, token)

    def _drain(self, out: list) -> None:
        b = self._buf
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
                        line = data[start:nl]
                        reader = self.event_reader
                        value = None if reader is None else reader(line)
                        if value is None:
                            value = go_integers(_fast_loads(line), line)
                    except ValueError:
                        pass  # not exactly one value on this line: scan for its end
                    else:
                        out.append(value)
                        self.frames += 1
                        b.pos = nl + 1
                        continue
                elif len(data) - start <= _LAZY_SCAN_LIMIT:
                    # no newline yet: a value can be complete only where the data ends
                    # in "}" or has values back to back ("}{"); try those as one value,
                    # and if they are the valid prefix of one, wait for more rather
                    # than scan byte by byte
                    self._nl_from = len(data)
                    at, tried = self._lazy
                    size = len(data) - start
                    last = len(data) - 1
                    while last > start and data[last] in _WS:
                        last -= 1
                    if data[last] != 0x7D and _BACK_TO_BACK.search(data, start) is None:
                        break
                    if at != b.offset + start or size >= 2 * tried:
                        try:
                            value = go_integers(_fast_loads(data[start:]), data[start:])
                        except ValueError as exc:
                            # a valid prefix of one value: wait for the rest, trying again
                            # once the value has doubled (so retries stay linear overall)
                            if (getattr(exc, "pos", -1) == size
                                    and getattr(exc, "msg", "") == "unexpected end of data"):
                                self._lazy = (b.offset + start, size)
                                break
                            # otherwise several values, or an error: scan
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

    def close(self) -> list:
        out = self.take_ready()
        self._adopt_rest()
        if self._pending():
            self._drain(out)
        b = self._buf
        self._value_start()
        if b.pos < len(b.data):
            raise DecodeError(
                "stream ended inside a JSON value", frame=self.frames, offset=b.offset + b.pos
            )
        return out
