"""Every upstream fixture: JSON, YAML and protobuf decode to the same dict, and
encoding reproduces upstream's protobuf and YAML bytes exactly."""

from __future__ import annotations

import orjson
import pytest

from kclient import serializers
from kclient.serializers import protobuf
from tests.conftest import HEAD, fixture_names

NAMES = fixture_names()
# the WatchEvent envelope carries an empty typeMeta; upstream decodes it with a default
DEFAULTS = {"core.v1.WatchEvent": ("v1", "WatchEvent")}


def test_fixtures_present():
    assert len(NAMES) >= 15


def _pb(name: str, **kw):
    api_version, kind = DEFAULTS.get(name, (None, None))
    return protobuf.decode(
        (HEAD / f"{name}.pb").read_bytes(),
        default_api_version=api_version,
        default_kind=kind,
        **kw,
    )


@pytest.fixture(params=["c", "python"])
def implementation(request, monkeypatch):
    """Run a test on the C accelerator and on the pure-Python codec it must match."""
    if request.param == "python":
        monkeypatch.setattr(protobuf, "_speedups", None)
    elif protobuf._speedups is None:
        pytest.skip("the C accelerator is not built on this machine")
    return request.param


@pytest.mark.parametrize("name", NAMES)
def test_three_encodings_decode_to_the_same_dict(name, implementation):
    from_json = orjson.loads((HEAD / f"{name}.json").read_bytes())
    assert serializers.decode((HEAD / f"{name}.json").read_bytes()) == from_json
    assert serializers.decode((HEAD / f"{name}.yaml").read_bytes()) == from_json
    # strict: every field number upstream wrote is in our schema
    assert _pb(name, strict=True) == from_json


@pytest.mark.parametrize("name", NAMES)
def test_protobuf_reencodes_byte_exact(name):
    original = (HEAD / f"{name}.pb").read_bytes()
    obj = orjson.loads((HEAD / f"{name}.json").read_bytes())
    api_version, kind = DEFAULTS.get(name, (None, None))
    assert protobuf.encode(obj, api_version=api_version, kind=kind) == original


@pytest.mark.parametrize("name", NAMES)
def test_yaml_encodes_as_upstream(name):
    obj = orjson.loads((HEAD / f"{name}.json").read_bytes())
    assert serializers.encode(obj, serializers.YAML) == (HEAD / f"{name}.yaml").read_bytes()


@pytest.mark.parametrize("name", [n for n in NAMES if n not in DEFAULTS])
def test_recognizer_picks_each_format(name):
    for ext, media in (("json", serializers.JSON), ("yaml", serializers.YAML),
                       ("pb", serializers.PROTOBUF)):
        data = (HEAD / f"{name}.{ext}").read_bytes()
        assert serializers.recognize(data) == media
        assert serializers.decode(data) == serializers.decode(data, media)
