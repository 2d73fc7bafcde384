"""List and watch request options: selectors, resource version semantics, paging.

:class:`Predicate` is a parsed label selector plus field selector for one resource; it
matches store entries (caching each entry's selectable fields on the entry).

:func:`plan_list` decides, from ``resourceVersion``, ``resourceVersionMatch``,
``limit`` and ``continue``, which snapshot a list is served from and which page of
it, following the table in the Kubernetes API concepts ("Semantics for get and
list"):

* unset: the most recent state; ``limit``/``continue`` honoured;
* ``"0"`` (Any) and ``NotOlderThan``: served as from the watch cache, the current state
  (after waiting, up to a few seconds, for a newer requested version), and ``limit``
  is ignored, as the watch cache ignores it;
* ``Exact`` (or a non-zero version with ``limit`` and no match): the state at exactly
  that version, rebuilt from history; too old is 410 Expired;
* ``continue``: the state at the token's version from the token's key on; a token
  older than the retained history is 410 Expired carrying a fresh token for an
  inconsistent continuation.

Option validation reproduces apimachinery's ``ValidateListOptions``: a 422 Invalid on
``ListOptions.meta.k8s.io``.

Maps to apiserver ``pkg/storage/etcd3/store.go`` (``GetList``, continue tokens),
``pkg/storage/cacher`` (``shouldDelegateList``, ``waitUntilFreshAndBlock``) and
apimachinery ``pkg/apis/meta/internalversion/validation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from kclient import fields as kfields
from kclient import labels as klabels

from . import errors
from .resources import Resource
from .store import Entry, Store, decode_continue, encode_continue

EXPIRED_LIST = "The resourceVersion for the provided list is too old."
EXPIRED_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You "
    "can start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted "
    "between the time the first chunk was returned and now may show up in the list.")
WAIT_SECONDS = 3.0


class Predicate:
    """Label and field selectors of one request, for one resource."""

    def __init__(self, res: Resource, label_selector: str = "",
                 field_selector: str = "") -> None:
        self.resource = res.resource
        try:
            self.labels = klabels.parse_selector(label_selector or "")
        except ValueError as exc:
            raise errors.bad_request(f"unable to parse requirement: {exc}") from None
        self.fields = None
        if field_selector:
            try:
                self.fields = kfields.parse_field_selector(field_selector)
            except ValueError as exc:
                raise errors.bad_request(f"invalid field selector: {exc}") from None
            if not res.is_custom:
                # upstream's per-group field label conversion: its exact messages,
                # and aliases such as pods' spec.host for spec.nodeName
                try:
                    self.fields = kfields.convert_field_selector(res.resource, self.fields,
                                                                 res.group)
                except ValueError as exc:
                    raise errors.bad_request(str(exc)) from None
            else:
                for fld, _, _ in self.fields.requirements:
                    if fld not in ("metadata.name", "metadata.namespace"):
                        raise errors.bad_request(f'field label not supported: {fld}')
        self.empty = self.labels.empty and self.fields is None

    def fields_of(self, entry: Entry) -> dict[str, str]:
        if entry.fields is None:
            entry.fields = self.object_fields(entry.obj)
        return entry.fields

    def object_fields(self, obj: dict[str, Any]) -> dict[str, str]:
        if self.resource and self.fields is not None:
            try:
                return kfields.object_fields(self.resource, obj)
            except (KeyError, ValueError):
                pass
        md = obj.get("metadata") or {}
        out = {"metadata.name": md.get("name", "")}
        if md.get("namespace"):
            out["metadata.namespace"] = md["namespace"]
        return out

    def matches(self, entry: Entry) -> bool:
        if self.empty:
            return True
        if not self.labels.empty and not self.labels.matches(entry.labels):
            return False
        if self.fields is not None and not self.fields.matches(self.fields_of(entry)):
            return False
        return True

    def matches_object(self, obj: dict[str, Any]) -> bool:
        if self.empty:
            return True
        md = obj.get("metadata") or {}
        if not self.labels.empty and not self.labels.matches(md.get("labels") or {}):
            return False
        if self.fields is not None and not self.fields.matches(self.object_fields(obj)):
            return False
        return True


def _bool(params: Mapping[str, str], name: str) -> bool | None:
    v = params.get(name)
    if v is None:
        return None
    if v.lower() in ("true", "1"):
        return True
    if v.lower() in ("false", "0", ""):
        return False
    raise errors.bad_request(f'invalid value for {name}: "{v}"')


def _int(params: Mapping[str, str], name: str) -> int | None:
    v = params.get(name)
    if v is None or v == "":
        return None
    try:
        return int(v)
    except ValueError:
        raise errors.bad_request(f'invalid value for {name}: "{v}": strconv.ParseInt: '
                                 f'parsing "{v}": invalid syntax') from None


def parse_rv(text: str) -> int:
    try:
        rv = int(text)
        if rv < 0:
            raise ValueError
        return rv
    except ValueError:
        raise errors.bad_request(f"invalid resource version: {text!r}"[:200]) from None


def _invalid_options(errs: list[errors.FieldError]) -> errors.APIError:
    return errors.invalid_object("meta.k8s.io", "ListOptions", "", errs)


@dataclass(slots=True)
class WatchOptions:
    resource_version: str
    send_initial: bool | None
    bookmarks: bool
    timeout: int | None


def watch_options(params: Mapping[str, str]) -> WatchOptions:
    """Parse and validate the options of a watch request."""
    rv = params.get("resourceVersion", "")
    match = params.get("resourceVersionMatch", "")
    send = _bool(params, "sendInitialEvents")
    bookmarks = bool(_bool(params, "allowWatchBookmarks"))
    errs = []
    if send is not None:
        if match != "NotOlderThan":
            errs.append(errors.forbidden("resourceVersionMatch",
                                         "sendInitialEvents requires setting "
                                         "resourceVersionMatch to NotOlderThan"))
        elif send and not bookmarks:
            errs.append(errors.forbidden("allowWatchBookmarks",
                                         "sendInitialEvents requires setting "
                                         "allowWatchBookmarks to true"))
    if match:
        if send is None:
            errs.append(errors.forbidden("resourceVersionMatch", "resourceVersionMatch is "
                                         "forbidden for watch unless sendInitialEvents is "
                                         "provided"))
        if match != "NotOlderThan":
            errs.append(errors.not_supported("resourceVersionMatch", match, ("NotOlderThan",)))
    if params.get("continue"):
        errs.append(errors.forbidden("continue", "continue is forbidden for watch"))
    if errs:
        raise _invalid_options(errs)
    if rv:
        parse_rv(rv)
    timeout = _int(params, "timeoutSeconds")
    return WatchOptions(rv, send, bookmarks, timeout)


@dataclass(slots=True)
class ListPage:
    entries: list[Entry]
    resource_version: int
    continue_token: str = ""
    remaining: int | None = None


async def plan_list(store: Store, res: Resource, namespace: str | None,
                    params: Mapping[str, str], pred: Predicate) -> ListPage:
    """Select the entries a list request returns, or raise the right Status."""
    rv_text = params.get("resourceVersion", "")
    match = params.get("resourceVersionMatch", "")
    token = params.get("continue", "")
    limit = _int(params, "limit") or 0
    errs = []
    if params.get("sendInitialEvents") is not None:
        errs.append(errors.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for "
                                     "list"))
    if match:
        if not rv_text:
            errs.append(errors.forbidden("resourceVersionMatch", "resourceVersionMatch is "
                                         "forbidden unless resourceVersion is provided"))
        if token:
            errs.append(errors.forbidden("resourceVersionMatch", "resourceVersionMatch is "
                                         "forbidden when continue is provided"))
        if match not in ("Exact", "NotOlderThan"):
            errs.append(errors.not_supported("resourceVersionMatch", match,
                                             ("Exact", "NotOlderThan", "")))
        if match == "Exact" and rv_text == "0":
            errs.append(errors.forbidden("resourceVersionMatch", 'resourceVersionMatch "exact" '
                                         'is forbidden for resourceVersion "0"'))
    if errs:
        raise _invalid_options(errs)
    if limit < 0:
        limit = 0
    skey = res.storage_key
    start = ""
    if token:
        if rv_text and rv_text != "0":
            raise errors.bad_request("specifying resource version is not allowed when using "
                                     "continue")
        rv, start = decode_continue(token)
        if rv > store.rv:
            raise errors.bad_request("invalid continue token: resource version is in the "
                                     "future")
        snap = store.snapshot(skey, rv)
        if snap is None:
            fresh = encode_continue(store.rv, start)
            raise errors.expired(EXPIRED_CONTINUE, {"continue": fresh})
        return _page(store, snap, rv, namespace, start, limit, pred)
    if not rv_text:
        rv = store.rv
        snap = store.snapshot(skey, rv)
        assert snap is not None
        if limit:
            store.remember_snapshot(skey, rv, (list(snap[0]), dict(snap[1])))
        return _page(store, snap, rv, namespace, "", limit, pred)
    wanted = parse_rv(rv_text)
    exact = match == "Exact" or (not match and limit and wanted != 0)
    if wanted > store.rv and not await store.wait_for(wanted, WAIT_SECONDS):
        raise errors.timeout(
            f"Timeout: Too large resource version: {wanted}, current: {store.rv}",
            retry_after=1,
            causes=[{"reason": "ResourceVersionTooLarge", "message": "Too large resource "
                     "version"}])
    if exact:
        snap = store.snapshot(skey, wanted)
        if snap is None:
            raise errors.expired(EXPIRED_LIST)
        if limit:
            store.remember_snapshot(skey, wanted, (list(snap[0]), dict(snap[1])))
        return _page(store, snap, wanted, namespace, "", limit, pred)
    rv = store.rv
    snap = store.snapshot(skey, rv)
    assert snap is not None
    return _page(store, snap, rv, namespace, "", 0, pred)


def _page(store: Store, snap: tuple[list[str], dict[str, Entry]], rv: int,
          namespace: str | None, start: str, limit: int, pred: Predicate) -> ListPage:
    candidates = store.select(snap, namespace, start)
    if not limit:
        if pred.empty:
            return ListPage(candidates, rv)
        return ListPage([e for e in candidates if pred.matches(e)], rv)
    out: list[Entry] = []
    last = -1
    for i, e in enumerate(candidates):
        if pred.matches(e):
            out.append(e)
            if len(out) == limit:
                last = i
                break
    if last < 0 or last == len(candidates) - 1:
        return ListPage(out, rv)
    token = encode_continue(rv, candidates[last].key + "\x00")
    remaining = len(candidates) - last - 1 if pred.empty else None
    return ListPage(out, rv, token, remaining)
