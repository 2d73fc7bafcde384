"""Events in two API groups over one storage: ``v1`` and ``events.k8s.io/v1``.

kube-apiserver keeps one set of Event objects and serves it in both group versions,
converting field by field. Objects are stored in the core ``v1`` form here; an
``events.k8s.io/v1`` write is converted to it, and reads through ``events.k8s.io/v1``
are converted back, so a recorder writing one form and a client reading the other see
the same events (same names, uids and resource versions).

Field correspondence (``v1`` = ``events.k8s.io/v1``): involvedObject = regarding,
message = note, reportingComponent = reportingController, source = deprecatedSource,
firstTimestamp = deprecatedFirstTimestamp, lastTimestamp = deprecatedLastTimestamp,
count = deprecatedCount; reason, type, action, related, eventTime, series and
reportingInstance keep their names.

Maps to kubernetes ``pkg/apis/events/v1/conversion.go``.
"""

from __future__ import annotations

from typing import Any

CORE_API_VERSION = "v1"
EVENTS_API_VERSION = "events.k8s.io/v1"

_RENAMES = (("involvedObject", "regarding"), ("message", "note"),
            ("reportingComponent", "reportingController"), ("source", "deprecatedSource"),
            ("firstTimestamp", "deprecatedFirstTimestamp"),
            ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount"))


def to_core(obj: dict[str, Any]) -> dict[str, Any]:
    """An ``events.k8s.io/v1`` Event in the core ``v1`` form."""
    out = dict(obj)
    for core, events in _RENAMES:
        out.pop(core, None)
        if events in obj:
            out[core] = out.pop(events)
    out["apiVersion"], out["kind"] = CORE_API_VERSION, "Event"
    return out


def from_core(obj: dict[str, Any]) -> dict[str, Any]:
    """A core ``v1`` Event in the ``events.k8s.io/v1`` form."""
    out = dict(obj)
    for core, events in _RENAMES:
        out.pop(events, None)
        if core in obj:
            value = out.pop(core)
            if value not in (None, "", 0, {}):
                out[events] = value
    out["apiVersion"], out["kind"] = EVENTS_API_VERSION, "Event"
    return out
