"""YAML as Kubernetes reads and prints it: sigs.k8s.io/yaml over go-yaml v2.

Reading: go-yaml v2 resolves plain scalars (resolve.go), sigs.k8s.io/yaml turns the
result into JSON (non-string keys become strings; float keys through
``strconv.FormatFloat(f, 'g', -1, 32)``), and that JSON is decoded as unstructured JSON
(ints stay int64, so an integral float such as ``1.0`` or ``1e3`` comes back as an int).

Printing (kubectl -o yaml): sigs.k8s.io/yaml.Marshal is json.Marshal then JSONToYAML,
i.e. go-yaml v2's encoder: block style, map keys in go-yaml's natural order (sorter.go),
a string is double-quoted when it would resolve to another type or looks like a base-60
float, written as a literal block when it holds a newline, and otherwise plain (the
emitter falls back to single quotes where plain is not allowed).
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kclient.serializers import (
    YAML,
    DecodeError,
    EncodeError,
    decode,
    decode_all,
    encode,
    encode_all,
)
from tests.conftest import HEAD

REPO = Path(__file__).resolve().parents[2]


def dy(data: bytes | str) -> dict:
    if isinstance(data, str):
        data = data.encode()
    return decode(data, YAML)


def value_of(scalar: str):
    """The value a plain scalar gets as a mapping value."""
    return dy(f"v: {scalar}\n")["v"]


def plain_data(value) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(plain_data(v) for v in value)
    if isinstance(value, dict):
        return all(type(k) is str and plain_data(v) for k, v in value.items())
    return False


# ---------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    "scalar", ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
)
def test_yaml11_true_forms(scalar):
    assert value_of(scalar) is True


@pytest.mark.parametrize(
    "scalar", ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]
)
def test_yaml11_false_forms(scalar):
    assert value_of(scalar) is False


@pytest.mark.parametrize("scalar", ["yEs", "tRUE", "oN", "nO", "yess", "truee", "offf", "t", "f"])
def test_other_spellings_are_strings(scalar):
    assert value_of(scalar) == scalar


@pytest.mark.parametrize("scalar", ["'yes'", '"on"', "'true'", '"1"', "'0x10'", '"null"', "'1e3'"])
def test_quoted_scalars_are_strings(scalar):
    assert value_of(scalar) == scalar[1:-1]


@pytest.mark.parametrize(
    "scalar, value",
    [
        ("0", 0),
        ("42", 42),
        ("-42", -42),
        ("+12", 12),
        ("0x1F", 31),
        ("0X1f", 31),
        ("-0x1F", -31),
        ("0o17", 15),  # strconv.ParseInt(s, 0, 64) knows 0o
        ("0O17", 15),
        ("017", 15),  # a leading 0 means octal
        ("-017", -15),
        ("00", 0),
        ("1_000", 1000),  # underscores are dropped before parsing
        ("1__0", 10),
        ("0b101", 5),
        ("0B101", 5),
        ("-0b101", -5),
        ("9223372036854775807", (1 << 63) - 1),
        ("-9223372036854775808", -(1 << 63)),
        ("8071137005907523419", 8071137005907523419),
    ],
)
def test_integers(scalar, value):
    got = value_of(scalar)
    assert type(got) is int and got == value


@pytest.mark.parametrize(
    "scalar, value",
    [
        ("08", 8),  # not octal, but it matches the float pattern: 8.0, then int via JSON
        ("09", 9),
        ("1e3", 1000),
        ("1E3", 1000),
        ("1.0", 1),
        ("1.", 1),
        ("0.", 0),
        ("1.5e3", 1500),
        ("-2.0", -2),
    ],
)
def test_integral_floats_become_ints(scalar, value):
    got = value_of(scalar)
    assert type(got) is int and got == value


@pytest.mark.parametrize(
    "scalar, value",
    [
        ("1.5", 1.5),
        (".5", 0.5),
        ("+.5", 0.5),
        ("-.5", -0.5),
        ("1e-3", 0.001),
        ("6.02e23", 6.02e23),
        ("1_000.5", 1000.5),
    ],
)
def test_floats(scalar, value):
    got = value_of(scalar)
    assert type(got) is float and got == value


@pytest.mark.parametrize(
    "scalar",
    [
        "9223372036854775808",  # uint64 in go-yaml, float64 after the JSON round trip
        "18446744073709551615",
        "0x8000000000000000",
        "18446744073709551616",  # beyond uint64: matches the float pattern
    ],
)
def test_integers_beyond_int64_become_float(scalar):
    got = value_of(scalar)
    assert type(got) is float
    assert got == float(int(scalar, 0))


@pytest.mark.parametrize("scalar", ["1e400", "-1e400", "1_e400"])
def test_float_overflow_is_a_string(scalar):
    # ParseFloat fails with ErrRange, so resolve falls through to !!str
    assert value_of(scalar) == scalar


@pytest.mark.parametrize("scalar", ["1:20", "190:20:30", "-1:30", "1:20.5", "12:00"])
def test_no_sexagesimal_numbers(scalar):
    assert value_of(scalar) == scalar


@pytest.mark.parametrize(
    "scalar",
    [
        "2001-12-14",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14T21:59:43.10Z",
        "2001-12-14 21:59:43.10",
        "2002-1-2",
        "2024-09-18T14:06:40Z",
    ],
)
def test_timestamps_stay_the_original_strings(scalar):
    got = value_of(scalar)
    assert type(got) is str and got == scalar


def test_explicit_timestamp_tag_stays_a_string():
    assert value_of("!!timestamp 2001-12-14") == "2001-12-14"


@pytest.mark.parametrize("scalar", ["", "~", "null", "Null", "NULL"])
def test_null_forms(scalar):
    assert value_of(scalar) is None


@pytest.mark.parametrize("scalar", ["nULL", "NuLL", "none", "None", "nil"])
def test_other_null_spellings_are_strings(scalar):
    assert value_of(scalar) == scalar


@pytest.mark.parametrize("scalar", ["1e", "0x", "0o", "0b", "1.2.3", "_1", "0x1G", "--1", "1e+"])
def test_number_lookalikes_are_strings(scalar):
    assert value_of(scalar) == scalar


@pytest.mark.parametrize("scalar", ["!!str 123", "!!str true", "!!str null", "!!str 1e3"])
def test_str_tag_keeps_text(scalar):
    assert value_of(scalar) == scalar.split(" ", 1)[1]


def test_explicit_scalar_tags():
    assert dy('a: !!int "12"\nb: !!float 1\nc: !!bool "yes"\n') == {"a": 12, "b": 1, "c": True}
    assert dy("b: !!binary aGVsbG8=\n") == {"b": "hello"}


@pytest.mark.parametrize(
    "scalar",
    [".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN", "!!float .inf"],
)
def test_infinities_and_nan_are_rejected(scalar):
    with pytest.raises(DecodeError):
        dy(f"v: {scalar}\n")


def test_nan_inside_a_list_is_rejected():
    with pytest.raises(DecodeError):
        dy("v: [1, .nan]\n")


def test_block_scalars():
    assert dy("a: |\n  x\n  y\nb: >\n  p\n  q\nc: |-\n  z\n") == {
        "a": "x\ny\n",
        "b": "p q\n",
        "c": "z",
    }


# ------------------------------------------------------------------------------- keys


def test_non_string_keys_are_stringified():
    got = dy("1: a\ntrue: b\n1.5: c\n0x10: d\nno: e\n1e3: g\n-7: h\n017: i\n")
    assert got == {"1": "a", "true": "b", "1.5": "c", "16": "d", "false": "e", "1000": "g",
                   "-7": "h", "15": "i"}


def test_yaml11_boolean_keys_become_true_and_false():
    # a plain y / n / on / off key resolves to a bool, which sigs.k8s.io/yaml stringifies
    assert dy("y: 1\nn: 2\n") == {"true": 1, "false": 2}
    assert dy("on: 1\nOff: 2\n'y': 3\n") == {"true": 1, "false": 2, "y": 3}


def test_float_keys_are_formatted_at_float32_precision():
    # sigs.k8s.io/yaml: strconv.FormatFloat(key, 'g', -1, 32)
    assert dy("123456789.0: a\n0.1: b\n2.5: c\n") == {"1.2345679e+08": "a", "0.1": "b", "2.5": "c"}


@pytest.mark.parametrize("key, name", [(".inf", ".inf"), ("-.inf", "-.inf"), (".nan", ".nan")])
def test_special_float_keys_use_yaml_spellings(key, name):
    # sigs.k8s.io/yaml maps FormatFloat's +Inf, -Inf and NaN back to .inf, -.inf, .nan
    assert dy(f"{key}: 1\n") == {name: 1}


def test_timestamp_key_stays_a_string():
    assert dy("2001-12-14: a\n") == {"2001-12-14": "a"}


@pytest.mark.parametrize("doc", ["~: a\n", "null: a\n", "? [1, 2]\n: a\n", "? {a: 1}\n: b\n"])
def test_unsupported_keys_are_decode_errors(doc):
    with pytest.raises(DecodeError):
        dy(doc)


def test_last_duplicate_key_wins():
    assert dy("a: 1\nb: 2\na: 3\n") == {"a": 3, "b": 2}


# ----------------------------------------------------------------- anchors and merges


def test_merge_key_with_overrides_after_it():
    doc = "base: &b {x: 1, z: 2}\nobj:\n  <<: *b\n  x: 10\n"
    assert dy(doc) == {"base": {"x": 1, "z": 2}, "obj": {"x": 10, "z": 2}}


def test_merge_key_applies_in_document_order():
    # go-yaml v2 reads a mapping's pairs in order and a merge writes into the same map,
    # so a key given *before* "<<" is overwritten by the merged value
    doc = "base: &b {x: 1, z: 2}\nobj:\n  x: 10\n  <<: *b\n"
    assert dy(doc) == {"base": {"x": 1, "z": 2}, "obj": {"x": 1, "z": 2}}


def test_merge_of_a_list_earlier_maps_take_precedence():
    doc = "a: &a {x: 1, p: 1}\nb: &b {x: 2, q: 2}\nobj:\n  <<: [*a, *b]\n  r: 3\n"
    assert dy(doc)["obj"] == {"x": 1, "p": 1, "q": 2, "r": 3}


def test_merge_of_an_inline_mapping():
    assert dy("obj:\n  <<: {a: 1}\n  b: 2\n") == {"obj": {"a": 1, "b": 2}}


def test_merge_of_a_scalar_is_an_error():
    with pytest.raises(DecodeError):
        dy("s: &s 1\nobj:\n  <<: *s\n")


def test_quoted_merge_key_is_a_plain_key():
    assert dy('obj:\n  "<<": {a: 1}\n') == {"obj": {"<<": {"a": 1}}}


def test_anchors_give_independent_copies():
    got = dy("a: &x {k: [1, {d: 2}]}\nb: *x\nc: [*x, *x]\n")
    assert got["a"] == got["b"] == got["c"][0] == got["c"][1] == {"k": [1, {"d": 2}]}
    got["b"]["k"][1]["d"] = 99
    got["c"][0]["k"].append("new")
    assert got["a"] == {"k": [1, {"d": 2}]}
    assert got["c"][1] == {"k": [1, {"d": 2}]}
    assert got["b"]["k"] == [1, {"d": 99}]


def test_aliased_scalar_values():
    assert dy("a: &v hello\nb: *v\n") == {"a": "hello", "b": "hello"}


def test_alias_bomb_is_rejected():
    # ten levels of ten aliases each: 10**10 leaves if expanded
    lines = ['l0: &l0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 11):
        refs = ",".join([f"*l{i - 1}"] * 10)
        lines.append(f"l{i}: &l{i} [{refs}]")
    with pytest.raises(DecodeError):
        dy("\n".join(lines) + "\n")


def test_alias_bomb_in_mappings_is_rejected():
    lines = ["m0: &m0 {a: x, b: x, c: x, d: x, e: x, f: x, g: x, h: x}"]
    for i in range(1, 10):
        refs = ", ".join(f"k{j}: *m{i - 1}" for j in range(8))
        lines.append(f"m{i}: &m{i} {{{refs}}}")
    with pytest.raises(DecodeError):
        dy("\n".join(lines) + "\n")


def test_moderate_alias_use_is_accepted():
    doc = "base: &b {a: 1, b: [1, 2, 3]}\n" + "".join(f"k{i}: *b\n" for i in range(200))
    got = dy(doc)
    assert len(got) == 201 and got["k199"] == {"a": 1, "b": [1, 2, 3]}


# ------------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    "template",
    [
        "a: !!python/object/apply:os.system ['touch {marker}']\n",
        "a: !!python/object/apply:os.system\n  args: ['touch {marker}']\n",
        "a: !!python/object/new:os.system ['touch {marker}']\n",
        "a: !!python/object/apply:subprocess.check_output [['touch', '{marker}']]\n",
        "a: !!python/object:builtins.dict {{x: '{marker}'}}\n",
        "a: !!python/name:os.system ''\nb: '{marker}'\n",
        "a: !!python/module:os ''\nb: '{marker}'\n",
        "a: !!python/tuple [1, '{marker}']\n",
        "a: !custom {{b: '{marker}'}}\n",
        "a: !<tag:example.com,2000:x> '{marker}'\n",
        "a: !!set {{'{marker}': null}}\n",
    ],
)
def test_tags_never_construct_anything(template, tmp_path: Path):
    marker = tmp_path / "pwned"
    got = dy(template.format(marker=marker))
    assert plain_data(got)
    assert not marker.exists()


def test_python_tag_on_the_document_gives_plain_data_not_a_call(tmp_path: Path):
    marker = tmp_path / "pwned"
    with pytest.raises(DecodeError):  # a list at top level: not an object
        dy(f"!!python/object/apply:os.system ['touch {marker}']\n")
    assert not marker.exists()


def test_unknown_tags_read_the_node_as_plain_data():
    assert dy("a: !foo {b: 1}\nc: !bar [1, x]\nd: !baz text\n") == {
        "a": {"b": 1},
        "c": [1, "x"],
        "d": "text",
    }


# --------------------------------------------------------------------------- documents


def test_decode_raises_for_several_documents():
    with pytest.raises(DecodeError):
        dy("a: 1\n---\nb: 2\n")


def test_decode_all_returns_every_document():
    assert decode_all(b"a: 1\n---\nb: 2\n---\nc: [3]\n", YAML) == [{"a": 1}, {"b": 2}, {"c": [3]}]


def test_decode_all_skips_empty_documents():
    assert decode_all(b"---\n---\na: 1\n---\n# only a comment\n---\n\n---\nb: 2\n", YAML) == [
        {"a": 1},
        {"b": 2},
    ]


def test_document_start_marker_and_end_marker():
    assert dy("---\na: 1\n") == {"a": 1}
    assert dy("%YAML 1.1\n---\na: 1\n...\n") == {"a": 1}


@pytest.mark.parametrize("doc", ["- a\n", "hello\n", "42\n", "[1, 2]\n"])
def test_top_level_non_mapping_is_a_decode_error(doc):
    with pytest.raises(DecodeError):
        dy(doc)


@pytest.mark.parametrize("doc", ["", "# nothing\n", "---\n", "~\n", "null\n"])
def test_empty_document_is_a_decode_error(doc):
    with pytest.raises(DecodeError):
        dy(doc)


@pytest.mark.parametrize(
    "doc",
    ["a: b: c\n", "a:\n\tb: 1\n", "a: [1\n", "a: {b\n", "a: 'x\n", "a: *nope\n", "- a\nb: 1\n",
     "\x00", "a: \xff\n"],
)
def test_malformed_yaml_is_a_decode_error(doc):
    with pytest.raises(DecodeError):
        decode(doc.encode("latin-1") if "\xff" in doc else doc.encode(), YAML)


DEEP_NESTING_SCRIPT = """
import sys
from kclient.serializers import DecodeError, StreamDecoder, decode, decode_all
depth = int(sys.argv[1])
doc = b"a: " + b"[" * depth + b"]" * depth + b"\\n"
for name, call in (
    ("decode", lambda: decode(doc, "application/yaml")),
    ("decode auto", lambda: decode(doc)),
    ("decode_all", lambda: decode_all(doc, "application/yaml")),
    ("stream", lambda: StreamDecoder("application/yaml").feed(doc + b"---\\n")),
):
    try:
        call()
    except DecodeError:
        print(name, "DecodeError")
    else:
        print(name, "no error")
"""


@pytest.mark.parametrize("depth", [2_000, 50_000])
def test_deep_nesting_is_a_decode_error_not_a_crash(depth):
    # run in a child process: a stack overflow in the parser would take the test run down
    proc = subprocess.run(
        [sys.executable, "-c", DEEP_NESTING_SCRIPT, str(depth)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, f"child exited with {proc.returncode}: {proc.stderr[-500:]}"
    assert proc.stdout.split("\n")[:4] == [
        "decode DecodeError", "decode auto DecodeError", "decode_all DecodeError",
        "stream DecodeError",
    ]


def test_utf16_and_bom():
    assert decode("\ufeffa: é\n".encode("utf-8"), YAML) == {"a": "é"}
    assert decode("\ufeffa: é\n".encode("utf-16"), YAML) == {"a": "é"}


# ---------------------------------------------------------------------------- encoding


def ey(obj) -> str:
    return encode(obj, YAML).decode("utf-8")


@pytest.mark.parametrize(
    "text",
    ["y", "Y", "yes", "NO", "on", "Off", "true", "False", "null", "Null", "~", "", "1", "-1",
     "+1", "0x1F", "0o17", "017", "08", "1_000", "0b101", "-0b101", "1e3", "1.5", ".5", "1.",
     ".inf", "-.Inf", ".nan", "1:20", "190:20:30", "2001-12-14", "2001-12-14T21:59:43Z", "<<",
     "99999999999999999999"],
)
def test_strings_that_read_back_as_another_type_are_double_quoted(text):
    assert ey({"k": text}) == f'k: "{text}"\n'


@pytest.mark.parametrize("text", ["x", "hello world", "NaN", "tRUE", "1.2.3", "a:b", "-x",
                                  "é", "a-b_c.d/e", "192.168.0.1", "1e", "0x",
                                  "1e400"])  # resolves to !!str: ParseFloat overflows
def test_ordinary_strings_are_plain(text):
    assert ey({"k": text}) == f"k: {text}\n"


@pytest.mark.parametrize(
    "text, written",
    [
        ("a: b", "'a: b'"),
        ("x:", "'x:'"),
        ("#c", "'#c'"),
        ("a #b", "'a #b'"),
        ("- x", "'- x'"),
        ("-", "'-'"),
        (" lead", "' lead'"),
        ("trail ", "'trail '"),
        ("@x", "'@x'"),
        ("`x", "'`x'"),
        ("*x", "'*x'"),
        ("&x", "'&x'"),
        ("!x", "'!x'"),
        ("%x", "'%x'"),
        ("?", "'?'"),
        ("|", "'|'"),
        (">", "'>'"),
        ("{x}", "'{x}'"),
        ("[x]", "'[x]'"),
        ("'q'", "'''q'''"),
        ('"d"', "'\"d\"'"),
    ],
)
def test_strings_plain_cannot_hold_are_single_quoted(text, written):
    assert ey({"k": text}) == f"k: {written}\n"


@pytest.mark.parametrize(
    "text, written",
    [
        ("a\tb", '"a\\tb"'),
        ("\U0001F600", '"\\U0001F600"'),  # go-yaml does not count 4-byte UTF-8 as printable
        ("\x85", '"\\N"'),
        ("bell\x07", '"bell\\a"'),
    ],
)
def test_strings_with_special_characters_are_double_quoted_with_escapes(text, written):
    assert ey({"k": text}) == f"k: {written}\n"


@pytest.mark.parametrize(
    "text, written",
    [
        ("a\nb", "k: |-\n  a\n  b\n"),
        ("a\nb\n", "k: |\n  a\n  b\n"),
        ("a\nb\n\n", "k: |+\n  a\n  b\n\n"),
        ("  a\n b", "k: |2-\n    a\n   b\n"),
    ],
)
def test_multi_line_strings_are_literal_blocks(text, written):
    assert ey({"k": text}) == written


def test_empty_collections_are_flow_style():
    assert ey({"m": {}, "l": [], "n": [{}, []], "x": None}) == (
        "l: []\nm: {}\n\"n\":\n- {}\n- []\nx: null\n"
    )


def test_block_style_as_kubectl_prints():
    obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "args": ["-v", "2"], "ports": [{"containerPort": 80}]}]},
        "flag": True,
        "none": None,
    }
    assert ey(obj) == (
        "apiVersion: v1\n"
        "flag: true\n"
        "kind: Pod\n"
        "metadata:\n"
        "  labels:\n"
        "    app: web\n"
        "  name: p\n"
        "none: null\n"
        "spec:\n"
        "  containers:\n"
        "  - args:\n"
        "    - -v\n"
        '    - "2"\n'
        "    name: c\n"
        "    ports:\n"
        "    - containerPort: 80\n"
    )


def test_natural_key_order():
    keys = ["a10", "a2", "a1", "b", "a~", "ab", "A", "_", "1", "10", "9", "a01"]
    out = ey(dict.fromkeys(keys, 0))
    order = [line.split(":")[0].strip('"') for line in out.splitlines()]
    # worked out by hand from go-yaml v2 sorter.go keyList.Less
    assert order == ["_", "1", "9", "10", "A", "a~", "a1", "a01", "a2", "a10", "ab", "b"]


@pytest.mark.parametrize(
    "first, second",
    [
        ("a2", "a10"),
        ("a-", "ab"),  # a non-letter sorts before a letter...
        ("a1b", "a1-"),  # ...unless it follows a digit
        ("x9", "x10"),
        ("B", "a"),  # letters by code point
        ("z", "é"),
        ("item", "items"),  # a prefix sorts first
        ("x²", "x³"),  # superscripts are not Go digits (unicode.IsDigit is Nd only)
    ],
)
def test_key_order_pairs(first, second):
    for obj in ({first: 1, second: 2}, {second: 2, first: 1}):
        lines = ey(obj).splitlines()
        assert [line.split(":")[0].strip('"') for line in lines] == [first, second]


def test_keys_that_would_read_back_as_another_type_are_quoted():
    assert ey({"y": 1, "n": 2, "1": 3, "true": 4, "x": 5}) == (
        '"1": 3\n"n": 2\n"true": 4\nx: 5\n"y": 1\n'
    )
    assert dy(ey({"y": 1, "on": 2, "null": 3})) == {"y": 1, "on": 2, "null": 3}


@pytest.mark.parametrize(
    "value, written",
    [
        (1.5, "1.5"),
        (0.1, "0.1"),
        (0.0001, "0.0001"),
        (2.5e-05, "2.5e-05"),
        (1e-07, "1e-07"),
        (123456789.5, "1.234567895e+08"),
        (1e21, "1e+21"),
        (1e20, "1e+20"),
        (1 / 3, "0.3333333333333333"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (-1234567.25, "-1.23456725e+06"),
    ],
)
def test_floats_are_formatted_like_go_strconv_g(value, written):
    assert ey({"f": value}) == f"f: {written}\n"


@pytest.mark.parametrize(
    "value, written",
    [
        # kubectl's path is json.Marshal (decimal for 1e-6 <= |f| < 1e21) and then
        # go-yaml reading that text: an integral value is read as an integer
        (1e6, "1000000"),
        (123456789.0, "123456789"),
        (1e18, "1000000000000000000"),
        (3.0, "3"),
        (100000.0, "100000"),
        (-0.0, "0"),  # json.Marshal writes -0, which go-yaml reads as the integer 0
    ],
)
def test_integral_floats_print_as_kubectl_prints_them(value, written):
    assert ey({"f": value}) == f"f: {written}\n"


def test_ints_bools_and_null():
    assert ey({"i": -(1 << 63), "j": (1 << 63) - 1, "t": True, "f": False, "n": None}) == (
        'f: false\ni: -9223372036854775808\nj: 9223372036854775807\n"n": null\nt: true\n'
    )


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_encode_rejects_infinities_and_nan(value):
    with pytest.raises(EncodeError):
        encode({"f": value}, YAML)


@pytest.mark.parametrize("obj", [{1: "int key"}, {None: 1}, {"a": {2.5: "x"}}, {"s": object()}])
def test_encode_rejects_what_json_cannot_hold(obj):
    with pytest.raises(EncodeError):
        encode(obj, YAML)


def test_encode_all_and_decode_all():
    objs = [{"a": 1}, {"b": ["x", "y"]}, {"c": {"d": None}}]
    out = encode_all(objs, YAML)
    assert out.count(b"---\n") == 3
    assert decode_all(out, YAML) == objs


@pytest.mark.parametrize("path", sorted(HEAD.glob("*.yaml")), ids=lambda p: p.stem)
def test_fixture_yaml_round_trips(path):
    obj = decode(path.read_bytes(), YAML)
    assert decode(encode(obj, YAML), YAML) == obj


# -------------------------------------------------------------------------- round trip


TRICKY = st.sampled_from(
    ["y", "n", "yes", "on", "OFF", "true", "null", "~", "", "0", "1", "017", "08", "0x1F", "0o7",
     "0b1", "1_0", "1e3", "1.", ".5", "1:2", "2001-12-14", "<<", ".inf", "-.nan", "- x", "a: b",
     "#", "x #y", " ", " lead", "trail ", "'", '"', "\\", "\n", "a\nb", "a\n", "\n\n", " \n x",
     "\t", "\r", "a\r\nb", "\x85", "\u2028", "\ufeff", "é", "\U0001F600", "{", "[", "]", "}", ",",
     "*a", "&a", "!a", "%", "@", "`", "|", ">", "?", "-", "---", "...", "--- x", "a" * 90,
     "word " * 20]
)
# "No" (superscripts, fractions) is left out: their key order has its own test above
TEXT = st.text(st.characters(blacklist_categories=("Cs", "No")), max_size=16) | TRICKY
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)
    # an integral float beyond 2**53 is printed through its shortest decimal digits and
    # read back as that integer, which need not be the float's exact value (kubectl too)
    | st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda f: not f.is_integer() or abs(f) < 2**53)
    | TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
OBJECTS = st.dictionaries(TEXT, VALUES, min_size=1, max_size=6)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(OBJECTS)
def test_decode_of_encode_round_trips(obj):
    assert decode(encode(obj, YAML), YAML) == obj


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(TRICKY, TRICKY | st.lists(TRICKY, max_size=3), min_size=1, max_size=8))
def test_round_trip_of_strings_that_need_quoting(obj):
    assert decode(encode(obj, YAML), YAML) == obj


def test_large_documents_without_aliases_are_not_charged_to_the_alias_budget(monkeypatch):
    from kclient.serializers import yaml_codec

    monkeypatch.setattr(yaml_codec, "ALIAS_EXPANSION_LIMIT", 100)
    big = {"items": [{"name": f"n{i}", "values": list(range(5))} for i in range(500)]}
    assert decode(encode(big, YAML), YAML) == big  # 3,000+ nodes, no alias: fine
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    with pytest.raises(DecodeError, match="excessive aliasing"):
        decode(bomb, YAML)
