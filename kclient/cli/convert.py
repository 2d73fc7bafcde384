"""``kclient convert``: objects, multi-document files and watch streams between formats.

    python -m kclient convert [--from auto|json|yaml|protobuf] --to json|yaml|protobuf
                              [--stream] [FILE|-]

Without ``--stream`` the input is one object, a multi-document YAML file or a JSON
stream of objects; the output is pretty JSON (objects one after another), ``---``
separated YAML, or one enveloped protobuf object. With ``--stream`` the input is a watch
stream (JSON events or length-delimited protobuf frames), converted event by event as
it arrives, so ``kubectl get -w -o json | kclient convert --stream --to yaml`` works.
Bad input gives a message naming what was wrong and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import BinaryIO

from ..serializers import (
    JSON, PROTOBUF, YAML, DecodeError, EncodeError, StreamDecoder, decode_all, encode,
    encode_all, encode_watch_event, json_codec, recognize, yaml_codec,
)

_FORMATS = {"json": JSON, "yaml": YAML, "protobuf": PROTOBUF}
CHUNK = 64 * 1024


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "convert",
        help="convert Kubernetes objects and watch streams between JSON, YAML and protobuf",
        description=__doc__.split("\n\n")[2] if __doc__ else None,
    )
    p.add_argument("--from", dest="source", choices=["auto", *_FORMATS], default="auto",
                   help="input format (default: recognize it as the API server does)")
    p.add_argument("--to", dest="target", choices=list(_FORMATS), required=True,
                   help="output format")
    p.add_argument("--stream", action="store_true",
                   help="the input is a watch stream; convert it event by event")
    p.add_argument("file", nargs="?", default="-", help="input file (default: standard input)")
    p.set_defaults(run=run)


def _guess_stream(head: bytes) -> str:
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return JSON
    if len(head) >= 5 and head[4] == 0x0A:  # a length, then WatchEvent.type
        return PROTOBUF
    return YAML


def _write_events(events: list[dict], target: str, out: BinaryIO) -> None:
    for event in events:
        if target == YAML:
            out.write(b"---\n" + yaml_codec.dumps(event))
        else:
            out.write(encode_watch_event(event["type"], event["object"], target))
    out.flush()


def _convert_stream(src: BinaryIO, source: str, target: str, out: BinaryIO) -> None:
    head = src.read(CHUNK)
    ct = _guess_stream(head) if source == "auto" else _FORMATS[source]
    decoder = StreamDecoder(ct, watch=True)
    chunk = head
    while chunk:
        _write_events(decoder.feed(chunk), target, out)
        chunk = src.read1(CHUNK) if hasattr(src, "read1") else src.read(CHUNK)
    _write_events(decoder.close(), target, out)


def _convert_objects(data: bytes, source: str, target: str, out: BinaryIO) -> None:
    ct = recognize(data) if source == "auto" else _FORMATS[source]
    objs = decode_all(data, ct)
    if not objs:
        raise DecodeError("no object in the input")
    if target == PROTOBUF:
        if len(objs) > 1:
            raise EncodeError(
                f"the input holds {len(objs)} objects; protobuf output takes one "
                "(convert them one by one, or a watch stream with --stream)"
            )
        out.write(encode(objs[0], PROTOBUF))
    elif target == YAML:
        out.write(yaml_codec.dumps(objs[0]) if len(objs) == 1 else encode_all(objs, YAML))
    else:
        out.write(b"\n".join(json_codec.dumps(o, pretty=True) for o in objs) + b"\n")


def run(args: argparse.Namespace) -> int:
    out = sys.stdout.buffer
    try:
        if args.file == "-":
            src: BinaryIO = sys.stdin.buffer
        else:
            src = open(args.file, "rb")
    except OSError as exc:
        print(f"kclient convert: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        with src:
            if args.stream:
                _convert_stream(src, args.source, _FORMATS[args.target], out)
            else:
                _convert_objects(src.read(), args.source, _FORMATS[args.target], out)
    except (DecodeError, EncodeError) as exc:
        name = "standard input" if args.file == "-" else args.file
        print(f"kclient convert: {name}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0
