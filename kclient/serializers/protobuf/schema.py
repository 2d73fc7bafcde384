"""The schema language for Kubernetes protobuf messages, and the registry of kinds.

Kubernetes serves every built-in kind as a proto2 message generated from its Go
struct. To turn those bytes into the exact dict the JSON form gives (and back, byte for
byte) a codec needs, for each field: its number and wire type (from upstream's
``generated.proto``) and its Go shape (from ``types.go``: pointer or value, ``omitempty``
or not, ``json:",inline"``). This module defines a small text language that records
exactly those facts, parses it, and keeps the registry the codecs read.

A package module under ``schemas/`` looks like this::

    pkg = package("k8s.io.api.apps.v1", api_version="apps/v1",
                  imports={"meta": "k8s.io.apimachinery.pkg.apis.meta.v1"})
    pkg.kinds("Deployment ReplicaSet")          # each also gets <Kind>List
    pkg.kinds("Scale", lists=False)             # a kind with no list
    pkg.message("Deployment", '''
        1 metadata   meta.ObjectMeta
        2 spec       DeploymentSpec
        3 status     DeploymentStatus
    ''')

One field per line: ``NUMBER NAME TYPE [FLAG ...]``; ``#`` starts a comment.

NAME is the JSON name (go-to-protobuf names proto fields after the JSON tag). For an
inline field the name is only a label: its fields live in the parent's JSON object.

TYPE is written like the Go type:

* scalars ``string bytes bool int32 int64 uint32 uint64 float double``;
* a message of this package (``PodSpec``) or of an imported one (``meta.ObjectMeta``);
* the special types ``Time MicroTime Duration Quantity IntOrString RawExtension
  FieldsV1``, whose JSON form is not their message shape (a string, an int or string,
  an embedded object);
* ``*T``: a Go pointer. Written on the wire only when set; kept in JSON even when zero;
* ``[]T``: a Go slice (repeated, never packed). ``bytes`` is a Go ``[]byte``;
* ``map[string]T``: a Go map (entries sorted by key on the wire).

FLAGS:

* ``keep``: the JSON tag has no ``omitempty``, so JSON emits zero values (``""``,
  ``0``, ``false``) and ``null`` for a nil slice, map or pointer;
* ``inline``: the Go field is embedded with ``json:",inline"``;
* ``omitzero``: the JSON tag has ``omitzero``: a zero struct (a zero ``Time``) is left
  out of JSON instead of being emitted.

A Go named slice type (``type Verbs []string``) that proto wraps in a message with one
repeated ``items`` field is declared with ``pkg.slice_message("Verbs", "string")``;
fields of that type are plain lists in JSON.

Non-pointer structs are always emitted in JSON (``omitempty`` has no effect on them);
a zero ``Time`` or ``MicroTime`` is ``null``.

How the schemas were derived, and how to add a kind: for each message, read the field
numbers and proto types from upstream's ``generated.proto`` of that group and version,
and the Go type and JSON tag of the same field from ``types.go``; write one line per
field. Add the kind (and whether it has a list) with ``pkg.kinds``. The test suite
round-trips every upstream fixture and checks that every referenced message exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

SCALARS = frozenset(
    {"string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "float", "double"}
)
SPECIALS = frozenset(
    {"Time", "MicroTime", "Duration", "Quantity", "IntOrString", "RawExtension", "FieldsV1"}
)
FLAGS = frozenset({"keep", "inline", "omitzero"})


class SchemaError(Exception):
    """A schema module is malformed (raised at import, naming the message and line)."""


@dataclass(slots=True)
class Field:
    number: int
    name: str
    type: str  # scalar, special, or fully qualified message name once resolved
    repeated: bool = False
    is_map: bool = False
    pointer: bool = False
    keep: bool = False
    inline: bool = False
    omitzero: bool = False
    empty_list: bool = False  # list items: an empty list decodes to [] (as servers send)
    message: "Message | None" = None  # resolved message for message-typed fields

    @property
    def is_scalar(self) -> bool:
        return self.type in SCALARS

    @property
    def is_special(self) -> bool:
        return self.type in SPECIALS


@dataclass(slots=True)
class Message:
    package: str
    name: str
    fields: list[Field] = field(default_factory=list)
    is_slice: bool = False  # a named slice wrapped as {1: repeated items}

    @property
    def full_name(self) -> str:
        return f"{self.package}.{self.name}"

    def __repr__(self) -> str:
        return f"<Message {self.full_name} ({len(self.fields)} fields)>"


def _parse_type(text: str) -> tuple[str, bool, bool, bool]:
    """Return (element type, repeated, is_map, pointer) for a Go-like type string."""
    repeated = is_map = pointer = False
    if text.startswith("map[string]"):
        is_map, text = True, text[len("map[string]") :]
    elif text.startswith("[]"):
        repeated, text = True, text[2:]
    if text.startswith("*"):
        pointer, text = True, text[1:]
    return text, repeated, is_map, pointer


class Package:
    """One proto package: its messages and the kinds it serves under an apiVersion."""

    def __init__(
        self,
        name: str,
        api_version: str | None,
        imports: dict[str, str] | None,
        registry: "Registry",
    ) -> None:
        self.name = name
        self.api_version = api_version
        self.imports = dict(imports or {})
        self.registry = registry
        self.messages: dict[str, Message] = {}
        self.kind_names: list[str] = []
        self.list_kinds: list[str] = []

    def message(self, name: str, body: str = "") -> Message:
        if name in self.messages:
            raise SchemaError(f"{self.name}.{name}: defined twice")
        msg = Message(self.name, name)
        seen: set[int] = set()
        names: set[str] = set()
        for lineno, raw in enumerate(body.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            where = f"{self.name}.{name} line {lineno} ({line!r})"
            parts = line.split()
            if len(parts) < 3:
                raise SchemaError(f"{where}: expected NUMBER NAME TYPE [FLAG ...]")
            num_text, fname, type_text, *flags = parts
            try:
                number = int(num_text)
            except ValueError:
                raise SchemaError(f"{where}: field number {num_text!r} is not an integer") from None
            if not 0 < number < 1 << 29:
                raise SchemaError(f"{where}: field number {number} out of range")
            if number in seen:
                raise SchemaError(f"{where}: field number {number} used twice")
            if fname in names:
                raise SchemaError(f"{where}: field name {fname!r} used twice")
            bad = set(flags) - FLAGS
            if bad:
                raise SchemaError(f"{where}: unknown flag(s) {sorted(bad)}")
            elem, repeated, is_map, pointer = _parse_type(type_text)
            if elem.startswith(("*", "[]", "map[")):
                raise SchemaError(f"{where}: nested type {type_text!r} is not supported")
            if elem not in SCALARS and elem not in SPECIALS:
                if elem.count(".") > 1:
                    pass  # already fully qualified
                elif "." in elem:
                    alias, _, local = elem.partition(".")
                    if alias not in self.imports:
                        raise SchemaError(f"{where}: unknown package alias {alias!r}")
                    elem = f"{self.imports[alias]}.{local}"
                else:
                    elem = f"{self.name}.{elem}"
            seen.add(number)
            names.add(fname)
            msg.fields.append(
                Field(
                    number,
                    fname,
                    elem,
                    repeated=repeated,
                    is_map=is_map,
                    pointer=pointer,
                    keep="keep" in flags,
                    inline="inline" in flags,
                    omitzero="omitzero" in flags,
                )
            )
        msg.fields.sort(key=lambda f: f.number)
        self.messages[name] = msg
        self.registry._add_message(msg)
        return msg

    def slice_message(self, name: str, element: str) -> Message:
        """A Go named slice of ``element`` that the wire wraps as ``{1: repeated items}``."""
        msg = self.message(name, f"1 items []{element}")
        msg.is_slice = True
        return msg

    def kinds(self, names: str, lists: bool = True) -> None:
        """Declare top-level kinds served under this package's apiVersion."""
        for kind in names.split():
            self.kind_names.append(kind)
            if lists:
                self.list_kinds.append(kind)


class Registry:
    """All messages by full name, and kinds by (apiVersion, kind)."""

    META = "k8s.io.apimachinery.pkg.apis.meta.v1"

    def __init__(self) -> None:
        self.packages: dict[str, Package] = {}
        self.messages: dict[str, Message] = {}
        self._kinds: dict[tuple[str, str], Message] = {}
        self._any_version: dict[str, Message] = {}
        self._resolved = False

    def package(
        self, name: str, api_version: str | None = None, imports: dict[str, str] | None = None
    ) -> Package:
        pkg = self.packages.get(name)
        if pkg is not None:  # a large package may be split over several modules
            if pkg.api_version != api_version:
                raise SchemaError(f"package {name} declared with two apiVersions")
            pkg.imports.update(imports or {})
            return pkg
        pkg = Package(name, api_version, imports, self)
        self.packages[name] = pkg
        self._resolved = False
        return pkg

    def _add_message(self, msg: Message) -> None:
        if msg.full_name in self.messages:
            raise SchemaError(f"{msg.full_name}: defined twice")
        self.messages[msg.full_name] = msg
        self._resolved = False

    def any_version_kinds(self, pkg: Package, names: str) -> None:
        """Kinds registered into every group version (Status, WatchEvent, options...)."""
        for kind in names.split():
            self._any_version[kind] = pkg.messages[kind]

    def resolve(self) -> None:
        """Link message references, generate lists, index kinds; fail on dangling names."""
        if self._resolved:
            return
        for pkg in self.packages.values():
            for kind in pkg.list_kinds:
                list_name = f"{kind}List"
                if list_name not in pkg.messages:
                    generated = pkg.message(
                        list_name,
                        f"1 metadata {self.META}.ListMeta\n2 items []{kind} keep",
                    )
                    generated.fields[1].empty_list = True
        problems = []
        for msg in self.messages.values():
            for f in msg.fields:
                if f.type in SCALARS or f.type in SPECIALS:
                    continue
                target = self.messages.get(f.type)
                if target is None:
                    problems.append(f"{msg.full_name}.{f.name}: unknown message {f.type}")
                else:
                    f.message = target
                if f.inline and (f.message is None or f.repeated or f.is_map or f.pointer):
                    problems.append(f"{msg.full_name}.{f.name}: inline must be a plain struct")
        if problems:
            raise SchemaError("; ".join(problems))
        for pkg in self.packages.values():
            if pkg.api_version is None:
                continue
            for kind in pkg.kind_names:
                if kind not in pkg.messages:
                    raise SchemaError(f"{pkg.name}: kind {kind} has no message")
                self._kinds[(pkg.api_version, kind)] = pkg.messages[kind]
                if kind in pkg.list_kinds:
                    self._kinds[(pkg.api_version, kind + "List")] = pkg.messages[kind + "List"]
        self._resolved = True

    def for_kind(self, api_version: str, kind: str) -> Message | None:
        self.resolve()
        msg = self._kinds.get((api_version, kind))
        if msg is None:
            msg = self._any_version.get(kind)
        return msg

    def kinds(self) -> Iterator[tuple[str, str, Message]]:
        self.resolve()
        for (api_version, kind), msg in self._kinds.items():
            yield api_version, kind, msg

    def message(self, full_name: str) -> Message:
        self.resolve()
        return self.messages[full_name]

    def api_versions(self) -> Iterable[str]:
        return {p.api_version for p in self.packages.values() if p.api_version}


REGISTRY = Registry()


def package(
    name: str, api_version: str | None = None, imports: dict[str, str] | None = None
) -> Package:
    """Declare a proto package in the global registry (used by the schemas/ modules)."""
    return REGISTRY.package(name, api_version, imports)
