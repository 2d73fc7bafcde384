"""Resource quantities: exact fixed-point numbers such as ``500m`` or ``1.5Gi``.

:class:`Quantity` is the Python counterpart of apimachinery's
``resource.Quantity`` (``pkg/api/resource``): the type of every CPU, memory and
storage amount in the Kubernetes API.  It parses the same text, keeps the same
value and format, prints the same strings and does the same arithmetic, so a
scheduler or quota check written against it agrees with the API server.

Grammar
-------
::

    quantity     ::= sign? number suffix
    number       ::= digits | digits "." digits? | "." digits?
    suffix       ::= decimalSI | binarySI | ("e" | "E") sign? digits
    decimalSI    ::= "n" | "u" | "m" | "" | "k" | "M" | "G" | "T" | "P" | "E"
    binarySI     ::= "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"

No whitespace is allowed.  Failures raise :class:`QuantityError` (a
``ValueError``) carrying upstream's message: :data:`FORMAT_ERROR` when the
text is not of the shape above, :data:`SUFFIX_ERROR` for an unknown suffix
(``1i``, ``0.1mi``, ``1e``) and :data:`NUMERIC_ERROR` when the number has no
digit where one is needed (``Ei``).  Upstream's scanner is permissive in the
same places: ``-``, ``.``, ``Ki`` and ``1.G`` all parse (the first three as
zero), and a decimal exponent is read as a 64-bit integer and then truncated
to 32 bits, as ``ParseQuantity`` does.

Value invariants
----------------
* The value is exact: an integer ``coefficient * 10**exponent``, never a float.
  The pair is kept normalised (no trailing zero digits in the coefficient; zero
  is ``(0, 0)``), so equal values have equal pairs and equal hashes.
* Parsing keeps nothing finer than ``1n``: a value with more precision is
  rounded away from zero to the next nano (``0.9n`` and ``1e-100`` become
  ``1n``; zero stays zero).
* Parsed ``BinarySI`` magnitudes are capped at ``2**63 - 1`` (``8Ei`` parses
  as 9223372036854775807); decimal values are not capped.  A parsed binary
  value strictly between 0 and 1 in magnitude switches to ``DecimalSI``.
* A :class:`Quantity` is immutable and hashable.  ``==``, ``<`` and friends,
  and ``hash`` look at the value only, so ``Quantity("1Ki") ==
  Quantity("1024")`` although the two print differently.

Format and strings
------------------
Each quantity remembers a :class:`Format` (``DecimalSI``, ``BinarySI`` or
``DecimalExponent``), taken from the suffix it was parsed with.
:meth:`Quantity.canonical` is ``CanonicalizeBytes``: the mantissa is an
integer, the suffix the largest one that keeps it so, the exponent a multiple
of three for decimal forms (``1.5`` -> ``1500m``, ``1e100`` -> ``10e99``), a
power of 1024 for binary ones (``1.5Gi`` -> ``1536Mi``).  A binary quantity
below 1024 in magnitude, or not an integer, prints in decimal form
(``0.5Ki`` -> ``512``, ``1.5Ki`` -> ``1536``); a decimal quantity with no SI
suffix left (beyond ``E``) prints with an exponent (``1000E`` -> ``1e21``).

``str(q)`` is ``String``: like upstream, parsing remembers the input text when
it already looks canonical to the parser's fast path, and ``str`` returns it
verbatim (``str(Quantity("1.441")) == "1.441"`` while ``canonical()`` gives
``"1441m"``).  Quantities made any other way print canonically.

Mapping to apimachinery
-----------------------
=================================  ==========================================
``ParseQuantity`` / ``MustParse``  :meth:`Quantity.parse`, :func:`parse_quantity`
``UnmarshalJSON`` of a number      ``Quantity.parse(5)``, ``Quantity.parse(0.5)``
``String`` / ``CanonicalizeBytes`` ``str(q)`` / :meth:`Quantity.canonical`
``Value`` / ``MilliValue``         :meth:`Quantity.value` / :meth:`Quantity.milli_value`
``ScaledValue(scale)``             :meth:`Quantity.scaled_value`
``AsDec``                          :attr:`Quantity.fraction`, :meth:`Quantity.as_decimal`
``Add`` / ``Sub`` / ``Neg``        ``a + b`` / ``a - b`` / ``-a``
``Mul(int64)``                     ``q * n``
``Cmp`` / ``Equal`` / ``Sign``     comparisons, :meth:`Quantity.cmp`, :meth:`Quantity.sign`
``RoundUp(scale)``                 :meth:`Quantity.round_up` (returns a new value)
``NewQuantity``                    :meth:`Quantity.from_int`
``NewMilliQuantity``               :meth:`Quantity.from_milli`
``NewScaledQuantity``              :meth:`Quantity.from_scaled`
``AsApproximateFloat64``           ``float(q)`` (correctly rounded)
=================================  ==========================================

Arithmetic is exact and keeps the left operand's format, or the right one's
when the left operand is zero (``Add``/``Sub`` do the same).  The integer
accessors round away from zero, as upstream's int64 path does, and return
exact Python integers where upstream would overflow an ``int64``.  A
``BinarySI`` value of ``1024Ei`` or more keeps the ``Ei`` suffix with a larger
mantissa rather than losing its magnitude.
"""

from __future__ import annotations

import decimal
import enum
from fractions import Fraction
from typing import Final, Union

__all__ = [
    "BINARY_SI",
    "DECIMAL_EXPONENT",
    "DECIMAL_SI",
    "FORMAT_ERROR",
    "NUMERIC_ERROR",
    "SUFFIX_ERROR",
    "Format",
    "Quantity",
    "QuantityError",
    "canonical_quantity",
    "parse_quantity",
]


class Format(enum.StrEnum):
    """How a quantity prints: its suffix family."""

    DECIMAL_EXPONENT = "DecimalExponent"  # 12e6
    BINARY_SI = "BinarySI"  # 12Mi
    DECIMAL_SI = "DecimalSI"  # 12M


DECIMAL_EXPONENT: Final = Format.DECIMAL_EXPONENT
BINARY_SI: Final = Format.BINARY_SI
DECIMAL_SI: Final = Format.DECIMAL_SI

FORMAT_ERROR: Final = (
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
NUMERIC_ERROR: Final = "unable to parse numeric part of quantity"
SUFFIX_ERROR: Final = "unable to parse quantity's suffix"


class QuantityError(ValueError):
    """Text (or a number) that is not a valid quantity."""


# Power-of-ten exponent of each decimal SI suffix, and power-of-two exponent
# of each binary one.
_DECIMAL_SUFFIXES: Final = {
    "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
}
_BINARY_SUFFIXES: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX_OF: Final = {exp: name for name, exp in _DECIMAL_SUFFIXES.items()}
# Suffix for each power of 1024; index 0 has none.
_BINARY_SUFFIX_OF: Final = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")

_DIGITS: Final = frozenset("0123456789")
_SUFFIX_LETTERS: Final = frozenset("eEinumkKMGTP")
_MAX_INT64: Final = (1 << 63) - 1
_NANO: Final = -9
# Longest digit string (integer plus fraction) the parser's fast path takes.
_FAST_DIGITS: Final = 18
# Longest digit string int()/str() convert without hitting the interpreter's
# conversion limit; longer ones go through the decimal module.
_PLAIN_DIGITS: Final = 4000
_PLAIN_LIMIT: Final = 10**_PLAIN_DIGITS
_SMALL_LIMIT: Final = 10**18

_Formatish = Union[Format, str]


# --------------------------------------------------------------------------
# integer helpers


def _wrap_int32(n: int) -> int:
    """Two's-complement truncation of ``n`` to 32 bits."""
    return ((n + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def _digits_to_int(digits: str) -> int:
    if len(digits) <= _PLAIN_DIGITS:
        return int(digits)
    return int(decimal.Decimal(digits))


def _int_to_digits(n: int) -> str:
    if -_PLAIN_LIMIT < n < _PLAIN_LIMIT:
        return str(n)
    return str(decimal.Decimal(n))


def _digits_upper_bound(magnitude: int) -> int:
    """An integer >= the number of decimal digits of ``magnitude`` (> 0)."""
    # log10(2) < 0.30103, so bit_length * 0.30103 + 1 bounds the digit count.
    return magnitude.bit_length() * 30103 // 100000 + 2


def _digits_lower_bound(magnitude: int) -> int:
    """An integer <= the number of decimal digits of ``magnitude`` (> 0)."""
    return (magnitude.bit_length() - 1) * 30102 // 100000 + 1


def _divide_away_from_zero(magnitude: int, places: int) -> int:
    """``ceil(magnitude / 10**places)`` for ``magnitude >= 0``, ``places > 0``."""
    if magnitude == 0:
        return 0
    if places > _digits_upper_bound(magnitude):
        return 1  # 0 < magnitude / 10**places < 1
    quotient, remainder = divmod(magnitude, 10**places)
    return quotient + (remainder != 0)


def _normalize(coef: int, exp: int) -> tuple[int, int]:
    """Move trailing zero digits of ``coef`` into ``exp``; zero is ``(0, 0)``."""
    if coef == 0:
        return 0, 0
    if coef % 10:
        return coef, exp
    magnitude = -coef if coef < 0 else coef
    if magnitude < _SMALL_LIMIT:
        while magnitude % 10 == 0:
            magnitude //= 10
            exp += 1
    else:
        text = _int_to_digits(magnitude)
        stripped = text.rstrip("0")
        exp += len(text) - len(stripped)
        magnitude = _digits_to_int(stripped)
    return (-magnitude if coef < 0 else magnitude), exp


def _compare(a_coef: int, a_exp: int, b_coef: int, b_exp: int) -> int:
    """Sign of ``a_coef * 10**a_exp - b_coef * 10**b_exp`` without huge powers."""
    a_sign = (a_coef > 0) - (a_coef < 0)
    b_sign = (b_coef > 0) - (b_coef < 0)
    if a_sign != b_sign:
        return 1 if a_sign > b_sign else -1
    if a_sign == 0:
        return 0
    a_mag, b_mag = abs(a_coef), abs(b_coef)
    # Orders of magnitude first: they settle most comparisons of far-apart
    # values without writing out the difference of the exponents in digits.
    if _digits_upper_bound(a_mag) + a_exp < _digits_lower_bound(b_mag) + b_exp:
        return -a_sign
    if _digits_lower_bound(a_mag) + a_exp > _digits_upper_bound(b_mag) + b_exp:
        return a_sign
    if a_exp >= b_exp:
        a_mag *= 10 ** (a_exp - b_exp)
    else:
        b_mag *= 10 ** (b_exp - a_exp)
    if a_mag == b_mag:
        return 0
    return a_sign if a_mag > b_mag else -a_sign


def _coerce_format(value: object) -> _Formatish:
    if isinstance(value, Format):
        return value
    if isinstance(value, str):
        try:
            return Format(value)
        except ValueError:
            # Kept as given; such a quantity prints as DecimalExponent.
            return value
    raise TypeError(f"format must be a Format or str, not {type(value).__name__}")


def _require_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return value


# --------------------------------------------------------------------------
# parsing


def _scan(text: str) -> tuple[bool, str, str, str, str]:
    """Split ``text`` into (positive, number text, integer digits, fraction
    digits, suffix) the way upstream's scanner does.

    Leading zeros are dropped from the integer digits, which are ``"0"`` when
    none are left.  The number text keeps the sign and leading zeros.
    """
    end = len(text)
    pos = 0
    positive = True
    if end and text[0] in "+-":
        positive = text[0] == "+"
        pos = 1

    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "0", "", ""

    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos >= end:
        return positive, text, text[start:], "", ""
    num = text[start:pos] or "0"

    denom = ""
    if text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        denom = text[start:pos]
        if pos >= end:
            return positive, text, num, denom, ""
    value = text[:pos]

    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_LETTERS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(FORMAT_ERROR)
    return positive, value, num, denom, text[suffix_start:]


def _parse_int64(text: str) -> int | None:
    """A base-10 signed 64-bit integer, or None if ``text`` is not one."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or any(c not in _DIGITS for c in digits):
        return None
    digits = digits.lstrip("0") or "0"
    if len(digits) > 19:
        return None
    value = int(digits)
    if text[:1] == "-":
        value = -value
    if not -(1 << 63) <= value <= _MAX_INT64:
        return None
    return value


def _interpret(suffix: str) -> tuple[int, int, Format] | None:
    """(base, exponent, format) of a suffix, or None if it is not one."""
    exp = _DECIMAL_SUFFIXES.get(suffix)
    if exp is not None:
        return 10, exp, DECIMAL_SI
    exp = _BINARY_SUFFIXES.get(suffix)
    if exp is not None:
        return 2, exp, BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        parsed = _parse_int64(suffix[1:])
        if parsed is None:
            return None
        return 10, _wrap_int32(parsed), DECIMAL_EXPONENT
    return None


def _parse_text(text: str) -> Quantity:
    if not text:
        raise QuantityError(FORMAT_ERROR)
    if text == "0":
        return Quantity._make(0, 0, DECIMAL_SI, "0")

    positive, value, num, denom, suffix = _scan(text)
    interpreted = _interpret(suffix)
    if interpreted is None:
        raise QuantityError(SUFFIX_ERROR)
    base, exponent, fmt = interpreted

    # Small inputs take upstream's int64 fast path; it yields the same value
    # as the general path below but may keep the input text for String().
    if base == 2:
        fast_scale = 0
        precision = 15 - len(num) - exponent * 3 // 10 - 1 if not denom else -1
    else:
        fast_scale = _wrap_int32(exponent - len(denom))
        precision = _FAST_DIGITS - (len(num) + len(denom))
    if precision >= 0 and fast_scale >= _NANO:
        shifted = num + denom
        magnitude = int(shifted)
        if base == 2:
            coef, exp = magnitude << exponent, 0
            keep_text = (magnitude & 7) != 0
        else:
            coef, exp = magnitude, fast_scale
            keep_text = (
                fast_scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
            )
        return Quantity._make(
            coef if positive else -coef, exp, fmt, text if keep_text else None
        )

    if not any(c in _DIGITS for c in value):
        raise QuantityError(NUMERIC_ERROR)
    magnitude = _digits_to_int(num + denom)
    if base == 10:
        # The fraction digits and the suffix both set the scale, a 32-bit
        # integer upstream, with its wrap-around.
        exp = -_wrap_int32(len(denom) + _wrap_int32(-exponent))
    else:
        magnitude <<= exponent
        exp = -len(denom)

    if magnitude and exp < _NANO:
        magnitude = _divide_away_from_zero(magnitude, _NANO - exp)
        exp = _NANO

    if fmt is BINARY_SI and magnitude:
        if _compare(magnitude, exp, _MAX_INT64, 0) > 0:
            magnitude, exp = _MAX_INT64, 0
        elif _compare(magnitude, exp, 1, 0) < 0:
            fmt = DECIMAL_SI
    return Quantity._make(magnitude if positive else -magnitude, exp, fmt, None)


# --------------------------------------------------------------------------
# the type


class Quantity:
    """An exact, immutable Kubernetes resource quantity.

    ``Quantity(x)`` is ``Quantity.parse(x)``; ``Quantity()`` is zero.
    """

    __slots__ = ("_coef", "_exp", "_format", "_text", "_canonical")

    _coef: int
    _exp: int
    _format: _Formatish
    _text: str | None
    _canonical: str | None

    def __new__(cls, value: str | int | float | decimal.Decimal | Quantity = "0") -> Quantity:
        return cls.parse(value)

    @classmethod
    def _make(cls, coef: int, exp: int, fmt: _Formatish, text: str | None) -> Quantity:
        self = object.__new__(cls)
        coef, exp = _normalize(coef, exp)
        object.__setattr__(self, "_coef", coef)
        object.__setattr__(self, "_exp", exp)
        object.__setattr__(self, "_format", fmt)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_canonical", None)
        return self

    # ---- construction

    @classmethod
    def parse(cls, value: str | int | float | decimal.Decimal | Quantity) -> Quantity:
        """Parse quantity text, or a JSON number (int, float or Decimal).

        A number is read through its text, as upstream's JSON decoding does:
        ``5`` as ``"5"``, ``0.5`` as ``"0.5"``.  A float is written out with
        ``repr``, so ``1e3`` arrives as ``"1000.0"`` (``DecimalSI``); decode
        JSON with ``parse_float=decimal.Decimal`` to keep a number's own text.
        """
        if isinstance(value, Quantity):
            return value
        if isinstance(value, str):
            return _parse_text(value)
        if isinstance(value, bool):
            raise TypeError("a quantity cannot be parsed from a bool")
        if isinstance(value, int):
            return _parse_text(_int_to_digits(value))
        if isinstance(value, float):
            return _parse_text(repr(value))
        if isinstance(value, decimal.Decimal):
            return _parse_text(str(value))
        raise TypeError(f"a quantity cannot be parsed from {type(value).__name__}")

    @classmethod
    def from_int(cls, value: int, format: _Formatish = DECIMAL_SI) -> Quantity:
        """``value`` in ``format`` (``NewQuantity``)."""
        return cls._make(_require_int(value, "value"), 0, _coerce_format(format), None)

    @classmethod
    def from_milli(cls, value: int, format: _Formatish = DECIMAL_SI) -> Quantity:
        """``value / 1000`` in ``format`` (``NewMilliQuantity``)."""
        return cls._make(_require_int(value, "value"), -3, _coerce_format(format), None)

    @classmethod
    def from_scaled(
        cls, value: int, scale: int, format: _Formatish = DECIMAL_SI
    ) -> Quantity:
        """``value * 10**scale`` (``NewScaledQuantity``; ``DecimalSI`` unless given)."""
        return cls._make(
            _require_int(value, "value"),
            _require_int(scale, "scale"),
            _coerce_format(format),
            None,
        )

    # ---- immutability, pickling

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Quantity is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Quantity is immutable")

    def __reduce__(self) -> tuple[object, ...]:
        return (_restore, (self._coef, self._exp, str(self._format), self._text))

    def __copy__(self) -> Quantity:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Quantity:
        return self

    # ---- accessors

    @property
    def format(self) -> _Formatish:
        """The remembered :class:`Format` (or the unknown string given)."""
        return self._format

    @property
    def fraction(self) -> Fraction:
        """The exact value."""
        if self._exp >= 0:
            return Fraction(self._coef * 10**self._exp)
        return Fraction(self._coef, 10**-self._exp)

    def as_decimal(self) -> decimal.Decimal:
        """The exact value as a :class:`decimal.Decimal` (no context rounding)."""
        digits = _int_to_digits(abs(self._coef))
        return decimal.Decimal((int(self._coef < 0), tuple(map(int, digits)), self._exp))

    def as_tuple(self) -> tuple[int, int]:
        """``(coefficient, exponent)``: the value is ``coefficient * 10**exponent``.

        Normalised: the coefficient has no trailing zero digit; zero is ``(0, 0)``.
        """
        return self._coef, self._exp

    def sign(self) -> int:
        """-1, 0 or 1."""
        return (self._coef > 0) - (self._coef < 0)

    def is_zero(self) -> bool:
        return self._coef == 0

    def __bool__(self) -> bool:
        return self._coef != 0

    def scaled_value(self, scale: int) -> int:
        """``value / 10**scale`` rounded away from zero (``ScaledValue``)."""
        coef = self._coef
        if coef == 0:
            return 0
        shift = self._exp - scale
        if shift >= 0:
            return coef * 10**shift
        magnitude = _divide_away_from_zero(abs(coef), -shift)
        return magnitude if coef > 0 else -magnitude

    def value(self) -> int:
        """The value rounded away from zero to an integer (``Value``)."""
        return self.scaled_value(0)

    def milli_value(self) -> int:
        """The value in thousandths, rounded away from zero (``MilliValue``)."""
        return self.scaled_value(-3)

    def round_up(self, scale: int) -> tuple[Quantity, bool]:
        """Round away from zero to a multiple of ``10**scale`` (``RoundUp``).

        Returns the rounded quantity (same format) and whether it is exact.
        """
        if self._exp >= scale or self._coef == 0:
            return self, True
        coef = self._coef
        magnitude = _divide_away_from_zero(abs(coef), scale - self._exp)
        rounded = Quantity._make(magnitude if coef > 0 else -magnitude, scale, self._format, None)
        return rounded, False

    def __float__(self) -> float:
        try:
            return float(self.fraction)
        except OverflowError:
            return float("inf") if self._coef > 0 else float("-inf")

    # ---- strings

    def canonical(self) -> str:
        """The canonical text (``CanonicalizeBytes``), ignoring any kept input text."""
        cached = self._canonical
        if cached is None:
            cached = self._render()
            object.__setattr__(self, "_canonical", cached)
        return cached

    def _render(self) -> str:
        coef, exp = self._coef, self._exp
        if coef == 0:
            return "0"
        fmt = self._format
        if fmt is BINARY_SI:
            small = _compare(coef, exp, -1024, 0) > 0 and _compare(coef, exp, 1024, 0) < 0
            # Normalised, a negative exponent means a fractional value.
            if not small and exp >= 0:
                return _render_binary(coef * 10**exp)
            fmt = DECIMAL_SI
        elif fmt is not DECIMAL_SI:
            fmt = DECIMAL_EXPONENT

        while exp % 3:
            coef *= 10
            exp -= 1
        mantissa = _int_to_digits(coef)
        if fmt is DECIMAL_SI:
            suffix = _DECIMAL_SUFFIX_OF.get(exp)
            if suffix is not None:
                return mantissa + suffix
        return mantissa if exp == 0 else f"{mantissa}e{exp}"

    def __str__(self) -> str:
        return self._text if self._text is not None else self.canonical()

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r}, {str(self._format)})"

    # ---- comparison

    def cmp(self, other: Quantity) -> int:
        """-1, 0 or 1 as ``self`` is less than, equal to or greater than ``other``."""
        return _compare(self._coef, self._exp, other._coef, other._exp)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._coef == other._coef and self._exp == other._exp

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._coef != other._coef or self._exp != other._exp

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.cmp(other) < 0

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.cmp(other) <= 0

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.cmp(other) > 0

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.cmp(other) >= 0

    def __hash__(self) -> int:
        return hash((Quantity, self._coef, self._exp))

    # ---- arithmetic

    def __add__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(other._coef, other._exp, other._format)

    def __sub__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(-other._coef, other._exp, other._format)

    def _combine(self, coef: int, exp: int, other_format: _Formatish) -> Quantity:
        fmt = other_format if self._coef == 0 else self._format
        if coef == 0:
            return Quantity._make(self._coef, self._exp, fmt, None)
        if self._coef == 0:
            return Quantity._make(coef, exp, fmt, None)
        low = min(self._exp, exp)
        total = self._coef * 10 ** (self._exp - low) + coef * 10 ** (exp - low)
        return Quantity._make(total, low, fmt, None)

    def __neg__(self) -> Quantity:
        return Quantity._make(-self._coef, self._exp, self._format, None)

    def __pos__(self) -> Quantity:
        return self

    def __abs__(self) -> Quantity:
        return self if self._coef >= 0 else -self

    def __mul__(self, other: object) -> Quantity:
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return Quantity._make(self._coef * other, self._exp, self._format, None)

    __rmul__ = __mul__


def _render_binary(value: int) -> str:
    power = 0
    while power < len(_BINARY_SUFFIX_OF) - 1 and value % 1024 == 0:
        value //= 1024
        power += 1
    return _int_to_digits(value) + _BINARY_SUFFIX_OF[power]


def _restore(coef: int, exp: int, fmt: str, text: str | None) -> Quantity:
    return Quantity._make(coef, exp, _coerce_format(fmt), text)


def parse_quantity(value: str | int | float | decimal.Decimal) -> Quantity:
    """Same as :meth:`Quantity.parse`."""
    return Quantity.parse(value)


def canonical_quantity(value: str | int | float | decimal.Decimal) -> str:
    """The canonical text of a quantity: ``Quantity.parse(value).canonical()``."""
    return Quantity.parse(value).canonical()
