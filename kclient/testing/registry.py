"""Verb semantics over the store: create, update, patch, delete, delete-collection.

This is the embedded server's ``genericregistry.Store``: it turns a decoded request
into a store commit, or into an :class:`~.errors.APIError`, and it never leaves the
store half-changed: every check (existence, namespace admission, preconditions,
resourceVersion, validation) runs before the single synchronous commit.

Semantics kept from kube-apiserver:

* create: 409 AlreadyExists, generateName with retries, namespace must exist (404)
  and not be terminating (403), system metadata stamped, defaults, 422 on validation;
* update: name/namespace must match the URL (400), a stale ``resourceVersion`` is a 409
  Conflict, an empty one is an unconditional update, create-on-update for the kinds
  that allow it, no-op updates commit nothing, an object whose deletion is pending is
  removed once its last finalizer goes;
* delete: UID / resourceVersion preconditions (409), graceful deletion for pods
  (``deletionTimestamp`` = now + grace, the node finishes it), finalizers hold the
  object, ``propagationPolicy`` maps to the ``orphan`` / ``foregroundDeletion``
  finalizers (the garbage collector does the rest), background deletion by default
  (orphan for batch/v1 jobs);
* dry-run (``dryRun=All``) runs everything but the commit.

Maps to apiserver ``pkg/registry/generic/registry/store.go``, ``pkg/registry/rest``
(``BeforeCreate``, ``BeforeUpdate``, ``BeforeDelete``) and the admission plugins
NamespaceLifecycle, Priority and the service IP allocator.
"""

from __future__ import annotations

import ipaddress
import json
import random
from typing import Any

from kclient import patch as kpatch

from . import errors, events, strategies, typecheck
from .negotiation import APPLY_PATCH, JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH
from .resources import Resource, ResourceTable
from .store import Entry, Store, clone, object_key
from .validation import validate, validate_status

_GEN_CHARS = "bcdfghjklmnpqrstvwxz2456789"
ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"
POLICIES = ("Orphan", "Background", "Foreground")
CRD_CLEANUP = "customresourcecleanup.apiextensions.k8s.io"


def _md(obj: dict[str, Any]) -> dict[str, Any]:
    md = obj.get("metadata")
    if md is None:
        md = obj["metadata"] = {}
    if not isinstance(md, dict):
        raise errors.bad_request("metadata must be an object")
    return md


def _strip_rv(obj: dict[str, Any]) -> dict[str, Any]:
    out = dict(obj)
    md = dict(out.get("metadata") or {})
    md.pop("resourceVersion", None)
    out["metadata"] = md
    return out


class Registry:
    """Create/update/patch/delete for every resource of a :class:`ResourceTable`."""

    def __init__(self, store: Store, resources: ResourceTable,
                 service_cidr: str = "10.96.0.0/12") -> None:
        self.store = store
        self.resources = resources
        self._net = ipaddress.ip_network(service_cidr)
        self._next_ip = 1
        self._random = random.Random()
        self.warnings: list[str] = []  # of the last create/update (read right after it)

    # -- reads ---------------------------------------------------------------

    def get(self, res: Resource, namespace: str, name: str) -> Entry:
        entry = self.store.get(res.storage_key, object_key(namespace if res.namespaced
                                                           else "", name))
        if entry is None:
            raise errors.not_found(res.group, res.resource, name)
        return entry

    def find(self, res: Resource, namespace: str, name: str) -> Entry | None:
        return self.store.get(res.storage_key,
                              object_key(namespace if res.namespaced else "", name))

    def _res(self, group: str, resource: str) -> Resource:
        for r in self.resources:
            if r.group == group and r.resource == resource:
                return r
        raise KeyError(resource)

    # -- admission -----------------------------------------------------------

    def _admit_namespace(self, res: Resource, namespace: str, name: str) -> None:
        if not res.namespaced:
            return
        ns = self.store.get("/namespaces", namespace)
        if ns is None:
            raise errors.not_found("", "namespaces", namespace)
        if ns.obj.get("metadata", {}).get("deletionTimestamp") or \
                ns.obj.get("status", {}).get("phase") == "Terminating":
            raise errors.forbidden_request(
                res.group, res.resource, name,
                f"unable to create new content in namespace {namespace} because it is being "
                "terminated",
                causes=[{"reason": "NamespaceTerminating",
                         "message": f"namespace {namespace} is being terminated",
                         "field": "metadata.namespace"}])

    def _admit_pod(self, obj: dict[str, Any], name: str) -> None:
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            return
        pcname = spec.get("priorityClassName")
        classes = [e.obj for e in self.store.entries("scheduling.k8s.io/priorityclasses")]
        chosen = None
        if pcname:
            chosen = next((c for c in classes if c["metadata"]["name"] == pcname), None)
            if chosen is None:
                raise errors.forbidden_request("", "pods", name,
                                               f"no PriorityClass with name {pcname} was found")
        else:
            chosen = next((c for c in classes if c.get("globalDefault") is True), None)
            if chosen is not None:
                spec["priorityClassName"] = chosen["metadata"]["name"]
        value = chosen.get("value", 0) if chosen else 0
        if "priority" in spec and spec["priority"] != value:
            raise errors.forbidden_request("", "pods", name,
                                           "the integer value of priority "
                                           f"({spec['priority']}) must not be provided in pod "
                                           "spec; priority admission controller computed "
                                           f"{value} from the given PriorityClass name")
        spec["priority"] = value
        spec.setdefault("preemptionPolicy", (chosen or {}).get("preemptionPolicy",
                                                               "PreemptLowerPriority"))

    def _allocate_ip(self) -> str:
        used = {e.obj.get("spec", {}).get("clusterIP") for e in self.store.entries("/services")}
        size = self._net.num_addresses
        for _ in range(size):
            candidate = str(self._net.network_address + self._next_ip)
            self._next_ip = self._next_ip % (size - 2) + 1
            if candidate not in used:
                return candidate
        raise errors.internal("the service cluster IP range is full")

    def _admit_service(self, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        spec = obj.get("spec")
        if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
            return
        if old is not None:
            ospec = old.get("spec") or {}
            spec.setdefault("clusterIP", ospec.get("clusterIP"))
            spec.setdefault("clusterIPs", ospec.get("clusterIPs"))
            for k in ("ipFamilies", "ipFamilyPolicy"):
                if k in ospec:
                    spec.setdefault(k, ospec[k])
            return
        ip = spec.get("clusterIP")
        if not ip:
            ip = spec["clusterIP"] = self._allocate_ip()
        spec.setdefault("clusterIPs", [ip])
        if ip != "None":
            spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")

    def _stored_form(self, res: Resource, obj: dict[str, Any]) -> tuple[Resource, dict[str, Any]]:
        """The resource and object form that is stored (events.k8s.io is a view of v1)."""
        if res.group == "events.k8s.io" and res.resource == "events":
            from .validation import validate_events_v1
            errs = validate_events_v1(obj)
            if errs:
                name = (obj.get("metadata") or {}).get("name", "")
                raise errors.invalid_object(res.group, res.kind, name, errs)
            core = self.resources.get("", "v1", "events")
            assert core is not None
            return core, events.to_core(obj)
        return res, obj

    def served_form(self, res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        if res.group == "events.k8s.io" and obj.get("apiVersion") != res.api_version:
            return events.from_core(obj)
        return obj

    # -- create --------------------------------------------------------------

    def create(self, res: Resource, namespace: str, obj: dict[str, Any], *,
               dry_run: bool = False, field_validation: str = "Ignore") -> dict[str, Any]:
        obj = clone(obj)
        self.warnings = typecheck.check(res, obj, field_validation)
        res, obj = self._stored_form(res, obj)
        md = _md(obj)
        if res.namespaced:
            body_ns = md.get("namespace") or ""
            if body_ns and body_ns != namespace:
                raise errors.bad_request("the namespace of the provided object does not match "
                                         "the namespace sent on the request")
            md["namespace"] = namespace
        else:
            md.pop("namespace", None)
        if md.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be "
                                     "created")
        obj["apiVersion"], obj["kind"] = res.api_version, res.kind
        name = md.get("name") or ""
        generate = md.get("generateName") or ""
        self._admit_namespace(res, namespace, name or generate)
        strategies.prepare_create(res, obj)
        if res.group == "" and res.resource == "pods":
            self._admit_pod(obj, name or generate)
        if res.group == "" and res.resource == "services":
            self._admit_service(obj, None)
        if not name and generate and isinstance(generate, str):
            for _ in range(8):
                candidate = generate + "".join(self._random.choice(_GEN_CHARS)
                                               for _ in range(5))
                if self.find(res, namespace, candidate) is None:
                    break
            md["name"] = name = candidate
            if res.group == "batch" and res.resource == "jobs":
                strategies.apply_defaults(res, obj)
        errs = validate(res, obj)
        if errs:
            raise errors.invalid_object(res.group, res.kind, name or generate, errs)
        key = object_key(namespace if res.namespaced else "", name)
        if self.store.get(res.storage_key, key) is not None:
            raise errors.already_exists(res.group, res.resource, name)
        if dry_run:
            return obj
        return self.store.create(res.storage_key, key, namespace if res.namespaced else "",
                                 obj).obj

    # -- update --------------------------------------------------------------

    def update(self, res: Resource, namespace: str, name: str, obj: dict[str, Any], *,
               subresource: str = "", dry_run: bool = False,
               field_validation: str = "Ignore") -> tuple[dict[str, Any], bool]:
        """Replace an object; returns (stored object, whether it was created)."""
        obj = clone(obj)
        warnings = typecheck.check(res, obj, field_validation)
        res, obj = self._stored_form(res, obj)
        md = _md(obj)
        body_ns = md.get("namespace") or ""
        if res.namespaced and body_ns and body_ns != namespace:
            raise errors.bad_request(f"the namespace of the object ({body_ns}) does not match "
                                     f"the namespace on the URL ({namespace})")
        if md.get("name", "") != name:
            raise errors.bad_request(f"the name of the object ({md.get('name', '')}) does not "
                                     f"match the name on the URL ({name})")
        current = self.find(res, namespace, name)
        if current is None:
            if res.create_on_update and not subresource:
                md.pop("resourceVersion", None)
                created = self.create(res, namespace, obj, dry_run=dry_run)
                self.warnings = warnings
                return created, True
            raise errors.not_found(res.group, res.resource, name)
        self._check_rv(res, name, md.get("resourceVersion"), current)
        obj["apiVersion"], obj["kind"] = res.api_version, res.kind
        if res.namespaced:
            md["namespace"] = namespace
        old = current.obj
        strategies.prepare_update(res, obj, old, subresource)
        if res.group == "" and res.resource == "services" and not subresource:
            self._admit_service(obj, old)
        if res.group == "" and res.resource == "pods" and not subresource:
            spec, ospec = obj.get("spec"), old.get("spec") or {}
            if isinstance(spec, dict):
                for f in ("priority", "priorityClassName", "preemptionPolicy",
                          "serviceAccountName", "serviceAccount", "nodeName"):
                    if f in ospec and f not in spec:
                        spec[f] = ospec[f]
        errs = validate_status(res, obj, old) if subresource == "status" else \
            validate(res, obj, old)
        if errs:
            raise errors.invalid_object(res.group, res.kind, name, errs)
        out = self._commit_update(res, current, obj, dry_run)
        self.warnings = warnings
        return out, False

    def _check_rv(self, res: Resource, name: str, rv: Any, current: Entry) -> None:
        if rv in (None, ""):
            return
        try:
            wanted = int(str(rv))
        except ValueError:
            raise errors.bad_request(f"invalid resource version: {rv}") from None
        if wanted != current.rv:
            raise errors.conflict(res.group, res.resource, name, errors.OBJECT_MODIFIED)

    def _commit_update(self, res: Resource, current: Entry, obj: dict[str, Any],
                       dry_run: bool) -> dict[str, Any]:
        old = current.obj
        if _strip_rv(obj) == _strip_rv(old):
            return old
        md = obj["metadata"]
        if md.get("deletionTimestamp") and not md.get("finalizers") and \
                (not res.graceful or md.get("deletionGracePeriodSeconds") in (0, None)) and \
                not (res.resource == "namespaces" and
                     (obj.get("spec") or {}).get("finalizers")):
            if dry_run:
                return obj
            self.store.delete(res.storage_key, current.key)
            return obj
        if dry_run:
            return obj
        return self.store.update(res.storage_key, current.key, obj).obj

    def update_entry(self, res: Resource, entry: Entry, obj: dict[str, Any]) -> dict[str, Any]:
        """Commit a server-side change (controllers, simulated nodes), no validation."""
        return self._commit_update(res, entry, obj, False)

    # -- patch ---------------------------------------------------------------

    def patch(self, res: Resource, namespace: str, name: str, patch_type: str, body: bytes, *,
              subresource: str = "", dry_run: bool = False, field_manager: str = "",
              force: bool | None = None,
              field_validation: str = "Ignore") -> tuple[dict[str, Any], bool]:
        if force is not None and patch_type != APPLY_PATCH:
            raise errors.invalid_object("meta.k8s.io", "PatchOptions", "", [
                errors.forbidden("force", "may not be specified for non-apply patch")])
        if patch_type == APPLY_PATCH and not field_manager:
            raise errors.invalid_object("meta.k8s.io", "PatchOptions", "", [
                errors.required("fieldManager", "is required for apply patch")])
        current = self.find(res, namespace, name)
        if patch_type == APPLY_PATCH:
            applied = self._decode_apply(res, body, namespace, name)
            if current is None:
                if subresource:
                    raise errors.not_found(res.group, res.resource, name)
                return self.create(res, namespace, applied, dry_run=dry_run,
                                   field_validation=field_validation), True
            patched = self._apply_onto(res, self.served_form(res, current.obj), applied)
        else:
            if current is None:
                raise errors.not_found(res.group, res.resource, name)
            patched = self._apply_patch(res, self.served_form(res, current.obj), patch_type,
                                        body)
        if not isinstance(patched, dict):
            raise errors.bad_request("the patched object is not an object")
        md = patched.get("metadata")
        if not isinstance(md, dict):
            raise errors.bad_request("the patched object has no metadata")
        return self.update(res, namespace, name, patched, subresource=subresource,
                           dry_run=dry_run, field_validation=field_validation)

    @staticmethod
    def _loads(body: bytes) -> Any:
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.bad_request(f"error decoding patch: {exc}") from None

    def _apply_patch(self, res: Resource, base: dict[str, Any], patch_type: str,
                     body: bytes) -> Any:
        doc = self._loads(body)
        target = clone(base)
        try:
            if patch_type == JSON_PATCH:
                if not isinstance(doc, list):
                    raise errors.bad_request("json: cannot unmarshal object into Go value of "
                                             "type jsonpatch.Patch")
                try:
                    return kpatch.apply_json_patch(target, doc)
                except kpatch.PatchError as exc:
                    raise errors.APIError(422, "Invalid", str(exc)) from None
            if not isinstance(doc, dict):
                raise errors.bad_request("the patch must be a JSON object")
            if patch_type == MERGE_PATCH:
                return kpatch.apply_merge_patch(target, doc)
            if patch_type == STRATEGIC_PATCH:
                return kpatch.apply_strategic_merge_patch(target, doc, res.api_version,
                                                          res.kind)
        except kpatch.PatchError as exc:
            raise errors.bad_request(str(exc)) from None
        raise errors.unsupported_media_type(patch_type, [JSON_PATCH, MERGE_PATCH])

    def _decode_apply(self, res: Resource, body: bytes, namespace: str,
                      name: str) -> dict[str, Any]:
        from kclient import serializers as ser
        try:
            obj = ser.decode(body, ser.YAML)
        except ValueError as exc:
            raise errors.bad_request(f"error decoding YAML: {exc}") from None
        if not isinstance(obj, dict):
            raise errors.bad_request("the applied configuration must be an object")
        if obj.get("apiVersion") != res.api_version or obj.get("kind") != res.kind:
            raise errors.bad_request(
                f"the API version in the data ({obj.get('apiVersion', '')}) does not match "
                f"the expected API version ({res.api_version})"
                if obj.get("apiVersion") != res.api_version else
                f"the kind in the data ({obj.get('kind', '')}) does not match the expected "
                f"kind ({res.kind})")
        md = _md(obj)
        md.setdefault("name", name)
        if res.namespaced:
            md.setdefault("namespace", namespace)
        return obj

    def _apply_onto(self, res: Resource, live: dict[str, Any],
                    applied: dict[str, Any]) -> dict[str, Any]:
        target = clone(live)
        applied = clone(applied)
        _md(applied).pop("resourceVersion", None)
        try:
            if not res.is_custom and kpatch.supports_strategic_merge(res.api_version, res.kind):
                return kpatch.apply_strategic_merge_patch(target, applied, res.api_version,
                                                          res.kind)
            return kpatch.apply_merge_patch(target, applied)
        except kpatch.PatchError as exc:
            raise errors.bad_request(str(exc)) from None

    # -- delete --------------------------------------------------------------

    def delete(self, res: Resource, namespace: str, name: str,
               options: dict[str, Any] | None = None, *,
               dry_run: bool = False) -> tuple[dict[str, Any], int, bool]:
        """Delete or start deleting; returns (response object, HTTP code, deleted now)."""
        options = options or {}
        policy = self._check_options(options)
        current = self.find(res, namespace, name)
        if current is None:
            raise errors.not_found(res.group, res.resource, name)
        pre = options.get("preconditions") or {}
        omd = current.obj.get("metadata", {})
        if pre.get("uid") and pre["uid"] != omd.get("uid"):
            raise errors.conflict(res.group, res.resource, name,
                                  f"Precondition failed: UID in precondition: {pre['uid']}, "
                                  f"UID in object meta: {omd.get('uid', '')}")
        if pre.get("resourceVersion") and pre["resourceVersion"] != omd.get("resourceVersion"):
            raise errors.conflict(res.group, res.resource, name,
                                  "Precondition failed: ResourceVersion in precondition: "
                                  f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                                  f"{omd.get('resourceVersion', '')}")
        obj = clone(current.obj)
        md = obj["metadata"]
        grace = options.get("gracePeriodSeconds")
        if grace is not None and (not isinstance(grace, int) or isinstance(grace, bool)):
            raise errors.bad_request("gracePeriodSeconds must be an integer")
        accepted = 202 if options.get("orphanDependents") is False else 200
        if md.get("deletionTimestamp"):
            prev_grace = md.get("deletionGracePeriodSeconds")
            if res.graceful and grace is not None and (prev_grace is None or grace < prev_grace):
                md["deletionTimestamp"] = strategies.now_rfc3339(max(grace, 0))
                md["deletionGracePeriodSeconds"] = max(grace, 0)
            else:
                return current.obj, accepted, False
        elif res.graceful:
            period = grace
            spec = obj.get("spec") or {}
            if period is None:
                period = spec.get("terminationGracePeriodSeconds", 30)
            if not spec.get("nodeName") or \
                    (obj.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                period = 0
            period = max(int(period), 0)
            md["deletionTimestamp"] = strategies.now_rfc3339(period)
            md["deletionGracePeriodSeconds"] = period
        finalizers = list(md.get("finalizers") or [])
        wanted = self._gc_finalizers(res, finalizers, policy, options)
        if res.group == "apiextensions.k8s.io" and CRD_CLEANUP not in wanted:
            wanted.append(CRD_CLEANUP)
        if wanted != finalizers:
            if wanted:
                md["finalizers"] = wanted
            else:
                md.pop("finalizers", None)
        if md.get("finalizers") or md.get("deletionTimestamp") or \
                (res.resource == "namespaces" and (obj.get("spec") or {}).get("finalizers")):
            if not md.get("deletionTimestamp"):
                md["deletionTimestamp"] = strategies.now_rfc3339()
                md["deletionGracePeriodSeconds"] = 0
            if res.resource == "namespaces" and not res.group:
                obj.setdefault("status", {})["phase"] = "Terminating"
            pending = md.get("finalizers") or md.get("deletionGracePeriodSeconds") or \
                (res.resource == "namespaces" and (obj.get("spec") or {}).get("finalizers"))
            if pending:
                out = obj if dry_run else self.store.update(res.storage_key, current.key,
                                                             obj).obj
                return out, accepted, False
        if dry_run:
            return current.obj, 200, True
        self.store.delete(res.storage_key, current.key)
        if res.return_deleted:
            return current.obj, 200, True
        return errors.success_status(200, {"name": name, "group": res.group,
                                           "kind": res.resource,
                                           "uid": omd.get("uid", "")}), 200, True

    @staticmethod
    def _check_options(options: dict[str, Any]) -> str | None:
        policy = options.get("propagationPolicy")
        errs = []
        if policy is not None and policy not in POLICIES:
            errs.append(errors.not_supported("propagationPolicy", policy, POLICIES))
        if policy is not None and options.get("orphanDependents") is not None:
            errs.append(errors.invalid("propagationPolicy", policy,
                                       "orphanDependents and deletionPropagation cannot be "
                                       "both set"))
        dry = options.get("dryRun")
        if dry and any(d != "All" for d in dry):
            errs.append(errors.not_supported("dryRun", dry, ("All",)))
        if errs:
            raise errors.invalid_object("meta.k8s.io", "DeleteOptions", "", errs)
        if policy is None and options.get("orphanDependents") is not None:
            policy = "Orphan" if options["orphanDependents"] else "Background"
        return policy

    @staticmethod
    def _gc_finalizers(res: Resource, finalizers: list[str], policy: str | None,
                       options: dict[str, Any]) -> list[str]:
        out = list(finalizers)
        if policy is None:
            if ORPHAN in out or FOREGROUND in out:
                return out
            policy = res.default_gc_policy
        if policy == "Orphan":
            if ORPHAN not in out:
                out.append(ORPHAN)
            if FOREGROUND in out:
                out.remove(FOREGROUND)
        elif policy == "Foreground":
            if FOREGROUND not in out:
                out.append(FOREGROUND)
            if ORPHAN in out:
                out.remove(ORPHAN)
        else:
            out = [f for f in out if f not in (ORPHAN, FOREGROUND)]
        return out
