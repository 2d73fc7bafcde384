"""The table of resources the embedded server serves.

One :class:`Resource` per group/version/resource: its kind, scope, short names,
categories, verbs, subresources, and the per-resource behaviour that kube-apiserver
keeps in each resource's registry ``Store`` (``pkg/registry/*/storage``): whether it
tracks ``metadata.generation``, deletes pods gracefully, returns the deleted object,
allows create-on-update, and which garbage-collection policy applies by default.

Invariants:

* each (group, resource) has exactly one served version here, so storage is keyed by
  ``Resource.storage_key`` (``"group/resource"``, ``"/pods"`` for the core group);
* a resource's kind is unique within its group version;
* custom resources are added and removed at run time (when a CRD becomes
  Established / is deleted) through :meth:`ResourceTable.add` /
  :meth:`ResourceTable.remove`; built-ins are never removed.

Maps to kube-apiserver's ``APIResourceList`` (discovery) plus the ``genericregistry.Store``
options of each built-in (``ReturnDeletedObject``, ``AllowCreateOnUpdate``,
``DefaultGarbageCollectionPolicy``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update",
                  "watch")
SUB_VERBS = {
    "status": ("get", "patch", "update"),
    "scale": ("get", "patch", "update"),
    "binding": ("create",),
    "eviction": ("create",),
    "finalize": ("update",),
}


@dataclass(slots=True)
class Resource:
    """One served resource and the registry behaviour that goes with it."""

    group: str
    version: str
    resource: str
    kind: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = STANDARD_VERBS
    subresources: tuple[str, ...] = ()
    tracks_generation: bool = False
    graceful: bool = False
    return_deleted: bool = False
    create_on_update: bool = False
    default_gc_policy: str = "Background"
    # for custom resources
    crd_name: str = ""
    schema: dict[str, Any] | None = None
    printer_columns: tuple[dict[str, Any], ...] = ()
    scale_paths: dict[str, str] | None = None
    storage: str = ""  # another resource's storage this one is a view of
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.singular:
            self.singular = self.kind.lower()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def storage_key(self) -> str:
        return self.storage or f"{self.group}/{self.resource}"

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def qualified(self) -> str:
        return f"{self.resource}.{self.group}" if self.group else self.resource

    @property
    def is_custom(self) -> bool:
        return bool(self.crd_name)

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources

    def allows(self, verb: str, subresource: str = "") -> bool:
        if subresource:
            return subresource in self.subresources and verb in SUB_VERBS.get(subresource, ())
        return verb in self.verbs

    def discovery(self) -> list[dict[str, Any]]:
        """This resource's entries in its group version's ``APIResourceList``."""
        main: dict[str, Any] = {
            "name": self.resource,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": list(self.verbs),
        }
        if self.short_names:
            main["shortNames"] = list(self.short_names)
        if self.categories:
            main["categories"] = list(self.categories)
        out = [main]
        for sub in self.subresources:
            entry: dict[str, Any] = {"name": f"{self.resource}/{sub}", "singularName": "",
                                     "namespaced": self.namespaced,
                                     "kind": SUB_KINDS.get(sub, self.kind),
                                     "verbs": list(SUB_VERBS.get(sub, ()))}
            if sub == "scale":
                entry["group"], entry["version"] = "autoscaling", "v1"
            elif sub == "eviction":
                entry["group"], entry["version"] = "policy", "v1"
            out.append(entry)
        return out


SUB_KINDS = {"scale": "Scale", "binding": "Binding", "eviction": "Eviction"}


def _r(group: str, version: str, resource: str, kind: str, namespaced: bool = True,
       **kw: Any) -> Resource:
    return Resource(group, version, resource, kind, namespaced, **kw)


def builtin_resources() -> list[Resource]:
    """The built-in resources, in the order discovery lists them."""
    all_ = ("all",)
    return [
        _r("", "v1", "bindings", "Binding", verbs=("create",)),
        _r("", "v1", "configmaps", "ConfigMap", short_names=("cm",)),
        _r("", "v1", "endpoints", "Endpoints", short_names=("ep",), singular="endpoints",
           create_on_update=True),
        _r("", "v1", "events", "Event", short_names=("ev",), create_on_update=True),
        _r("", "v1", "namespaces", "Namespace", False, short_names=("ns",),
           verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
           subresources=("finalize", "status")),
        _r("", "v1", "nodes", "Node", False, short_names=("no",), subresources=("status",)),
        _r("", "v1", "pods", "Pod", short_names=("po",), categories=all_,
           subresources=("binding", "eviction", "status"), graceful=True,
           return_deleted=True),
        _r("", "v1", "secrets", "Secret"),
        _r("", "v1", "serviceaccounts", "ServiceAccount", short_names=("sa",),
           return_deleted=True),
        _r("", "v1", "services", "Service", short_names=("svc",), categories=all_,
           verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update",
                  "watch"),
           subresources=("status",), return_deleted=True),
        _r("apps", "v1", "controllerrevisions", "ControllerRevision"),
        _r("apps", "v1", "daemonsets", "DaemonSet", short_names=("ds",), categories=all_,
           subresources=("status",), tracks_generation=True),
        _r("apps", "v1", "deployments", "Deployment", short_names=("deploy",),
           categories=all_, subresources=("scale", "status"), tracks_generation=True),
        _r("apps", "v1", "replicasets", "ReplicaSet", short_names=("rs",), categories=all_,
           subresources=("scale", "status"), tracks_generation=True),
        _r("apps", "v1", "statefulsets", "StatefulSet", short_names=("sts",),
           categories=all_, subresources=("scale", "status"), tracks_generation=True),
        _r("batch", "v1", "cronjobs", "CronJob", short_names=("cj",), categories=all_,
           subresources=("status",), tracks_generation=True),
        _r("batch", "v1", "jobs", "Job", categories=all_, subresources=("status",),
           tracks_generation=True, default_gc_policy="Orphan"),
        _r("coordination.k8s.io", "v1", "leases", "Lease", create_on_update=True),
        _r("events.k8s.io", "v1", "events", "Event", short_names=("ev",),
           create_on_update=True, storage="/events"),
        _r("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget",
           short_names=("pdb",), subresources=("status",), tracks_generation=True),
        _r("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", False,
           short_names=("pc",), tracks_generation=False),
        _r("apiextensions.k8s.io", "v1", "customresourcedefinitions",
           "CustomResourceDefinition", False, short_names=("crd", "crds"),
           categories=("api-extensions",), subresources=("status",), tracks_generation=True),
    ]


class ResourceTable:
    """Lookup of served resources by group/version/resource and by kind."""

    def __init__(self, resources: list[Resource] | None = None) -> None:
        self._by_gvr: dict[tuple[str, str, str], Resource] = {}
        self._by_gvk: dict[tuple[str, str, str], Resource] = {}
        self._by_storage: dict[str, Resource] = {}
        self.generation = 0  # bumped on every change; discovery caches key on it
        for res in resources if resources is not None else builtin_resources():
            self.add(res)

    def add(self, res: Resource) -> None:
        self._by_gvr[(res.group, res.version, res.resource)] = res
        if res.kind != "Binding" or res.group:
            self._by_gvk.setdefault((res.group, res.version, res.kind), res)
        self._by_storage.setdefault(res.storage_key, res)
        self.generation += 1

    def remove(self, res: Resource) -> None:
        self._by_gvr.pop((res.group, res.version, res.resource), None)
        if self._by_gvk.get((res.group, res.version, res.kind)) is res:
            del self._by_gvk[(res.group, res.version, res.kind)]
        if self._by_storage.get(res.storage_key) is res:
            del self._by_storage[res.storage_key]
        self.generation += 1

    def get(self, group: str, version: str, resource: str) -> Resource | None:
        return self._by_gvr.get((group, version, resource))

    def by_kind(self, api_version: str, kind: str) -> Resource | None:
        group, _, version = api_version.rpartition("/")
        return self._by_gvk.get((group, version, kind))

    def by_storage(self, storage_key: str) -> Resource | None:
        return self._by_storage.get(storage_key)

    def __iter__(self) -> Iterator[Resource]:
        return iter(list(self._by_gvr.values()))

    def groups(self) -> dict[str, list[str]]:
        """Group name to its served versions (the core group is ``""``)."""
        out: dict[str, list[str]] = {}
        for res in self._by_gvr.values():
            versions = out.setdefault(res.group, [])
            if res.version not in versions:
                versions.append(res.version)
        return out

    def in_group_version(self, group: str, version: str) -> list[Resource]:
        return sorted((r for r in self._by_gvr.values()
                       if r.group == group and r.version == version),
                      key=lambda r: r.resource)
