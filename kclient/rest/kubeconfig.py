"""Loading a :class:`~kclient.rest.Config` from kubeconfig files or a pod's service account.

Kubeconfig (client-go ``tools/clientcmd`` loading rules):

* an explicit ``path`` is used alone and must exist;
* otherwise every file named by ``$KUBECONFIG`` (``os.pathsep``-separated) is merged,
  missing and empty files skipped; otherwise ``~/.kube/config``;
* merging: the first file to define a cluster, user or context name wins (a later
  entry of the same name is ignored whole), and the first file that sets
  ``current-context`` wins; relative paths resolve against the file that holds them;
* the context is ``context`` if given, else ``current-context``; its namespace (default
  ``default``) becomes ``Config.namespace``.

Reuse: kubernetes-asyncio's ``KubeConfigMerger`` reads and merges the files and its
``KubeConfigLoader`` selects the context; exec plugins and auth providers (oidc, gcp)
run through that loader (see :class:`~kclient.rest.auth.KubeconfigCredentials`). The
cluster and the static credentials (client certificates, tokens, token files, basic
auth) are checked here, so that any broken kubeconfig fails fast with one
:class:`~kclient.rest.errors.ConfigError` naming the file, the context and the field:
a missing file, an unknown context or cluster, bad base64, an unreadable or invalid
certificate, a missing ``server``. A failing exec plugin raises the same error when
the client opens.

In-cluster (client-go ``rest.InClusterConfig``): ``https://$KUBERNETES_SERVICE_HOST:
$KUBERNETES_SERVICE_PORT``, the service-account CA, and the token file (re-read as it
rotates); the namespace from ``$POD_NAMESPACE`` or the service account's namespace file.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Any, Mapping

import yaml

from .auth import KubeconfigCredentials
from .config import Config
from .errors import ConfigError

__all__ = ["load_kubeconfig", "load_in_cluster", "SERVICE_ACCOUNT_DIR"]

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def _candidate_paths(path: str | os.PathLike[str] | None) -> tuple[list[str], str]:
    if path is not None:
        p = os.path.expanduser(os.fspath(path))
        if not os.path.isfile(p):
            raise ConfigError("the kubeconfig file does not exist", file=p)
        return [p], p
    env = os.environ.get("KUBECONFIG", "")
    if env:
        paths = [os.path.expanduser(p) for p in env.split(os.pathsep) if p]
        found = [p for p in paths if os.path.isfile(p)]
        if not found:
            raise ConfigError("no kubeconfig file of $KUBECONFIG exists", file=env)
        return found, env
    default = str(Path.home() / ".kube" / "config")
    if not os.path.isfile(default):
        raise ConfigError("no configuration has been provided: the kubeconfig file does "
                          "not exist (set $KUBECONFIG or pass a path)", file=default)
    return [default], default


def _read_documents(paths: list[str]) -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except OSError as exc:
            raise ConfigError(f"cannot read the file: {exc.strerror or exc}", file=p) from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"not valid YAML: {str(exc).splitlines()[0]}", file=p) from None
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise ConfigError("a kubeconfig must be a mapping", file=p)
        for section in ("clusters", "contexts", "users"):
            entries = doc.get(section)
            if entries is None:
                continue
            if not isinstance(entries, list) or not all(
                    isinstance(e, dict) and isinstance(e.get("name"), str) for e in entries):
                raise ConfigError("must be a list of named entries", file=p, field=section)
        docs.append((p, doc))
    return docs


def _entry(docs: list[tuple[str, dict[str, Any]]], section: str,
           name: str) -> tuple[str, dict[str, Any]] | None:
    """The first file's entry of that name, as the merge keeps it."""
    for p, doc in docs:
        for e in doc.get(section) or []:
            if e.get("name") == name:
                body = e.get(section[:-1])
                return p, body if isinstance(body, dict) else {}
    return None


def _resolve(base_file: str, value: str) -> str:
    value = os.path.expanduser(value)
    if os.path.isabs(value):
        return value
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(base_file)), value))


def _b64(value: Any, file: str, context: str, field: str) -> bytes:
    if not isinstance(value, str):
        raise ConfigError("must be a base64 string", file=file, context=context, field=field)
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("is not valid base64", file=file, context=context,
                          field=field) from None


def _readable(path: str, file: str, context: str, field: str) -> str:
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or type(exc).__name__}",
                          file=file, context=context, field=field) from None
    return path


def _make_loader(paths: list[str], context: str, file: str) -> Any:
    from kubernetes_asyncio.config.config_exception import ConfigException
    from kubernetes_asyncio.config.kube_config import KubeConfigLoader, KubeConfigMerger

    try:
        merger = KubeConfigMerger(os.pathsep.join(paths))
        return KubeConfigLoader(config_dict=merger.config, active_context=context,
                                config_base_path=None)
    except (ConfigException, AssertionError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"cannot select the context: {exc}", file=file,
                          context=context) from None


def load_kubeconfig(path: str | os.PathLike[str] | None = None,
                    context: str | None = None) -> Config:
    """Build a Config from kubeconfig files; see the module docstring."""
    paths, where = _candidate_paths(path)
    docs = _read_documents(paths)
    if not docs:
        raise ConfigError("the kubeconfig is empty", file=where)
    name = context
    if not name:
        name = next((d["current-context"] for _, d in docs if d.get("current-context")), None)
    if not name:
        raise ConfigError("no context is selected and current-context is not set",
                          file=where, field="current-context")
    found = _entry(docs, "contexts", name)
    if found is None:
        raise ConfigError(f'context "{name}" does not exist', file=where, context=name,
                          field="contexts")
    ctx_file, ctx = found
    cluster_name = ctx.get("cluster")
    if not isinstance(cluster_name, str) or not cluster_name:
        raise ConfigError("the context names no cluster", file=ctx_file, context=name,
                          field=f"contexts[{name}].cluster")
    found = _entry(docs, "clusters", cluster_name)
    if found is None:
        raise ConfigError(f'cluster "{cluster_name}" does not exist', file=ctx_file,
                          context=name, field=f"contexts[{name}].cluster")
    cl_file, cluster = found
    fld = f"clusters[{cluster_name}]"
    server = cluster.get("server")
    if not isinstance(server, str) or not server:
        raise ConfigError("no server found for cluster", file=cl_file, context=name,
                          field=f"{fld}.server")
    options: dict[str, Any] = {"host": server, "context": name, "source": ctx_file,
                               "namespace": ctx.get("namespace") or "default"}
    if cluster.get("certificate-authority-data"):
        options["ca_data"] = _b64(cluster["certificate-authority-data"], cl_file, name,
                                  f"{fld}.certificate-authority-data")
    elif cluster.get("certificate-authority"):
        options["ca_file"] = _readable(_resolve(cl_file, cluster["certificate-authority"]),
                                       cl_file, name, f"{fld}.certificate-authority")
    if cluster.get("insecure-skip-tls-verify"):
        options["insecure"] = True
    if cluster.get("tls-server-name"):
        options["tls_server_name"] = cluster["tls-server-name"]
    if cluster.get("proxy-url"):
        options["proxy"] = cluster["proxy-url"]
    user_name = ctx.get("user")
    if isinstance(user_name, str) and user_name:
        found = _entry(docs, "users", user_name)
        if found is not None:
            _user_options(found[0], found[1], user_name, name, [p for p, _ in docs], options)
    try:
        config = Config(**options)
        config.ssl_context()  # fail now on an unreadable or invalid certificate
    except ConfigError as exc:
        raise ConfigError(exc.detail, file=ctx_file, context=name,
                          field=_kubeconfig_field(exc.field, cluster_name, user_name)) from None
    return config


def _kubeconfig_field(field: str | None, cluster: str, user: Any) -> str | None:
    names = {
        "ca_file": f"clusters[{cluster}].certificate-authority",
        "ca_data": f"clusters[{cluster}].certificate-authority-data",
        "cert_file": f"users[{user}].client-certificate",
        "cert_data": f"users[{user}].client-certificate-data",
        "key_file": f"users[{user}].client-key",
        "key_data": f"users[{user}].client-key-data",
        "host": f"clusters[{cluster}].server",
        "username": f"users[{user}].username",
    }
    return names.get(field or "", field)


def _user_options(file: str, user: Mapping[str, Any], user_name: str, context: str,
                  paths: list[str], options: dict[str, Any]) -> None:
    fld = f"users[{user_name}]"
    for key, data_key, opt_file, opt_data in (
            ("client-certificate", "client-certificate-data", "cert_file", "cert_data"),
            ("client-key", "client-key-data", "key_file", "key_data")):
        if user.get(data_key):
            options[opt_data] = _b64(user[data_key], file, context, f"{fld}.{data_key}")
        elif user.get(key):
            options[opt_file] = _readable(_resolve(file, user[key]), file, context,
                                          f"{fld}.{key}")
    if "exec" in user or "auth-provider" in user:
        which = "exec" if "exec" in user else "auth-provider"
        spec = user[which]
        if not isinstance(spec, dict) or (which == "exec" and not spec.get("command")) or \
                (which == "auth-provider" and not spec.get("name")):
            missing = "command" if which == "exec" else "name"
            raise ConfigError(f"{which} needs a {missing}", file=file, context=context,
                              field=f"{fld}.{which}")
        loader = _make_loader(paths, context, file)
        options["auth"] = KubeconfigCredentials(loader, file=file, context=context,
                                                field=f"{fld}.{which}")
        return
    if user.get("token"):
        options["token"] = str(user["token"])
    if user.get("tokenFile"):
        options["token_file"] = _readable(_resolve(file, user["tokenFile"]), file, context,
                                          f"{fld}.tokenFile")
    if user.get("username") or user.get("password"):
        options["username"] = str(user.get("username") or "")
        options["password"] = str(user.get("password") or "")


def load_in_cluster(*, token_file: str | None = None, ca_file: str | None = None,
                    namespace_file: str | None = None,
                    environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
    """Build a Config from the pod's service account; see the module docstring."""
    from kubernetes_asyncio.client import Configuration
    from kubernetes_asyncio.config.config_exception import ConfigException
    from kubernetes_asyncio.config.incluster_config import InClusterConfigLoader

    env = dict(os.environ if environ is None else environ)
    token_file = token_file or os.path.join(SERVICE_ACCOUNT_DIR, "token")
    ca_file = ca_file or os.path.join(SERVICE_ACCOUNT_DIR, "ca.crt")
    namespace_file = namespace_file or os.path.join(SERVICE_ACCOUNT_DIR, "namespace")
    loader = InClusterConfigLoader(token_filename=token_file, cert_filename=ca_file,
                                   try_refresh_token=False, environ=env)
    target = Configuration()
    try:
        loader.load_and_set(target)
    except ConfigException as exc:
        text = str(exc)
        field = "KUBERNETES_SERVICE_HOST" if "host/port" in text else \
            "token" if "token" in text.lower() else "ca.crt"
        where = token_file if field == "token" else ca_file if field == "ca.crt" else None
        raise ConfigError(f"unable to load in-cluster configuration: {text}", file=where,
                          field=field) from None
    except OSError as exc:
        raise ConfigError(f"unable to load in-cluster configuration: "
                          f"{exc.strerror or type(exc).__name__}", file=token_file,
                          field="token") from None
    namespace = env.get("POD_NAMESPACE", "")
    if not namespace:
        try:
            with open(namespace_file, encoding="utf-8") as f:
                namespace = f.read().strip()
        except OSError:
            namespace = ""
    options: dict[str, Any] = {"host": target.host, "ca_file": target.ssl_ca_cert,
                               "token_file": token_file, "namespace": namespace or "default",
                               "source": token_file}
    options.update(overrides)
    return Config(**options)
