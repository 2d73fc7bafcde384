"""Strategic merge patch on built-in kinds, through their merge-key table."""

from __future__ import annotations

import copy

import pytest

from kclient.patch import (
    KIND_SCHEMAS,
    PatchError,
    apply_strategic_merge_patch,
    schema_for,
    supports_strategic_merge,
)


def pod() -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web",
            "namespace": "prod",
            "labels": {"app": "web", "tier": "fe"},
            "finalizers": ["a.example.com/f", "b.example.com/f"],
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1", "controller": True}
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "app:v1",
                    "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                    "ports": [{"containerPort": 80, "name": "http"}],
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                    "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "500m"}},
                },
                {"name": "sidecar", "image": "proxy:v1"},
            ],
            "volumes": [{"name": "data", "emptyDir": {}}],
            "tolerations": [{"key": "t1", "operator": "Exists"}, {"key": "t2", "operator": "Exists"}],
            "securityContext": {"runAsUser": 1000},
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Ready", "status": "False"},
                {"type": "PodScheduled", "status": "True"},
            ],
            "podIPs": [{"ip": "10.0.0.1"}],
        },
    }


def patched_pod(patch: dict) -> dict:
    return apply_strategic_merge_patch(pod(), patch, "v1", "Pod")


def containers(obj: dict) -> dict[str, dict]:
    return {c["name"]: c for c in obj["spec"]["containers"]}


def test_containers_env_and_ports_merge_by_their_keys() -> None:
    result = patched_pod(
        {
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "app:v2",
                        "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
                        "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443}],
                    }
                ]
            }
        }
    )
    assert [c["name"] for c in result["spec"]["containers"]] == ["app", "sidecar"]
    app = containers(result)["app"]
    assert app["image"] == "app:v2"
    assert app["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "3"},
        {"name": "C", "value": "4"},
    ]
    assert app["ports"] == [
        {"containerPort": 80, "name": "http", "protocol": "TCP"},
        {"containerPort": 443},
    ]
    # Untouched fields of the merged container survive.
    assert app["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]
    assert containers(result)["sidecar"] == {"name": "sidecar", "image": "proxy:v1"}


def test_new_container_is_added_before_the_existing_ones() -> None:
    result = patched_pod({"spec": {"containers": [{"name": "debug", "image": "busybox"}]}})
    assert [c["name"] for c in result["spec"]["containers"]] == ["debug", "app", "sidecar"]


def test_set_element_order_reorders_containers() -> None:
    result = patched_pod(
        {"spec": {"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}]}}
    )
    assert [c["name"] for c in result["spec"]["containers"]] == ["sidecar", "app"]
    assert containers(result)["app"]["image"] == "app:v1"


def test_kubectl_apply_style_patch_with_order_and_new_env() -> None:
    result = patched_pod(
        {
            "spec": {
                "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
                "containers": [
                    {
                        "name": "app",
                        "$setElementOrder/env": [{"name": "A"}, {"name": "NEW"}, {"name": "B"}],
                        "env": [{"name": "NEW", "value": "x"}],
                    }
                ],
            }
        }
    )
    assert [e["name"] for e in containers(result)["app"]["env"]] == ["A", "NEW", "B"]
    assert "$setElementOrder/env" not in containers(result)["app"]


def test_delete_directive_removes_container_and_env_var() -> None:
    result = patched_pod(
        {
            "spec": {
                "containers": [
                    {"name": "sidecar", "$patch": "delete"},
                    {"name": "app", "env": [{"name": "A", "$patch": "delete"}]},
                ]
            }
        }
    )
    assert [c["name"] for c in result["spec"]["containers"]] == ["app"]
    assert containers(result)["app"]["env"] == [{"name": "B", "value": "2"}]


def test_replace_directive_on_a_list_and_on_a_map() -> None:
    result = patched_pod(
        {
            "spec": {
                "containers": [
                    {"$patch": "replace"},
                    {"name": "only", "image": "only:v1"},
                ]
            }
        }
    )
    assert result["spec"]["containers"] == [{"name": "only", "image": "only:v1"}]

    result = patched_pod(
        {"spec": {"containers": [{"name": "app", "resources": {"$patch": "replace", "limits": {"memory": "1Gi"}}}]}}
    )
    assert containers(result)["app"]["resources"] == {"limits": {"memory": "1Gi"}}


def test_delete_directive_on_a_map_empties_it() -> None:
    result = patched_pod({"spec": {"securityContext": {"$patch": "delete"}}})
    assert result["spec"]["securityContext"] == {}


def test_conditions_merge_by_type() -> None:
    result = patched_pod(
        {"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Started"}]}}
    )
    assert result["status"]["conditions"] == [
        {"type": "Ready", "status": "True", "reason": "Started"},
        {"type": "PodScheduled", "status": "True"},
    ]
    result = patched_pod({"status": {"conditions": [{"type": "Initialized", "status": "True"}]}})
    assert [c["type"] for c in result["status"]["conditions"]] == ["Initialized", "Ready", "PodScheduled"]


def test_metadata_finalizers_labels_and_owner_references() -> None:
    result = patched_pod(
        {
            "metadata": {
                "labels": {"tier": None, "track": "canary"},
                "finalizers": ["b.example.com/f", "c.example.com/f"],
                "ownerReferences": [{"uid": "u1", "blockOwnerDeletion": True}],
            }
        }
    )
    meta = result["metadata"]
    assert meta["labels"] == {"app": "web", "track": "canary"}
    assert meta["finalizers"] == ["a.example.com/f", "b.example.com/f", "c.example.com/f"]
    assert meta["ownerReferences"] == [
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "name": "rs",
            "uid": "u1",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    result = patched_pod({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a.example.com/f"]}})
    assert result["metadata"]["finalizers"] == ["b.example.com/f"]


def test_lists_without_strategy_are_replaced() -> None:
    result = patched_pod({"spec": {"tolerations": [{"key": "t3", "operator": "Exists"}]}})
    assert result["spec"]["tolerations"] == [{"key": "t3", "operator": "Exists"}]


def test_volume_source_switch_with_retain_keys() -> None:
    result = patched_pod(
        {
            "spec": {
                "volumes": [
                    {"name": "data", "$retainKeys": ["configMap", "name"], "configMap": {"name": "cfg"}}
                ]
            }
        }
    )
    assert result["spec"]["volumes"] == [{"name": "data", "configMap": {"name": "cfg"}}]


def test_pod_ips_merge_by_ip() -> None:
    result = patched_pod({"status": {"podIPs": [{"ip": "fd00::1"}]}})
    assert result["status"]["podIPs"] == [{"ip": "fd00::1"}, {"ip": "10.0.0.1"}]


def test_inputs_are_not_mutated() -> None:
    original = pod()
    patch = {"spec": {"containers": [{"name": "app", "env": [{"name": "A", "$patch": "delete"}]}]}}
    original_before, patch_before = copy.deepcopy(original), copy.deepcopy(patch)
    result = apply_strategic_merge_patch(original, patch, "v1", "Pod")
    assert original == original_before and patch == patch_before
    result["spec"]["containers"][1]["image"] = "changed"
    assert original == original_before


def deployment() -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": "app:v1", "env": [{"name": "A", "value": "1"}]}]},
            },
        },
        "status": {"conditions": [{"type": "Available", "status": "True"}]},
    }


def test_deployment_template_containers_merge() -> None:
    result = apply_strategic_merge_patch(
        deployment(),
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "env": [{"name": "B", "value": "2"}]}]}}}},
        "apps/v1",
        "Deployment",
    )
    app = result["spec"]["template"]["spec"]["containers"][0]
    assert app == {
        "name": "app",
        "image": "app:v1",
        "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
    }


def test_deployment_strategy_retain_keys() -> None:
    result = apply_strategic_merge_patch(
        deployment(),
        {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
        "apps/v1",
        "Deployment",
    )
    assert result["spec"]["strategy"] == {"type": "Recreate"}


def test_cronjob_nested_template() -> None:
    cronjob = {
        "spec": {
            "jobTemplate": {
                "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b"}]}}}
            }
        }
    }
    result = apply_strategic_merge_patch(
        cronjob,
        {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "y"}]}}}}}},
        "batch/v1",
        "CronJob",
    )
    assert result["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"] == [
        {"name": "a", "image": "x"},
        {"name": "b", "image": "y"},
    ]


def test_service_ports_merge_by_port() -> None:
    service = {"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": 8443}]}}
    result = apply_strategic_merge_patch(
        service, {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}, "v1", "Service"
    )
    assert result["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443, "targetPort": 8443}]


def test_node_addresses_and_pod_cidrs() -> None:
    node = {
        "spec": {"podCIDRs": ["10.0.0.0/24"]},
        "status": {"addresses": [{"type": "InternalIP", "address": "1.1.1.1"}, {"type": "Hostname", "address": "n1"}]},
    }
    result = apply_strategic_merge_patch(
        node,
        {
            "spec": {"podCIDRs": ["fd00::/64"]},
            "status": {"addresses": [{"type": "InternalIP", "address": "2.2.2.2"}]},
        },
        "v1",
        "Node",
    )
    # A value new to the list, anchored to nothing in the target, goes first.
    assert result["spec"]["podCIDRs"] == ["fd00::/64", "10.0.0.0/24"]
    assert result["status"]["addresses"] == [
        {"type": "InternalIP", "address": "2.2.2.2"},
        {"type": "Hostname", "address": "n1"},
    ]


def test_pod_disruption_budget_selector_is_replaced() -> None:
    pdb = {"spec": {"selector": {"matchLabels": {"a": "1"}}, "minAvailable": 1}}
    result = apply_strategic_merge_patch(
        pdb, {"spec": {"selector": {"matchLabels": {"b": "2"}}}}, "policy/v1", "PodDisruptionBudget"
    )
    assert result["spec"] == {"selector": {"matchLabels": {"b": "2"}}, "minAvailable": 1}
    # Without the tag the maps would have merged: a config map's data does.
    cm = apply_strategic_merge_patch({"data": {"a": "1"}}, {"data": {"b": "2"}}, "v1", "ConfigMap")
    assert cm["data"] == {"a": "1", "b": "2"}


def test_service_account_secrets_merge_by_name() -> None:
    sa = {"secrets": [{"name": "t1"}], "imagePullSecrets": [{"name": "p1"}]}
    result = apply_strategic_merge_patch(
        sa, {"secrets": [{"name": "t2"}], "imagePullSecrets": [{"name": "p2"}]}, "v1", "ServiceAccount"
    )
    assert result["secrets"] == [{"name": "t2"}, {"name": "t1"}]
    assert result["imagePullSecrets"] == [{"name": "p2"}]


def test_custom_resources_fall_back_to_json_merge_patch() -> None:
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"containers": [{"name": "a"}], "n": 1}}
    patch = {"spec": {"containers": [{"name": "b"}], "n": None}}
    assert not supports_strategic_merge("example.com/v1", "Widget")
    result = apply_strategic_merge_patch(widget, patch, "example.com/v1", "Widget")
    assert result == {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"containers": [{"name": "b"}]}}


SUPPORT = [
    ("v1", "Pod", True),
    ("v1", "ConfigMap", True),
    ("v1", "Secret", True),
    ("v1", "Namespace", True),
    ("v1", "Endpoints", True),
    ("v1", "Event", True),
    ("apps/v1", "Deployment", True),
    ("apps/v1", "StatefulSet", True),
    ("apps/v1", "DaemonSet", True),
    ("apps/v1", "ReplicaSet", True),
    ("batch/v1", "Job", True),
    ("coordination.k8s.io/v1", "Lease", True),
    ("policy/v1", "PodDisruptionBudget", True),
    ("scheduling.k8s.io/v1", "PriorityClass", True),
    ("events.k8s.io/v1", "Event", True),
    ("apps/v1", "Pod", False),
    ("v1", "Deployment", False),
    ("example.com/v1", "Widget", False),
    ("a/b/c", "Pod", False),
]


@pytest.mark.parametrize("api_version,kind,expected", SUPPORT)
def test_supports_strategic_merge(api_version: str, kind: str, expected: bool) -> None:
    assert supports_strategic_merge(api_version, kind) is expected
    assert (schema_for(api_version, kind) is not None) is expected


def test_every_table_entry_describes_metadata() -> None:
    for (group, kind), schema in KIND_SCHEMAS.items():
        assert schema["metadata"].schema is not None, (group, kind)
        assert schema["metadata"].schema["ownerReferences"].merge_key == "uid"


def test_errors_from_a_kind_patch_name_the_field() -> None:
    with pytest.raises(PatchError) as info:
        patched_pod({"spec": {"containers": [{"image": "no-name"}]}})
    assert "does not contain declared merge key: name" in str(info.value)
    assert info.value.path == "spec.containers"
