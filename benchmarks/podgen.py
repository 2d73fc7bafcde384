"""Realistic Pods for benchmarks: what a Deployment's ReplicaSet creates on a real node.

Each pod carries what a live cluster's pods carry (labels, an owner reference,
managedFields from two managers, an app container with env, probes, resources and
mounts and a sidecar, a projected service-account volume, tolerations, and a Running status with
conditions and container statuses): about 4.4 KB of compact JSON.
"""

from __future__ import annotations

import hashlib


def _ts(i: int, offset: int = 0) -> str:
    s = (i * 7 + offset) % 86400
    return f"2026-11-{1 + i % 28:02d}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z"


def _uid(*parts: object) -> str:
    h = hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _container(name: str, image: str, i: int, port: int) -> dict:
    return {
        "name": name,
        "image": image,
        "command": ["/bin/server"],
        "args": ["--port", str(port), "--log-level=info", f"--shard={i % 16}"],
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
            {"name": "LOG_FORMAT", "value": "json"},
        ],
        "resources": {
            "limits": {"cpu": "500m", "memory": "256Mi"},
            "requests": {"cpu": "100m", "memory": "128Mi"},
        },
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/app", "readOnly": True},
            {"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": True},
        ],
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"},
            "initialDelaySeconds": 10, "timeoutSeconds": 1, "periodSeconds": 10,
            "successThreshold": 1, "failureThreshold": 3,
        },

        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
        "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True},
    }


def realistic_pod(i: int, namespace: str | None = None, node: str | None = None) -> dict:
    """Pod number ``i`` (deterministic), with apiVersion and kind."""
    ns = namespace or f"team-{i % 10}"
    app = f"web-{i % 50}"
    rs_hash = hashlib.md5(app.encode()).hexdigest()[:10]
    name = f"{app}-{rs_hash}-{hashlib.md5(str(i).encode()).hexdigest()[:5]}"
    node_name = node or f"node-{i % 100:03d}"
    created = _ts(i)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": f"{app}-{rs_hash}-",
            "namespace": ns,
            "uid": _uid("pod", i),
            "resourceVersion": str(100000 + i),
            "creationTimestamp": created,
            "labels": {"app": app, "pod-template-hash": rs_hash, "tier": "frontend",
                       "app.kubernetes.io/part-of": "shop"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": _ts(i, 5),
                            "prometheus.io/scrape": "true"},
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{app}-{rs_hash}",
                "uid": _uid("rs", app), "controller": True, "blockOwnerDeletion": True,
            }],
            "managedFields": [
                {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                 "time": created, "fieldsType": "FieldsV1",
                 "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}, "f:tier": {}},
                              "f:ownerReferences": {".": {}, f"k:{{\"uid\":\"{_uid('rs', app)}\"}}": {}}},
                              "f:spec": {"f:containers": {}, "f:dnsPolicy": {}, "f:restartPolicy": {}}}},
                {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": _ts(i, 30),
                 "fieldsType": "FieldsV1", "subresource": "status",
                 "fieldsV1": {"f:status": {"f:conditions": {}, "f:containerStatuses": {},
                                           "f:phase": {}, "f:podIP": {}, "f:startTime": {}}}},
            ],
        },
        "spec": {
            "volumes": [
                {"name": "config", "configMap": {"name": f"{app}-config", "defaultMode": 420}},
                {"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
                ]}},
            ],
            "containers": [
                _container(app, f"registry.example.com/shop/{app}:1.{i % 7}.{i % 3}", i, 8080),
                {"name": "sidecar", "image": "registry.example.com/mesh/proxy:2.4.1",
                 "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}},
                 "terminationMessagePath": "/dev/termination-log",
                 "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"},
            ],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default",
            "serviceAccount": "default",
            "nodeName": node_name,
            "securityContext": {"runAsUser": 1000, "fsGroup": 2000},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            ],
            "priority": 0,
            "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority",
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": _ts(i, k)}
                for k, t in enumerate(["Initialized", "Ready", "ContainersReady", "PodScheduled"])
            ],
            "hostIP": f"10.0.{i % 100}.{i % 250 + 1}",
            "podIP": f"10.244.{i % 200}.{i % 250 + 2}",
            "podIPs": [{"ip": f"10.244.{i % 200}.{i % 250 + 2}"}],
            "startTime": _ts(i, 1),
            "containerStatuses": [
                {"name": c, "state": {"running": {"startedAt": _ts(i, 3)}}, "lastState": {},
                 "ready": True, "restartCount": i % 3, "image": img,
                 "imageID": f"{img.split(':')[0]}@sha256:{hashlib.sha256(img.encode()).hexdigest()}",
                 "containerID": f"containerd://{hashlib.sha256(f'{c}{i}'.encode()).hexdigest()}",
                 "started": True}
                for c, img in ((app, f"registry.example.com/shop/{app}:1.{i % 7}.{i % 3}"),
                               ("sidecar", "registry.example.com/mesh/proxy:2.4.1"))
            ],
            "qosClass": "Burstable",
        },
    }


def pod_list(n: int) -> dict:
    items = []
    for i in range(n):
        p = realistic_pod(i)
        del p["apiVersion"], p["kind"]
        items.append(p)
    return {"kind": "PodList", "apiVersion": "v1",
            "metadata": {"resourceVersion": str(100000 + n)}, "items": items}
