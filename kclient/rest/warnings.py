"""Warning headers: parsing ``Warning: 299 - "text"`` and handing them to a handler.

The API server attaches deprecation notices and field-validation warnings to
responses as RFC 7234 ``Warning`` headers. Every response the client reads (success
or error, and the start of a watch) passes its headers through
:func:`handle_warnings`, which parses them and calls ``handler(code, agent, text)``
for each one that parsed.

Handlers:

* :class:`WarningLogger` (the default, one per client): logs each code-299 warning
  at WARNING level on ``kclient.rest.warnings``, once per distinct text when
  ``deduplicate`` (the default) is on;
* :class:`WarningCollector`: keeps them in a list (handy for tests and tools);
* :data:`NO_WARNINGS`: drops them;
* any callable ``(code, agent, text) -> None``.

Parsing follows apimachinery ``util/net/http.go`` (``ParseWarningHeader``): a
three-digit code, a non-empty agent, a quoted text with backslash escapes (RFC 2047
encoded words are decoded), an optional quoted date, and several warnings per header
separated by commas; a malformed warning ends the parsing of that header value but
not of the next ones. Handlers map to client-go ``rest/warnings.go``
(``WarningLogger``, ``NewWarningWriter`` with ``Deduplicate``, ``NoWarnings``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from typing import Callable, Iterable, Protocol

__all__ = [
    "WarningHeader",
    "WarningHandler",
    "WarningLogger",
    "WarningCollector",
    "NO_WARNINGS",
    "parse_warning_header",
    "parse_warning_headers",
    "handle_warnings",
]

log = logging.getLogger(__name__)

_CODE = re.compile(r"[0-9]{3}")


@dataclass(frozen=True, slots=True)
class WarningHeader:
    code: int
    agent: str
    text: str


class WarningHandler(Protocol):
    def __call__(self, code: int, agent: str, text: str) -> None: ...


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _quoted(value: str) -> tuple[str, str]:
    """The unescaped content of a leading quoted string, and what follows it."""
    if not value:
        raise ValueError("invalid quoted string: 0-length")
    if value[0] != '"':
        raise ValueError("invalid quoted string: missing initial quote")
    out: list[str] = []
    escaping = False
    for i in range(1, len(value)):
        ch = value[i]
        if ch == '"' and not escaping:
            return "".join(out), value[i + 1:].strip()
        if ch == "\\" and not escaping:
            escaping = True
            continue
        out.append(ch)
        escaping = False
    raise ValueError("invalid quoted string: missing closing quote")


def _decode_words(text: str) -> str:
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # noqa: BLE001 - undecodable words stay as they are
        return text


def parse_warning_header(header: str) -> tuple[WarningHeader, str]:
    """Parse the first warning of ``header``; return it and the unparsed rest.

    Raises ValueError for a malformed warning.
    """
    header = header.strip()
    parts = header.split(" ", 2)
    if len(parts) != 3:
        raise ValueError("invalid warning header: fewer than 3 segments")
    code, agent, rest = parts
    if not _CODE.fullmatch(code):
        raise ValueError("invalid warning header: code segment is not 3 digits between 100-299")
    if not agent:
        raise ValueError("invalid warning header: empty agent segment")
    if _has_control(agent):
        raise ValueError("invalid warning header: invalid agent")
    if not rest:
        raise ValueError("invalid warning header: empty text segment")
    try:
        text, after = _quoted(rest)
    except ValueError as exc:
        raise ValueError(f"invalid warning header: {exc}") from None
    text = _decode_words(text)
    if _has_control(text):
        raise ValueError("invalid warning header: invalid text")
    remainder = ""
    if after:
        if after[0] == '"':
            end = after.find('"', 1)
            if end < 0:
                raise ValueError("invalid warning header: unterminated date segment")
            remainder = after[end + 1:].strip()
        else:
            remainder = after
    if remainder:
        if remainder[0] != ",":
            raise ValueError("invalid warning header: unexpected token after warn-date")
        remainder = remainder[1:].strip()
    return WarningHeader(int(code), agent, text), remainder


def parse_warning_headers(values: Iterable[str]) -> tuple[list[WarningHeader], list[ValueError]]:
    """Every warning in these header values, and the errors met on the way."""
    results: list[WarningHeader] = []
    errors: list[ValueError] = []
    for value in values:
        while value:
            try:
                warning, value = parse_warning_header(value)
            except ValueError as exc:
                errors.append(exc)
                break
            results.append(warning)
    return results, errors


def handle_warnings(values: Iterable[str], handler: WarningHandler | None) -> list[WarningHeader]:
    warnings, _ = parse_warning_headers(values)
    if handler is not None:
        for w in warnings:
            handler(w.code, w.agent, w.text)
    return warnings


class WarningLogger:
    """Logs code-299 warnings (once per text when ``deduplicate``)."""

    def __init__(self, *, deduplicate: bool = True, logger: logging.Logger | None = None) -> None:
        self.deduplicate = deduplicate
        self.logger = logger or log
        self._seen: set[str] = set()
        self.count = 0

    def __call__(self, code: int, agent: str, text: str) -> None:
        if code != 299 or not text:
            return
        if self.deduplicate:
            if text in self._seen:
                return
            self._seen.add(text)
        self.count += 1
        self.logger.warning("Warning: %s", text)


@dataclass
class WarningCollector:
    """Keeps every warning it is handed, in order."""

    warnings: list[WarningHeader] = field(default_factory=list)

    def __call__(self, code: int, agent: str, text: str) -> None:
        self.warnings.append(WarningHeader(code, agent, text))

    @property
    def texts(self) -> list[str]:
        return [w.text for w in self.warnings]


def _drop(code: int, agent: str, text: str) -> None:
    return None


NO_WARNINGS: Callable[[int, str, str], None] = _drop
