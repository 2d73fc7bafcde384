"""kclient's schemas as protobuf-library descriptors and message classes.

``message_class(api_version, kind)`` returns a generated class of the ``protobuf``
package for any kind kclient knows, built at run time from the same schemas the codec
uses (one proto2 file per package; the special types get the messages they have on the
wire). Useful to hand Kubernetes bytes to code that speaks the protobuf library, as an
independent parser in tests, and as the floor in benchmarks/codecs.py.
"""

from __future__ import annotations

from functools import lru_cache

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from .plan import all_plans
from .schema import REGISTRY, Message

META = "k8s.io.apimachinery.pkg.apis.meta.v1"
_SPECIAL_MESSAGES = {
    # special type: (package, message name, fields as (number, name, type))
    "Time": (META, "Time", [(1, "seconds", "int64"), (2, "nanos", "int32")]),
    "MicroTime": (META, "MicroTime", [(1, "seconds", "int64"), (2, "nanos", "int32")]),
    "Duration": (META, "Duration", [(1, "duration", "int64")]),
    "FieldsV1": (META, "FieldsV1", [(1, "Raw", "bytes")]),
    "Quantity": ("k8s.io.apimachinery.pkg.api.resource", "Quantity", [(1, "string", "string")]),
    "IntOrString": ("k8s.io.apimachinery.pkg.util.intstr", "IntOrString",
                    [(1, "type", "int64"), (2, "intVal", "int32"), (3, "strVal", "string")]),
    "RawExtension": ("k8s.io.apimachinery.pkg.runtime", "RawExtension", [(1, "raw", "bytes")]),
}
_F = descriptor_pb2.FieldDescriptorProto
_SCALAR = {
    "string": _F.TYPE_STRING, "bytes": _F.TYPE_BYTES, "bool": _F.TYPE_BOOL,
    "int32": _F.TYPE_INT32, "int64": _F.TYPE_INT64, "uint32": _F.TYPE_UINT32,
    "uint64": _F.TYPE_UINT64, "float": _F.TYPE_FLOAT, "double": _F.TYPE_DOUBLE,
}


def _file_name(package: str) -> str:
    return package.replace(".", "/") + "/generated.proto"


def _scalar_field(msg: descriptor_pb2.DescriptorProto, number: int, name: str, typ: str) -> None:
    f = msg.field.add(name=name, number=number, label=_F.LABEL_OPTIONAL, type=_SCALAR[typ])
    f.json_name = name


def _type_ref(type_name: str) -> tuple[str, str]:
    """(package, full name) of a special or message type."""
    if type_name in _SPECIAL_MESSAGES:
        package, name, _ = _SPECIAL_MESSAGES[type_name]
        return package, f"{package}.{name}"
    return type_name.rsplit(".", 1)[0], type_name


def _add_message(fp: descriptor_pb2.FileDescriptorProto, msg: Message, deps: set[str]) -> None:
    d = fp.message_type.add(name=msg.name)
    for field in msg.fields:
        label = _F.LABEL_REPEATED if (field.repeated or field.is_map) else _F.LABEL_OPTIONAL
        # proto field names may not collide case-insensitively in json names; keep ours
        f = d.field.add(name=field.name, number=field.number, label=label)
        f.json_name = field.name
        if field.is_map:
            entry_name = field.name[:1].upper() + field.name[1:] + "Entry"
            entry = d.nested_type.add(name=entry_name)
            entry.options.map_entry = True
            entry.field.add(name="key", number=1, label=_F.LABEL_OPTIONAL, type=_F.TYPE_STRING)
            value = entry.field.add(name="value", number=2, label=_F.LABEL_OPTIONAL)
            _set_type(value, field.type, fp.package, deps)
            f.type = _F.TYPE_MESSAGE
            f.type_name = f".{fp.package}.{msg.name}.{entry_name}"
        else:
            _set_type(f, field.type, fp.package, deps)


def _set_type(f: descriptor_pb2.FieldDescriptorProto, type_name: str, package: str,
              deps: set[str]) -> None:
    if type_name in _SCALAR:
        f.type = _SCALAR[type_name]
        return
    pkg, full = _type_ref(type_name)
    f.type = _F.TYPE_MESSAGE
    f.type_name = "." + full
    if pkg != package:
        deps.add(pkg)


@lru_cache(maxsize=1)
def pool() -> descriptor_pool.DescriptorPool:
    """A descriptor pool holding every message of every schema package."""
    all_plans()  # loads and resolves the schemas
    files: dict[str, descriptor_pb2.FileDescriptorProto] = {}
    deps: dict[str, set[str]] = {}

    def file_for(package: str) -> descriptor_pb2.FileDescriptorProto:
        if package not in files:
            files[package] = descriptor_pb2.FileDescriptorProto(
                name=_file_name(package), package=package, syntax="proto2"
            )
            deps[package] = set()
        return files[package]

    for package, name, fields in _SPECIAL_MESSAGES.values():
        fp = file_for(package)
        if any(m.name == name for m in fp.message_type):
            continue
        d = fp.message_type.add(name=name)
        for number, fname, typ in fields:
            _scalar_field(d, number, fname, typ)
    for msg in REGISTRY.messages.values():
        _add_message(file_for(msg.package), msg, deps.setdefault(msg.package, set()))
    p = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(package: str, stack: tuple[str, ...] = ()) -> None:
        if package in added:
            return
        if package in stack:
            raise ValueError(f"cyclic package dependency through {package}")
        for dep in sorted(deps[package]):
            add(dep, stack + (package,))
        fp = files[package]
        fp.dependency[:] = [_file_name(d) for d in sorted(deps[package])]
        p.Add(fp)
        added.add(package)

    for package in files:
        add(package)
    return p


def message_class(api_version: str, kind: str) -> type:
    """The protobuf-library class of a kind (e.g. ``message_class("v1", "PodList")``)."""
    all_plans()
    msg = REGISTRY.for_kind(api_version, kind)
    if msg is None:
        raise KeyError(f"no schema for apiVersion {api_version!r} kind {kind!r}")
    return message_factory.GetMessageClass(pool().FindMessageTypeByName(msg.full_name))
