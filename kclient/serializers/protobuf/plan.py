"""Compiled per-message plans: the schema turned into what a codec loop needs.

A ``Plan`` holds, for one message: its fields by number (decode) and in number order
(encode), each with a small integer ``kind`` and the wire type it must arrive with,
what JSON does with a zero value (drop it, keep it, or default an absent field), and
the set of JSON names it owns (inline fields contribute theirs). Plans are built once,
lazily, from ``schema.REGISTRY`` and shared by the pure-Python codec and the C
accelerator.
"""

from __future__ import annotations

from .schema import REGISTRY, Field, Message

# field kinds
STRING, BYTES, BOOL, INT32, INT64, UINT32, UINT64, FLOAT, DOUBLE = range(9)
MESSAGE, TIME, MICROTIME, DURATION, QUANTITY, INTORSTR, RAWEXT, FIELDSV1, SLICE = range(9, 18)

_KIND_OF = {
    "string": STRING, "bytes": BYTES, "bool": BOOL, "int32": INT32, "int64": INT64,
    "uint32": UINT32, "uint64": UINT64, "float": FLOAT, "double": DOUBLE,
    "Time": TIME, "MicroTime": MICROTIME, "Duration": DURATION, "Quantity": QUANTITY,
    "IntOrString": INTORSTR, "RawExtension": RAWEXT, "FieldsV1": FIELDSV1,
}
#: wire type each kind arrives with
WIRE_TYPE = {STRING: 2, BYTES: 2, BOOL: 0, INT32: 0, INT64: 0, UINT32: 0, UINT64: 0,
             FLOAT: 5, DOUBLE: 1}
SCALAR_KINDS = frozenset(WIRE_TYPE)
_ZERO = {STRING: "", BYTES: "", BOOL: False, INT32: 0, INT64: 0, UINT32: 0, UINT64: 0,
         FLOAT: 0.0, DOUBLE: 0.0}

# what to do when a field is absent from the wire, for the JSON shape
ABSENT_OMIT, ABSENT_ZERO, ABSENT_NULL, ABSENT_EMPTY_MESSAGE, ABSENT_LIST = range(5)


class FieldPlan:
    __slots__ = (
        "number", "name", "kind", "wire_type", "repeated", "is_map", "pointer",
        "omit_zero", "omitzero_struct", "inline", "sub", "absent", "zero", "tag",
        "path", "packable",
    )

    def __init__(self, f: Field, owner: Message) -> None:
        self.number = f.number
        self.name = f.name
        self.path = f"{owner.name}.{f.name}"
        if f.message is not None:
            self.kind = SLICE if f.message.is_slice else MESSAGE
        else:
            self.kind = _KIND_OF[f.type]
        self.repeated = f.repeated
        self.is_map = f.is_map
        self.pointer = f.pointer
        self.inline = f.inline
        self.sub: Plan | None = None  # linked after all plans exist
        collection = f.repeated or f.is_map or self.kind == SLICE
        # repeated scalars are unpacked on the wire: each element has its own tag
        packable = f.repeated and self.kind in WIRE_TYPE and self.kind not in (STRING, BYTES)
        if f.is_map or self.kind not in WIRE_TYPE:
            self.wire_type = 2
        else:
            self.wire_type = WIRE_TYPE[self.kind]
        self.packable = packable
        self.tag = bytes(_varint((f.number << 3) | self.wire_type))
        scalar = self.kind in SCALAR_KINDS and not collection
        # a present zero value of a non-pointer omitempty scalar is dropped from JSON
        self.omit_zero = scalar and not f.pointer and not f.keep
        self.omitzero_struct = f.omitzero
        self.zero = _ZERO.get(self.kind)
        if f.inline:
            self.absent = ABSENT_EMPTY_MESSAGE
        elif collection:
            if f.empty_list:
                self.absent = ABSENT_LIST
            else:
                self.absent = ABSENT_NULL if f.keep else ABSENT_OMIT
        elif f.pointer:
            self.absent = ABSENT_NULL if f.keep else ABSENT_OMIT
        elif scalar:
            self.absent = ABSENT_ZERO if f.keep else ABSENT_OMIT
        elif f.omitzero:
            self.absent = ABSENT_OMIT
        else:  # a non-pointer struct is always in JSON
            self.absent = ABSENT_EMPTY_MESSAGE


class Plan:
    __slots__ = (
        "message", "name", "by_number", "ordered", "known", "defaults", "is_slice", "index",
    )

    def __init__(self, message: Message) -> None:
        self.message = message
        self.name = message.full_name
        self.is_slice = message.is_slice
        self.ordered = [FieldPlan(f, message) for f in message.fields]
        self.by_number = {fp.number: fp for fp in self.ordered}
        self.known: frozenset[str] = frozenset()
        self.defaults: list[FieldPlan] = []
        self.index = -1  # position in the table handed to the C accelerator

    def __repr__(self) -> str:
        return f"<Plan {self.name}>"


def _varint(value: int) -> bytearray:
    out = bytearray()
    value &= (1 << 64) - 1
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return out


_plans: dict[str, Plan] = {}
_kind_plans: dict[tuple[str, str], Plan | None] = {}


def _build() -> None:
    from . import schemas

    schemas.load_all()
    REGISTRY.resolve()
    for name, msg in REGISTRY.messages.items():
        if name not in _plans:
            _plans[name] = Plan(msg)
    for plan in _plans.values():
        for fp, f in zip(plan.ordered, plan.message.fields):
            if f.message is not None:
                fp.sub = _plans[f.message.full_name]
    for i, plan in enumerate(_plans.values()):
        plan.index = i
        plan.known = frozenset(_json_names(plan))
        plan.defaults = [fp for fp in plan.ordered if fp.absent != ABSENT_OMIT]


def c_spec() -> list[tuple]:
    """The plans as the C accelerator's compile() takes them, in index order."""
    out = []
    for plan in all_plans().values():
        fields = [
            (
                fp.number, fp.name, fp.kind, fp.wire_type, fp.repeated, fp.is_map,
                fp.packable, fp.inline, fp.omit_zero, fp.omitzero_struct, fp.absent,
                fp.sub.index if fp.sub is not None else -1,
                fp.zero, fp.path,
            )
            for fp in plan.ordered
        ]
        out.append((plan.name, plan.is_slice, fields))
    return out


def _json_names(plan: Plan) -> set[str]:
    names: set[str] = set()
    for fp in plan.ordered:
        if fp.inline:
            assert fp.sub is not None
            names |= _json_names(fp.sub)
        else:
            names.add(fp.name)
    return names


def plan_for_kind(api_version: str, kind: str) -> Plan | None:
    """The plan of a top-level kind, or None when kclient has no schema for it."""
    key = (api_version, kind)
    try:
        return _kind_plans[key]
    except KeyError:
        pass
    if not _plans:
        _build()
    msg = REGISTRY.for_kind(api_version, kind)
    plan = _plans.get(msg.full_name) if msg is not None else None
    _kind_plans[key] = plan
    return plan


def plan_for_message(full_name: str) -> Plan:
    if not _plans:
        _build()
    return _plans[full_name]


def all_plans() -> dict[str, Plan]:
    if not _plans:
        _build()
    return _plans
