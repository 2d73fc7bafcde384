"""Media types kclient speaks, and the parsing of Content-Type / Accept values."""

from __future__ import annotations

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"
#: watch stream forms as a server labels them (JSON watches carry no stream parameter)
JSON_WATCH = "application/json;stream=watch"
PROTOBUF_WATCH = "application/vnd.kubernetes.protobuf;stream=watch"

_ALIASES = {
    "json": JSON,
    "application/json": JSON,
    "yaml": YAML,
    "application/yaml": YAML,
    "application/x-yaml": YAML,
    "text/yaml": YAML,
    "protobuf": PROTOBUF,
    "application/vnd.kubernetes.protobuf": PROTOBUF,
}


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """Split ``type/subtype; k=v`` into the lower-cased type and its parameters."""
    main, *params = value.split(";")
    out: dict[str, str] = {}
    for p in params:
        k, sep, v = p.partition("=")
        if sep:
            out[k.strip().lower()] = v.strip().strip('"')
    return main.strip().lower(), out


def normalize(content_type: str) -> str:
    """The canonical media type for a content type or short name (json, yaml, protobuf).

    Raises ValueError for a type kclient has no codec for.
    """
    media, _ = parse_media_type(content_type)
    try:
        return _ALIASES[media]
    except KeyError:
        raise ValueError(
            f"unsupported content type {content_type!r}: expected one of "
            f"{JSON}, {YAML}, {PROTOBUF}"
        ) from None
