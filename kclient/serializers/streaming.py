"""StreamDecoder: sans-IO decoding of watch streams and multi-document files.

``StreamDecoder(content_type)`` is fed the bytes of a response body in whatever chunks
the network delivers and returns the objects each chunk completes; ``close()`` returns
what the end of the stream completes and raises ``DecodeError`` if a partial frame is
left over. Any chunking, down to one byte at a time, yields the same objects.

* JSON (``application/json``, with or without ``;stream=watch``): whitespace-separated
  objects; a watch stream's ``{"type", "object"}`` events come out as they are.
* YAML: ``---``-separated documents (empty documents are skipped).
* Protobuf (``application/vnd.kubernetes.protobuf;stream=watch``): 4-byte big-endian
  length frames, each a bare ``metav1.WatchEvent`` whose object is an enveloped object,
  decoded to ``{"type": ..., "object": {...}}``. With ``watch=False`` each frame is an
  enveloped object instead.

With ``watch=True`` (the default for protobuf) every event is checked as client-go
checks it: a known type and an object.

``iter_feed(chunk)`` is ``feed`` as an iterator that decodes each object only when it
is asked for, which is how kclient's watches read: an event is handled while it is
still in the CPU's caches rather than after a whole chunk's worth of others (on 64 KiB
chunks of pods, about 15% more events per second: benchmarks/codecs.py). ``feed`` runs
the same loop to its end. Watch streams are decoded in place, see
:mod:`kclient.serializers.framing`.

Decoding runs with the cyclic garbage collector paused (each ``feed``, each step of
``iter_feed``): the objects decoded cannot form cycles, and collecting in the middle
would only traverse the earlier ones again. The collector runs as usual in between.

``reuse`` (watch streams, protobuf or JSON, with the C extension): a dict kept across
the watches of one resource, as informers keep one. An update usually leaves most of an
object as it was; each part of an object (an object-valued field of its own: spec,
status; not metadata) whose bytes are those of the previous event of the same
namespace/name is not decoded again: the previous event's dict for it is used, shared
by both versions (JSON events go through a C reader that splits the object into its
fields, and parses lines it does not take as usual; an object it sees for the first
time is parsed whole and kept, and its parts are compared in place with the text of
its next event). Fewer objects are decoded, and fewer freed when the old version
goes. The dict holds the parts of the latest event of each key, until DELETED. For
objects that are only read (a cache's, by client-go's rules); leave it out where the
parts may be changed in place.

After the decoder has raised, the stream is unusable: further ``feed`` calls raise the
same error rather than resynchronizing somewhere in the middle of a frame.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

from . import json_codec, yaml_codec
from .errors import DecodeError
from .framing import DEFAULT_MAX_FRAME_SIZE, JSONFramer, LengthDelimitedFramer, YAMLFramer
from .media import JSON, PROTOBUF, YAML, normalize

WATCH_EVENT_TYPES = frozenset({"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"})
# what decoding a malformed stream can raise (DecodeError is a ValueError)
_MALFORMED = (RecursionError, MemoryError, ValueError)


def check_watch_event(event: Any, frame: int | None = None) -> dict:
    if not isinstance(event, dict):
        raise DecodeError("watch event is not an object", frame=frame)
    etype = event.get("type")
    if type(etype) is not str or etype not in WATCH_EVENT_TYPES:
        raise DecodeError(f"got invalid watch event type: {etype!r}", frame=frame)
    if not isinstance(event.get("object"), dict):
        raise DecodeError(f"watch event {etype} has no object", frame=frame)
    return event


class StreamDecoder:
    def __init__(
        self,
        content_type: str,
        *,
        watch: bool | None = None,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        reuse: dict | None = None,
    ) -> None:
        self.content_type = normalize(content_type)
        self.watch = (self.content_type == PROTOBUF) if watch is None else watch
        self.max_frame_size = max_frame_size
        self._error: DecodeError | None = None
        self._frames = 0
        self._self_pausing = False  # the lazy loop pauses the collector itself
        if self.content_type == JSON:
            self._framer: Any = JSONFramer(json_codec.loads, max_frame_size)
        elif self.content_type == YAML:
            self._framer = YAMLFramer(max_frame_size)
        else:
            self._framer = LengthDelimitedFramer(max_frame_size)
        if self.content_type == PROTOBUF and self.watch:
            from . import protobuf

            self._pb = protobuf
            self._cursor = protobuf.watch_frames_cursor(max_frame_size, WATCH_EVENT_TYPES, reuse)
            self._lazy: Any = self._iter_protobuf_watch
            # the C cursor pauses the collector around each frame itself
            self._self_pausing = protobuf.IMPLEMENTATION == "c"
        elif self.content_type == JSON and self.watch:
            self._lazy = self._iter_json_watch
            if reuse is not None:
                from . import protobuf  # its C extension reads JSON events too

                self._framer.event_reader = protobuf.json_event_reader(reuse)
        else:  # files and lists: whole chunks
            self._lazy = None

    def _feed(self, chunk: bytes | bytearray | memoryview) -> list[dict]:
        if self._lazy is not None:  # watch streams: the lazy loop, run to its end
            return list(self._lazy(chunk))
        return self._run(self._framer.feed(chunk))

    def _decode_frame(self, frame: Any) -> dict | None:
        ct = self.content_type
        if ct == JSON:
            value = frame
        elif ct == YAML:
            value = yaml_codec.loads(frame)
            if value is None:
                return None
        else:
            from . import protobuf

            value = protobuf.decode(frame)  # (watch streams take _iter_protobuf_watch)
        if not isinstance(value, dict):
            raise DecodeError(f"expected an object, got {type(value).__name__}")
        if self.watch:
            check_watch_event(value, self._frames)
        return value

    def _run(self, frames: list) -> list[dict]:
        out = []
        for frame in frames:
            try:
                value = self._decode_frame(frame)
            except DecodeError as exc:
                if exc.frame is None:
                    exc = DecodeError(str(exc), frame=self._frames)
                raise exc from None
            self._frames += 1
            if value is not None:
                out.append(value)
        return out

    def _decode_watch_frame(self, frame: memoryview) -> dict:
        try:
            event = self._pb.decode_watch_event(frame)
        except DecodeError as exc:
            raise DecodeError(str(exc), frame=self._framer.frames) from None
        return check_watch_event(event, self._framer.frames)

    def _iter_json_watch(self, chunk: bytes | bytearray | memoryview) -> Iterator[dict]:
        """The hot loop of JSON watches: the framer yields parsed objects already."""
        types = WATCH_EVENT_TYPES
        for event in self._framer.iter_feed(chunk):
            etype = event.get("type")
            if (type(etype) is not str or etype not in types
                    or type(event.get("object")) is not dict):
                check_watch_event(event, self._framer.frames - 1)
            yield event
        self._frames = self._framer.frames

    def _iter_protobuf_watch(self, chunk: bytes | bytearray | memoryview) -> Iterator[dict]:
        """The hot loop of protobuf watches: each frame decoded in C where available; a
        frame the C loop refuses is decoded alone (for its precise error). The framer's
        own iterator, not one wrapped around it: one generator fewer per event."""
        return self._framer.iter_into(chunk, self._cursor, self._decode_watch_frame)

    def _frame_count(self) -> int:
        """Frames read so far (a lazy loop's framer counts them)."""
        return self._framer.frames if self._lazy is not None else self._frames

    def _fail(self, exc: BaseException) -> DecodeError:
        """The DecodeError that ends the stream for ``exc`` (one of _MALFORMED)."""
        if not isinstance(exc, DecodeError):
            exc = DecodeError(f"malformed stream: {exc}", frame=self._frame_count())
        self._error = exc
        return exc

    def iter_feed(self, chunk: bytes | bytearray | memoryview) -> Iterator[dict]:
        """:meth:`feed` as an iterator that decodes each object when it is asked for.

        A consumer that handles objects one at a time (a watch) then meets each while
        it is still in the CPU's caches, instead of a whole chunk's worth later; that
        is most of the cost of a watch stream. Exhaust the iterator before the next
        call; if it is abandoned, what it left is decoded by the next ``feed``,
        ``iter_feed`` or ``close``. An error is raised when its object is reached,
        after every object before it."""
        if self._error is not None:
            raise self._error
        it = self._lazy(chunk) if self._lazy is not None else iter(self._run(self._framer.feed(chunk)))
        step = it.__next__
        pausing = not self._self_pausing
        while True:
            paused = pausing and gc.isenabled()
            if paused:
                gc.disable()  # see the module docstring
            try:
                value = step()
            except StopIteration:
                return
            except _MALFORMED as exc:
                raise self._fail(exc) from None
            finally:
                if paused:
                    gc.enable()
            yield value

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[dict]:
        """Objects completed by this chunk (possibly none)."""
        if self._error is not None:
            raise self._error
        try:
            feed = self._feed
            if not gc.isenabled():
                return feed(chunk)
            gc.disable()  # see the module docstring
            try:
                return feed(chunk)
            finally:
                gc.enable()
        except _MALFORMED as exc:
            raise self._fail(exc) from None

    def close(self) -> list[dict]:
        """Objects completed by the end of the stream; raises on a partial frame."""
        if self._error is not None:
            raise self._error
        try:
            # what an abandoned iter_feed left, then the end of the stream
            events = list(self._lazy(b"")) if self._lazy is not None else []
            return events + self._run(self._framer.close())
        except _MALFORMED as exc:
            raise self._fail(exc) from None
