"""Content negotiation: which media type a response is written in, how a body is read.

Responses: the ``Accept`` header is a list of media ranges with ``q`` weights and
parameters. The server walks them best first and takes the first one it can serve:
``application/json``, ``application/yaml`` and ``application/vnd.kubernetes.protobuf``
(protobuf only for kinds with a protobuf schema: custom resources are JSON/YAML-only),
``*/*`` and ``application/*`` meaning JSON. Parameters select a *transformation*:
``as=Table;g=meta.k8s.io;v=v1`` (server-side printing), ``as=PartialObjectMetadata`` /
``PartialObjectMetadataList`` (metadata only). Unknown ``as`` values, ``stream`` values
other than ``watch``, and YAML for watches make a range unacceptable. No acceptable
range is a 406 NotAcceptable; an absent header means JSON.

Requests: a body is decoded by its ``Content-Type`` (absent means JSON). A media type
the server cannot read is a 415; bytes that do not decode are a 400 BadRequest naming
the expected kind, as kube-apiserver's ``transformDecodeError`` does.

Maps to apiserver ``pkg/endpoints/handlers/negotiation`` (``NegotiateOutputMediaType``,
``NegotiateInputSerializer``) and ``handlers/rest.go`` (``targetEncodingForTransform``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kclient import serializers as ser
from kclient.serializers import parse_media_type

from . import errors

JSON: str = ser.JSON
YAML: str = ser.YAML
PROTOBUF: str = ser.PROTOBUF

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

_AS_KINDS = {"Table", "PartialObjectMetadata", "PartialObjectMetadataList"}
_AS_VERSIONS = {"v1", "v1beta1"}


@dataclass(frozen=True, slots=True)
class Target:
    """The negotiated response form: a media type and an optional transformation."""

    content_type: str
    as_kind: str = ""
    as_version: str = ""
    pretty: bool = False


def parse_accept(header: str | None) -> list[tuple[str, dict[str, str]]]:
    """Media ranges of an Accept header, best first (stable among equal weights)."""
    if not header or not header.strip():
        return []
    ranges = []
    for i, part in enumerate(header.split(",")):
        if not part.strip():
            continue
        media, params = parse_media_type(part)
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 1.0
        if q <= 0:
            continue
        specificity = 0 if media == "*/*" else (1 if media.endswith("/*") else 2)
        ranges.append((-q, -specificity, i, media, params))
    ranges.sort()
    return [(m, p) for _, _, _, m, p in ranges]


def offered(protobuf: bool, watch: bool = False) -> list[str]:
    out = [JSON] if watch else [JSON, YAML]
    if protobuf:
        out.append(PROTOBUF)
    return out


def negotiate(accept: str | None, *, protobuf: bool, watch: bool = False,
              transforms: bool = False, list_: bool = False) -> Target:
    """Pick the response form, or raise 406 NotAcceptable.

    ``protobuf``: the kind has a protobuf schema. ``transforms``: the endpoint is a
    get/list/watch of a resource, where Table and PartialObjectMetadata are allowed.
    """
    ranges = parse_accept(accept)
    if not ranges:
        return Target(JSON)
    for media, params in ranges:
        if media in ("*/*", "application/*"):
            media = JSON
        if media == YAML and watch:
            continue
        if media == PROTOBUF and not protobuf:
            continue
        if media not in (JSON, YAML, PROTOBUF):
            continue
        stream = params.get("stream")
        if stream is not None and (stream != "watch" or not watch):
            continue
        pretty = params.get("pretty") == "1" or params.get("pretty") == "true"
        as_kind = params.get("as", "")
        if as_kind:
            if not transforms or as_kind not in _AS_KINDS:
                continue
            if params.get("g") != "meta.k8s.io" or params.get("v") not in _AS_VERSIONS:
                continue
            if as_kind == "PartialObjectMetadataList" and not list_:
                continue
            if as_kind == "PartialObjectMetadata" and list_ and not watch:
                continue
            if media == PROTOBUF and not ser.has_protobuf_schema(
                    "meta.k8s.io/" + params["v"], as_kind):
                continue
            return Target(media, as_kind, params["v"], pretty)
        return Target(media, pretty=pretty)
    raise errors.not_acceptable(offered(protobuf, watch))


def request_media_type(content_type: str | None) -> str:
    if not content_type or not content_type.strip():
        return JSON
    return parse_media_type(content_type)[0]


def decode_body(body: bytes, content_type: str | None, *, protobuf: bool,
                kind: str, version: str) -> dict[str, Any]:
    """Decode a create/update body. 415 for an unreadable media type, 400 for bytes
    that do not decode to one object."""
    media = request_media_type(content_type)
    accepted = [JSON, YAML] + ([PROTOBUF] if protobuf else [])
    if media not in accepted:
        raise errors.unsupported_media_type(media, accepted)
    if not body.strip(b" \t\r\n"):
        raise errors.bad_request("the body of the request was empty" if media != PROTOBUF
                                 else "empty body")
    try:
        obj = ser.decode(body, media)
    except ValueError as exc:
        raise errors.bad_request(
            f'{kind} in version "{version}" cannot be handled as a {kind}: {exc}') from None
    if not isinstance(obj, dict):
        raise errors.bad_request(
            f'{kind} in version "{version}" cannot be handled as a {kind}: '
            f"the body must be an object")
    return obj


def decode_options(body: bytes, content_type: str | None, kind: str) -> dict[str, Any]:
    """Decode an options body (DeleteOptions, Eviction ...): JSON, YAML or protobuf."""
    media = request_media_type(content_type)
    if media not in (JSON, YAML, PROTOBUF):
        raise errors.unsupported_media_type(media, [JSON, YAML, PROTOBUF])
    try:
        obj = ser.decode(body, media)
    except ValueError as exc:
        raise errors.bad_request(f"error decoding {kind}: {exc}") from None
    if not isinstance(obj, dict):
        raise errors.bad_request(f"error decoding {kind}: the body must be an object")
    return obj


def patch_type(content_type: str | None, *, strategic: bool) -> str:
    """The patch media type, or 415 listing the accepted ones for this resource."""
    media = request_media_type(content_type) if content_type else ""
    accepted = [JSON_PATCH, MERGE_PATCH] + ([STRATEGIC_PATCH] if strategic else []) + \
        [APPLY_PATCH]
    if media not in accepted:
        raise errors.unsupported_media_type(media, accepted)
    return media


def encode(obj: dict[str, Any], content_type: str) -> bytes:
    return ser.encode(obj, content_type)


def encode_status(status: dict[str, Any], content_type: str) -> tuple[bytes, str]:
    """A Status in the negotiated type, falling back to JSON where it cannot be."""
    if content_type == PROTOBUF and not ser.has_protobuf_schema("v1", "Status"):
        content_type = JSON
    try:
        return ser.encode(status, content_type), content_type
    except ValueError:
        return ser.encode(status, JSON), JSON
