"""Shared test helpers: where the upstream fixtures live."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data" / "k8s-api"
HEAD = DATA / "HEAD"
STREAMS = DATA / "streams" / "client-go-dynamic"


def fixture_names() -> list[str]:
    """Every upstream round-trip fixture, by its base name (group.version.Kind)."""
    return sorted(p.stem for p in HEAD.glob("*.pb"))
