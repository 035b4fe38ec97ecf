"""What a reviewer checks by eye in rendered manifests, checked for every chart combination and
every kustomize overlay: probes, resources, Pod Security "restricted", wiring between objects
(selectors, port names, references), graceful shutdown, and commands the app really has."""

from __future__ import annotations

import re

import pytest

from tests.deploy.conftest import (
    ROOT,
    Doc,
    by_kind,
    chart_docs,
    matches,
    pod_labels,
    pod_spec,
    workloads,
)

RESTRICTED_VOLUMES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
    "projected", "secret",
}  # fmt: skip
LONG_RUNNING = {"Deployment", "StatefulSet", "DaemonSet"}


def _containers(doc: Doc) -> list[Doc]:
    spec = pod_spec(doc) or {}
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def _name(doc: Doc) -> str:
    return f"{doc['kind']} {doc['metadata']['name']}"


def test_every_long_running_container_has_startup_liveness_and_readiness_probes(
    rendered: tuple[str, list[Doc]],
) -> None:
    """Jobs and CronJobs end by themselves: a probe has nothing to decide there."""
    for doc in workloads(rendered[1]):
        if doc["kind"] not in LONG_RUNNING:
            continue
        for container in pod_spec(doc)["containers"]:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert probe in container, f"{_name(doc)}/{container['name']}: no {probe}"


def test_every_container_has_cpu_and_memory_requests_and_limits(
    rendered: tuple[str, list[Doc]],
) -> None:
    for doc in workloads(rendered[1]):
        for container in _containers(doc):
            resources = container.get("resources", {})
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(part, {})), (
                    f"{_name(doc)}/{container['name']}: {part}"
                )
            # A memory request above the limit would never schedule as intended.
            assert resources["limits"]["memory"] == resources["requests"]["memory"] or (
                _bytes(resources["limits"]["memory"]) > _bytes(resources["requests"]["memory"])
            )


def _bytes(quantity: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    number, unit = re.fullmatch(r"(\d+)([KMGT]i)?", quantity).groups()
    return int(number) * units.get(unit or "", 1)


def test_every_pod_meets_pod_security_restricted(rendered: tuple[str, list[Doc]]) -> None:
    for doc in workloads(rendered[1]):
        spec = pod_spec(doc)
        pod = spec.get("securityContext", {})
        where = _name(doc)
        assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC")
        for volume in spec.get("volumes", []):
            kinds = set(volume) - {"name"}
            assert kinds <= RESTRICTED_VOLUMES, f"{where}: volume {volume['name']} is {kinds}"
        for container in _containers(doc):
            sc = container.get("securityContext", {})
            here = f"{where}/{container['name']}"
            assert sc.get("allowPrivilegeEscalation") is False, here
            assert not sc.get("privileged"), here
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], here
            assert set(sc.get("capabilities", {}).get("add", [])) <= {"NET_BIND_SERVICE"}, here
            assert (sc.get("runAsNonRoot", pod.get("runAsNonRoot"))) is True, here
            uid = sc.get("runAsUser", pod.get("runAsUser"))
            assert isinstance(uid, int) and uid > 0, f"{here}: needs a numeric non-root uid"
            seccomp = sc.get("seccompProfile", pod.get("seccompProfile", {}))
            assert seccomp.get("type") in {"RuntimeDefault", "Localhost"}, here
            assert sc.get("readOnlyRootFilesystem") is True, here
            for port in container.get("ports", []):
                assert "hostPort" not in port, here


def test_no_pod_gets_a_service_account_token(rendered: tuple[str, list[Doc]]) -> None:
    docs = rendered[1]
    for account in by_kind(docs, "ServiceAccount"):
        assert account["automountServiceAccountToken"] is False
    for doc in workloads(docs):
        assert pod_spec(doc)["automountServiceAccountToken"] is False, _name(doc)


def test_container_ports_are_named(rendered: tuple[str, list[Doc]]) -> None:
    for doc in workloads(rendered[1]):
        for container in _containers(doc):
            for port in container.get("ports", []):
                assert port.get("name"), f"{_name(doc)}/{container['name']}"


def _pods_behind(docs: list[Doc], selector: dict[str, str]) -> list[Doc]:
    return [w for w in workloads(docs) if matches({"matchLabels": selector}, pod_labels(w))]


def test_service_selectors_match_pods_and_target_ports_exist(
    rendered: tuple[str, list[Doc]],
) -> None:
    docs = rendered[1]
    for service in by_kind(docs, "Service"):
        selector = service["spec"]["selector"]
        backends = _pods_behind(docs, selector)
        assert len(backends) == 1, f"{_name(service)} selects {[_name(b) for b in backends]}"
        container_ports = {
            p["name"]: p["containerPort"]
            for c in pod_spec(backends[0])["containers"]
            for p in c.get("ports", [])
        }
        for port in service["spec"]["ports"]:
            assert port.get("name"), f"{_name(service)}: unnamed port"
            target = port["targetPort"]
            assert target in container_ports or target in container_ports.values(), (
                f"{_name(service)}: targetPort {target} is on no container"
            )


def test_workload_selectors_match_their_own_pod_template(rendered: tuple[str, list[Doc]]) -> None:
    for doc in workloads(rendered[1]):
        if doc["kind"] in LONG_RUNNING:
            assert matches(doc["spec"]["selector"], pod_labels(doc)), _name(doc)


def test_service_monitor_ports_are_names_on_the_selected_service(
    rendered: tuple[str, list[Doc]],
) -> None:
    """A ServiceMonitor endpoint names a Service port; a mismatch silently scrapes nothing."""
    docs = rendered[1]
    for monitor in by_kind(docs, "ServiceMonitor"):
        services = [
            s for s in by_kind(docs, "Service")
            if matches(monitor["spec"]["selector"], s["metadata"]["labels"])
        ]  # fmt: skip
        assert len(services) == 1, f"{_name(monitor)} selects {[_name(s) for s in services]}"
        port_names = {p["name"] for p in services[0]["spec"]["ports"]}
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["port"] in port_names, f"{_name(monitor)}: no port {endpoint['port']}"
            assert endpoint["path"] == "/metrics"


def test_hpa_pdb_and_ingress_point_at_objects_that_exist(rendered: tuple[str, list[Doc]]) -> None:
    docs = rendered[1]
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for hpa in by_kind(docs, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) in names
        assert hpa["spec"]["minReplicas"] >= 2, "one pod cannot roll or drain without downtime"
    for pdb in by_kind(docs, "PodDisruptionBudget"):
        covered = [w for w in workloads(docs) if matches(pdb["spec"]["selector"], pod_labels(w))]
        assert [w["metadata"]["name"] for w in covered] == ["finance-tracker-web"]
    for ingress in by_kind(docs, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = next(
                    s for s in by_kind(docs, "Service") if s["metadata"]["name"] == backend["name"]
                )
                assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_config_and_claims_referenced_by_pods_exist(rendered: tuple[str, list[Doc]]) -> None:
    """Every ConfigMap, claim and Secret a pod uses is rendered too, except the Secret the
    values say exists already (existingSecret), which must then be the only one referenced."""
    source, docs = rendered
    config_maps = {d["metadata"]["name"] for d in by_kind(docs, "ConfigMap")}
    secrets = {d["metadata"]["name"]: d for d in by_kind(docs, "Secret")}
    claims = {d["metadata"]["name"] for d in by_kind(docs, "PersistentVolumeClaim")}
    external_secrets: set[str] = set()
    for doc in workloads(docs):
        spec = pod_spec(doc)
        for volume in spec.get("volumes", []):
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims, _name(doc)
        for container in _containers(doc):
            for source_ref in container.get("envFrom", []):
                if "configMapRef" in source_ref:
                    assert source_ref["configMapRef"]["name"] in config_maps
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if not ref:
                    continue
                if ref["name"] in secrets:
                    secret = secrets[ref["name"]]
                    keys = set(secret.get("data", {})) | set(secret.get("stringData", {}))
                    assert ref["key"] in keys, f"{_name(doc)}: {ref}"
                else:
                    external_secrets.add(ref["name"])
    assert len(external_secrets) <= 1, f"{source}: several missing Secrets {external_secrets}"


def test_web_rolls_and_drains_without_dropping_requests(combination: str) -> None:
    docs = chart_docs(combination)
    web = next(d for d in by_kind(docs, "Deployment") if d["metadata"]["name"].endswith("-web"))
    spec = web["spec"]["template"]["spec"]
    container = spec["containers"][0]
    assert web["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    gunicorn = (ROOT / "src" / "finance_tracker" / "ops" / "gunicorn.py").read_text()
    graceful = int(re.search(r'"graceful_timeout":\s*(\d+)', gunicorn).group(1))
    assert spec["terminationGracePeriodSeconds"] > pre_stop + graceful, (
        "the kubelet would kill gunicorn before it finished its in-flight requests"
    )
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    keys = {c["topologyKey"] for c in spec["topologySpreadConstraints"]}
    assert "kubernetes.io/hostname" in keys


def test_migrations_run_as_a_hook_between_the_data_stores_and_the_app(combination: str) -> None:
    docs = chart_docs(combination)
    job = next(d for d in by_kind(docs, "Job") if d["metadata"]["name"].endswith("migrations"))
    annotations = job["metadata"]["annotations"]
    assert "pre-upgrade" in annotations["helm.sh/hook"].split(",")
    assert pod_spec(job)["containers"][0]["command"] == ["finance-tracker", "db", "upgrade"]
    assert annotations["argocd.argoproj.io/hook"] == "Sync"
    job_wave = int(annotations["argocd.argoproj.io/sync-wave"])
    for doc in docs:
        wave = int(doc["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave", 0))
        name = doc["metadata"]["name"]
        if doc["kind"] in {"StatefulSet", "Secret", "ConfigMap"} or name.endswith("-redis"):
            assert wave < job_wave, f"{_name(doc)} must be ready before the migrations"
        if doc["kind"] == "Deployment" and not name.endswith("-redis"):
            assert wave > job_wave, f"{_name(doc)} must wait for the migrations"
    # The app never migrates by itself in production.
    config = next(
        d for d in by_kind(docs, "ConfigMap") if d["metadata"]["name"] == "finance-tracker"
    )
    assert config["data"]["AUTO_MIGRATE"] == "false"


def test_the_recurring_cron_job_cannot_overlap_itself() -> None:
    cron = by_kind(chart_docs("default"), "CronJob")[0]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    command = pod_spec(cron)["containers"][0]["command"]
    assert command == ["finance-tracker", "jobs", "run-recurring"]


def test_every_object_carries_the_recommended_labels(rendered: tuple[str, list[Doc]]) -> None:
    for doc in rendered[1]:
        if doc["kind"] == "Namespace":
            continue
        labels = doc["metadata"].get("labels", {})
        for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance",
                    "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of"):  # fmt: skip
            assert key in labels, f"{_name(doc)}: no {key}"
    for doc in workloads(rendered[1]):
        assert "app.kubernetes.io/component" in pod_labels(doc), _name(doc)


def test_app_containers_run_commands_the_cli_has(rendered: tuple[str, list[Doc]]) -> None:
    """`finance-tracker <command>` must exist, except `traffic` (the traffic-sender issue)."""
    import click

    from finance_tracker.cli import main

    for doc in workloads(rendered[1]):
        for container in pod_spec(doc)["containers"]:
            command = container.get("command", [])
            if command[:1] != ["finance-tracker"]:
                continue
            words = [w for w in command[1:] if not w.startswith("-")]
            if words[:1] == ["traffic"]:
                continue
            group: click.Command = main
            for word in words:
                if not isinstance(group, click.Group):
                    break
                assert word in group.commands, f"{_name(doc)}: no command {command}"
                group = group.commands[word]


def test_no_resource_sets_a_default_or_fixed_namespace_in_the_base() -> None:
    """The base is rendered from the chart: nothing in it may pin a namespace."""
    base = ROOT / "deploy" / "kustomize" / "base"
    for path in base.glob("*.yaml"):
        assert "\n  namespace:" not in path.read_text(), path.name


@pytest.mark.parametrize("combination", ["default", "kind"])
def test_worker_liveness_checks_its_own_registration_in_redis(combination: str) -> None:
    worker = next(
        d for d in by_kind(chart_docs(combination), "Deployment")
        if d["metadata"]["name"].endswith("-worker")
    )  # fmt: skip
    container = pod_spec(worker)["containers"][0]
    assert container["command"] == ["finance-tracker", "worker"]
    script = container["livenessProbe"]["exec"]["command"][-1]
    assert "Worker.all" in script and "socket.gethostname()" in script
    compile(script, "worker-probe", "exec")  # valid Python
    assert pod_spec(worker)["terminationGracePeriodSeconds"] >= 60


def test_the_metrics_folder_is_inside_a_memory_volume_not_the_volume_itself(
    rendered: tuple[str, list[Doc]],
) -> None:
    """gunicorn start-up removes PROMETHEUS_MULTIPROC_DIR and makes it again (ops/gunicorn.py):
    on a mount point the removal fails with EBUSY and the pod never starts."""
    for doc in workloads(rendered[1]):
        for container in pod_spec(doc)["containers"]:
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            folder = env.get("PROMETHEUS_MULTIPROC_DIR")
            if folder is None:
                continue
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert folder not in mounts, f"{_name(doc)}: {folder} is a mount point"
            parent = next(p for p in mounts if folder.startswith(p.rstrip("/") + "/"))
            volume = next(v for v in pod_spec(doc)["volumes"] if v["name"] == mounts[parent])
            assert volume["emptyDir"].get("medium") == "Memory", _name(doc)
