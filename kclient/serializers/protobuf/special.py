"""JSON forms of the Kubernetes types whose wire message is not their JSON shape.

* ``metav1.Time``: RFC 3339 at second precision in UTC (``2008-01-01T01:01:01Z``);
  the zero time is JSON ``null``. On the wire ``{1: seconds, 2: nanos}``, nanos always 0;
  the zero time is an empty message (``{seconds: 0}`` written out is the epoch).
* ``metav1.MicroTime``: RFC 3339 with exactly six fraction digits, in UTC.
* ``metav1.Duration``: Go's ``time.Duration.String()`` (``1h2m3.5s``, ``0s``, ``1.5µs``);
  on the wire nanoseconds.
* ``[]byte``: standard base64 with padding.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import re
import time
from datetime import datetime, timezone

from ..errors import DecodeError, EncodeError

_EPOCH_ORDINAL = datetime(1970, 1, 1).toordinal()


def format_time(seconds: int) -> str:
    """metav1.Time's JSON form of a Unix time in seconds."""
    try:
        t = time.gmtime(seconds)
    except (OverflowError, OSError, ValueError):
        raise DecodeError(f"timestamp {seconds} is out of range") from None
    if not 0 <= t.tm_year <= 9999:
        raise DecodeError(f"timestamp {seconds} is out of range")
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % t[:6]


def format_micro_time(seconds: int, nanos: int) -> str:
    return f"{format_time(seconds)[:-1]}.{nanos // 1000:06d}Z"


_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)


def parse_time(value: str, field: str) -> tuple[int, int]:
    """(seconds, nanos) of an RFC 3339 time; EncodeError naming the field otherwise."""
    if not isinstance(value, str):
        raise EncodeError(f"{field}: expected an RFC 3339 time string, got {type(value).__name__}")
    m = _RFC3339.match(value)
    if m is None:
        raise EncodeError(f"{field}: {value!r} is not an RFC 3339 time")
    y, mo, d, h, mi, s, frac, z, sign, oh, om = m.groups()
    try:
        secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
        datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))  # validates ranges
    except ValueError as exc:
        raise EncodeError(f"{field}: {value!r} is not a valid time: {exc}") from None
    if not z:
        offset = int(oh) * 3600 + int(om) * 60
        secs -= offset if sign == "+" else -offset
    nanos = int((frac or "0").ljust(9, "0"))
    return secs, nanos


_UNITS = (("h", 3600 * 10**9), ("m", 60 * 10**9))


def format_duration(nanos: int) -> str:
    """Go's time.Duration.String()."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    n = abs(nanos)
    if n < 10**9:
        for unit, scale in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if n >= scale:
                return sign + _fraction(n, scale) + unit
    hours, rest = divmod(n, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    out = sign
    if hours:
        out += f"{hours}h{minutes}m"
    elif minutes:
        out += f"{minutes}m"
    return out + _fraction(rest, 10**9) + "s"


def _fraction(n: int, scale: int) -> str:
    whole, frac = divmod(n, scale)
    if not frac:
        return str(whole)
    digits = len(str(scale)) - 1
    return f"{whole}.{str(frac).rjust(digits, '0').rstrip('0')}"


_DURATION_PART = re.compile(r"(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)")
_SCALE = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9,
          "m": 60 * 10**9, "h": 3600 * 10**9}


def parse_duration(value: str, field: str) -> int:
    """Nanoseconds of a Go duration string (time.ParseDuration)."""
    if not isinstance(value, str):
        raise EncodeError(f"{field}: expected a duration string such as '1m30s', got {value!r}")
    text = value
    sign = 1
    if not text:
        raise EncodeError(f"{field}: invalid duration {value!r}")
    if text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text == "0":
        return 0
    total = 0
    pos = 0
    if not text:
        raise EncodeError(f"{field}: invalid duration {value!r}")
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        if m is None or m.group(1) in ("", "."):
            raise EncodeError(f"{field}: invalid duration {value!r}")
        num, unit = m.groups()
        whole, _, frac = num.partition(".")
        scale = _SCALE[unit]
        total += int(whole or 0) * scale
        if frac:
            total += int(frac) * scale // 10 ** len(frac)
        pos = m.end()
    return sign * total


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def b64decode(value: str, field: str) -> bytes:
    if not isinstance(value, str):
        raise EncodeError(f"{field}: expected a base64 string, got {type(value).__name__}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise EncodeError(f"{field}: {value[:40]!r} is not valid base64") from None
