"""The upstream round-trip fixtures of every other kind of the groups the codec covers
(tests/data/k8s-api-extra, see its MANIFEST.txt): JSON and YAML decode to the same dict,
every field of every object goes through the protobuf schema and back unchanged, and
encoding reproduces upstream's YAML bytes exactly.

No .pb files exist for these kinds here, so protobuf byte-exactness is covered only by
test_fixtures.py; what this proves is that the schema has each field with a compatible type.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import orjson
import pytest

from kclient import serializers
from kclient.serializers import protobuf
from kclient.serializers.errors import EncodeError

EXTRA = Path(__file__).parent.parent / "data" / "k8s-api-extra"
HEAD = EXTRA / "HEAD"

FILES = sorted(p.name for p in HEAD.iterdir() if p.suffix in (".json", ".yaml"))
NAMES = sorted({f.rsplit(".", 1)[0] for f in FILES})
PAIRS = [n for n in NAMES if f"{n}.json" in FILES and f"{n}.yaml" in FILES]
YAMLS = [f for f in FILES if f.endswith(".yaml")]

# Kinds whose .json and .yaml were taken from different upstream snapshots (see the
# MANIFEST): the one subtree that a newer snapshot added, and the file that has it.
PAIR_DIFFERENCES = {
    "core.v1.PersistentVolume": ("yaml", ("spec", "volumeAttributesClassName")),
    "discovery.k8s.io.v1.EndpointSlice": ("json", ("endpoints", 0, "hints", "forNodes")),
    "storage.k8s.io.v1.CSINode": ("json", ("status",)),
}

# Fields upstream has that the schema does not describe yet: the field number and Go type
# of each could not be established, so encoding must refuse the object (strict).
SCHEMA_GAPS = {
    "batch.v1.Job.json": "JobSpec.scheduling",
    "apps.v1.StatefulSet.yaml": "PersistentVolumeClaimStatus.healthStatus",
}


def _load(name: str) -> dict:
    data = (HEAD / name).read_bytes()
    if name.endswith(".json"):
        return orjson.loads(data)
    return serializers.decode(data, serializers.YAML)


def _without(obj: dict, path: tuple) -> dict:
    obj = copy.deepcopy(obj)
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return obj


def _has(obj, path: tuple) -> bool:
    for key in path:
        try:
            obj = obj[key]
        except (KeyError, IndexError, TypeError):
            return False
    return True


@pytest.fixture(params=["c", "python"])
def implementation(request, monkeypatch):
    """Run a test on the C accelerator and on the pure-Python codec it must match."""
    if request.param == "python":
        monkeypatch.setattr(protobuf, "_speedups", None)
    elif protobuf._speedups is None:
        pytest.skip("the C accelerator is not built on this machine")
    return request.param


def test_files_match_the_manifest():
    listed = {}
    for line in (EXTRA / "MANIFEST.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0].endswith((".json", ".yaml")) and parts[1].isdigit():
            listed[parts[0]] = (int(parts[1]), parts[2])
    assert sorted(listed) == FILES
    for name in FILES:
        data = (HEAD / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == listed[name], name
    assert len(NAMES) >= 45 and len(PAIRS) >= 35


@pytest.mark.parametrize("name", [f for f in FILES if f.endswith(".json")])
def test_json_files_are_upstream_pretty_json(name):
    data = (HEAD / name).read_bytes()
    assert not data.endswith(b"\n")
    assert orjson.dumps(orjson.loads(data), option=orjson.OPT_INDENT_2) == data
    assert serializers.decode(data) == orjson.loads(data)


@pytest.mark.parametrize("name", PAIRS)
def test_json_and_yaml_decode_to_the_same_dict(name):
    from_json = serializers.decode((HEAD / f"{name}.json").read_bytes())
    from_yaml = serializers.decode((HEAD / f"{name}.yaml").read_bytes())
    assert from_json == orjson.loads((HEAD / f"{name}.json").read_bytes())
    if name in PAIR_DIFFERENCES:
        side, path = PAIR_DIFFERENCES[name]
        newer, older = (from_json, from_yaml) if side == "json" else (from_yaml, from_json)
        assert _has(newer, path) and not _has(older, path)
        newer = _without(newer, path)
        assert newer == older
    else:
        assert from_json == from_yaml


@pytest.mark.parametrize("name", FILES)
def test_every_field_round_trips_through_protobuf(name, implementation):
    obj = _load(name)
    if name in SCHEMA_GAPS:
        with pytest.raises(EncodeError, match="unknown field"):
            protobuf.encode(obj)
        pytest.xfail(f"the schema lacks {SCHEMA_GAPS[name]}")
    wire = protobuf.encode(obj)  # strict: a field the schema lacks raises EncodeError
    assert protobuf.decode(wire, strict=True) == obj
    assert protobuf.decode(wire) == obj


@pytest.mark.parametrize("name", YAMLS)
def test_yaml_encodes_as_upstream(name):
    base = name[: -len(".yaml")]
    if base in PAIRS and base not in PAIR_DIFFERENCES:
        obj = orjson.loads((HEAD / f"{base}.json").read_bytes())
    else:  # no JSON of the same snapshot: the YAML's own object
        obj = _load(name)
    assert serializers.encode(obj, serializers.YAML) == (HEAD / name).read_bytes()
