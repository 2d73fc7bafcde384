"""Schemas of the built-in API groups, one module per proto package.

Importing this package registers every module below into ``schema.REGISTRY``.
See ``..schema`` for the language and how to add a kind.
"""

from importlib import import_module

MODULES = (
    "meta_v1",
    "core_v1",
    "core_v1_b",
    "apps_v1",
    "batch_v1",
    "autoscaling_v1",
    "autoscaling_v2",
    "coordination_v1",
    "policy_v1",
    "scheduling_v1",
    "rbac_v1",
    "events_v1",
    "discovery_v1",
    "networking_v1",
    "storage_v1",
)


def load_all() -> None:
    for name in MODULES:
        try:
            import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a group not written yet
            if exc.name != f"{__name__}.{name}":
                raise
