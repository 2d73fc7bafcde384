"""Content negotiation on the client side: which Accept header, which body encoding,
and how a response body is read.

* **Requests to a resource.** With protobuf preferred (the default) and a kind that
  kclient has a protobuf schema for, the client sends client-go's typed-client
  headers: ``Accept: application/vnd.kubernetes.protobuf,application/json`` and
  protobuf bodies. Otherwise (custom resources, kinds without a schema, JSON
  preferred) it sends ``Accept: application/json`` and JSON bodies, as client-go's
  dynamic client does. The server may answer either; the response's
  ``Content-Type`` decides how it is read.
* **Which kind a resource serves.** :func:`kind_for` guesses it from kclient's
  protobuf schema registry, pluralizing kinds as apimachinery's
  ``UnsafeGuessKindToResource`` does (``Endpoints`` stays ``endpoints``). Only kinds
  with a schema matter here, so a miss just means JSON.
* **Responses.** The ``Content-Type`` is parsed (parameters ignored): JSON, YAML and
  protobuf go through :mod:`kclient.serializers`; a missing type is recognized from
  the bytes. Watch streams pick their :class:`~kclient.serializers.StreamDecoder`
  from the same header.

Maps to client-go ``rest/client.go`` (``ClientContentConfig``), ``rest/request.go``
(``UseProtobufAsDefault``, ``setAcceptHeader``, ``transformResponse``) and
``gentype.PrefersProtobuf``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kclient import serializers as ser

__all__ = [
    "ACCEPT_JSON",
    "ACCEPT_PROTOBUF",
    "ACCEPT_ANY_JSON",
    "kind_for",
    "uses_protobuf",
    "accept_for",
    "encode_body",
    "media_type",
    "decode_response",
    "guess_resource",
]

ACCEPT_PROTOBUF = "application/vnd.kubernetes.protobuf,application/json"
ACCEPT_JSON = "application/json"
ACCEPT_ANY_JSON = "application/json, */*"

_UNPLURALIZED = ("endpoints",)


def guess_resource(kind: str) -> str:
    """The plural resource name apimachinery guesses for a kind."""
    singular = kind.lower()
    if not singular or any(singular.endswith(s) for s in _UNPLURALIZED):
        return singular
    if singular.endswith("s"):
        return singular + "es"
    if singular.endswith("y"):
        return singular[:-1] + "ies"
    return singular + "s"


@lru_cache(maxsize=1)
def _resource_table() -> dict[tuple[str, str], str]:
    from kclient.serializers.protobuf.schema import REGISTRY

    table: dict[tuple[str, str], str] = {}
    for api_version, kind, _ in REGISTRY.kinds():
        if kind.endswith("List") or kind.endswith("Options"):
            continue
        table.setdefault((api_version, guess_resource(kind)), kind)
    return table


def kind_for(api_version: str, resource: str) -> str | None:
    """The kind a built-in resource serves, if kclient has its protobuf schema."""
    return _resource_table().get((api_version, resource))


def uses_protobuf(preferred: str, api_version: str, kind: str | None, *,
                  list_kind: bool = True) -> bool:
    """Whether requests for this kind go as protobuf: preferred, and kclient has the
    kind's schema (and its list's, when ``list_kind``)."""
    return (preferred == ser.PROTOBUF and bool(kind)
            and ser.has_protobuf_schema(api_version, kind or "")
            and (not list_kind or ser.has_protobuf_schema(api_version, f"{kind}List")))


def accept_for(preferred: str, api_version: str, kind: str | None) -> str:
    return ACCEPT_PROTOBUF if uses_protobuf(preferred, api_version, kind) else ACCEPT_JSON


def encode_body(obj: Any, preferred: str) -> tuple[bytes, str]:
    """A request body and its Content-Type: protobuf when preferred and possible (a
    dict with a field the kind's schema lacks goes as JSON, so the server, not the
    client, decides whether to warn about it or reject it)."""
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj), ser.JSON
    if isinstance(obj, dict) and preferred == ser.PROTOBUF:
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if isinstance(api_version, str) and isinstance(kind, str) and \
                ser.has_protobuf_schema(api_version, kind):
            try:
                return ser.encode(obj, ser.PROTOBUF), ser.PROTOBUF
            except ser.EncodeError:
                pass  # a field protobuf cannot carry: JSON carries it, the server judges it
    return ser.encode(obj, ser.JSON), ser.JSON


def media_type(content_type: str | None) -> str:
    if not content_type:
        return ""
    return ser.parse_media_type(content_type)[0]


_DECODABLE = {ser.JSON: ser.JSON, ser.YAML: ser.YAML, ser.PROTOBUF: ser.PROTOBUF,
              "application/x-yaml": ser.YAML, "text/yaml": ser.YAML}


def decode_response(body: bytes, content_type: str | None) -> Any:
    """Decode a response body by its Content-Type; None when the type is not one of
    kclient's (plain text, HTML from a proxy ...)."""
    media = media_type(content_type)
    if not media:
        return ser.decode(body)
    codec = _DECODABLE.get(media)
    if codec is None:
        return None
    return ser.decode(body, codec)
