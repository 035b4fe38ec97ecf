"""deploy/argocd: the app of apps, as Argo CD renders it from the root Application. Every object
validates against its CRD schema; the sync policy, waves, project limits and the one place for
the repository URL are what the issue asks for."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deploy.conftest import CHART, ROOT, by_kind, module, named
from tests.deploy.test_manifests_schema import validate
from tests.gitops.conftest import (
    ARGOCD,
    BUILD_VARIABLES,
    CLUSTER_UP,
    CM_PATCH,
    applications,
    argocd_values,
    child,
    children,
    environment_values,
    environments,
    helm_parameters,
    load,
    render_argocd,
    root_application,
)

WAVE = "argocd.argoproj.io/sync-wave"
FINALIZER = "resources-finalizer.argocd.argoproj.io"


def _wave(doc: dict[str, Any]) -> int:
    return int(doc["metadata"].get("annotations", {}).get(WAVE, "0"))


def _sources(application: dict[str, Any]) -> list[dict[str, Any]]:
    spec = application["spec"]
    return spec.get("sources") or [spec["source"]]


def test_the_chart_lints_strictly() -> None:
    helm = module("helm_python")
    report = helm.lint(
        str(ARGOCD), helm_parameters(root_application()), strict=True, kube_version="v1.37.0"
    )
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_every_argo_cd_object_validates_against_its_crd_schema() -> None:
    """The root, the AppProject, every child Application, and the argocd-cm patch (a ConfigMap,
    against the Kubernetes schema)."""
    objects = [*applications(), *(d for d in children() if d["kind"] == "AppProject")]
    assert {d["kind"] for d in objects} == {"Application", "AppProject"}
    assert [validate(d) for d in objects] == ["crd"] * len(objects)
    assert validate(load(CM_PATCH)) == "kubernetes"
    # root + monitoring + one per environment, and the project: 5 with staging and production.
    assert len(objects) == 2 + len(environments()) + 1


def test_a_misspelt_application_field_is_caught() -> None:
    application = child("Application", "monitoring")
    broken = {**application, "spec": {**application["spec"], "syncPolicies": {}}}
    with pytest.raises(AssertionError, match="syncPolicies"):
        validate(broken)


def test_the_root_renders_a_project_monitoring_and_one_app_per_environment() -> None:
    names = {(d["kind"], d["metadata"]["name"]) for d in children()}
    project = argocd_values()["project"]["name"]
    assert names == {
        ("AppProject", project),
        ("Application", "monitoring"),
        *(("Application", f"finance-tracker-{env}") for env in environments()),
    }
    assert set(environments()) == {"staging", "production"}


def test_every_application_syncs_automatically_with_prune_self_heal_and_backoff() -> None:
    for application in applications():
        name = application["metadata"]["name"]
        assert application["metadata"]["namespace"] == "argocd", name
        assert FINALIZER in application["metadata"]["finalizers"], name
        policy = application["spec"]["syncPolicy"]
        assert policy["automated"] == {"prune": True, "selfHeal": True}, name
        retry = policy["retry"]
        assert retry["limit"] >= 3, name
        assert retry["backoff"]["factor"] >= 2, name
        assert re.fullmatch(r"\d+[smh]", retry["backoff"]["duration"]), name
        assert re.fullmatch(r"\d+[smh]", retry["backoff"]["maxDuration"]), name
        if name != "finance-tracker-root":  # the root deploys into argocd, which exists
            assert "CreateNamespace=true" in policy["syncOptions"], name


def test_the_children_belong_to_the_project_and_stay_inside_its_limits() -> None:
    project = child("AppProject", argocd_values()["project"]["name"])
    spec = project["spec"]
    assert FINALIZER in project["metadata"]["finalizers"]
    repos = spec["sourceRepos"]
    assert "*" not in repos and len(repos) == 2
    destinations = {(d["server"], d["namespace"]) for d in spec["destinations"]}
    assert all("*" not in server + namespace for server, namespace in destinations)
    kinds = {(k["group"], k["kind"]) for k in spec["clusterResourceWhitelist"]}
    assert ("", "Namespace") in kinds and ("*", "*") not in kinds
    for application in applications()[1:]:
        name = application["metadata"]["name"]
        assert application["spec"]["project"] == project["metadata"]["name"], name
        for source in _sources(application):
            assert source["repoURL"] in repos, f"{name}: {source['repoURL']}"
        destination = application["spec"]["destination"]
        assert (destination["server"], destination["namespace"]) in destinations, name


def test_each_environment_runs_the_chart_with_its_own_values_file_and_namespace() -> None:
    namespaces = set()
    for env, settings in environments().items():
        application = child("Application", f"finance-tracker-{env}")
        source = application["spec"]["source"]
        assert source["path"] == str(CHART.relative_to(ROOT))
        assert source["helm"]["valueFiles"] == [settings["valuesFile"]]
        assert (CHART / settings["valuesFile"]).is_file()
        assert application["spec"]["destination"]["namespace"] == settings["namespace"]
        namespaces.add(settings["namespace"])
        labels = application["spec"]["syncPolicy"]["managedNamespaceMetadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert len(namespaces) == len(environments()), "two environments share a namespace"


def test_replicas_are_ignored_exactly_where_an_hpa_owns_them() -> None:
    """`autoscaling` in deploy/argocd/values.yaml must say what the environment's values file
    does; the ignored Deployment is the chart's web Deployment."""
    from tests.gitops.test_pinned_images import render_environment

    for env, settings in environments().items():
        application = child("Application", f"finance-tracker-{env}")
        docs = render_environment(env)
        hpas = by_kind(docs, "HorizontalPodAutoscaler")
        hpa_on = environment_values(env).get("web", {}).get("autoscaling", {}).get("enabled", True)
        assert settings["autoscaling"] is hpa_on is bool(hpas), env
        ignored = application["spec"].get("ignoreDifferences", [])
        options = application["spec"]["syncPolicy"]["syncOptions"]
        if hpa_on:
            (rule,) = ignored
            web = named(docs, "Deployment", rule["name"])
            assert hpas[0]["spec"]["scaleTargetRef"]["name"] == web["metadata"]["name"]
            assert (rule["group"], rule["kind"], rule["jsonPointers"]) == (
                "apps",
                "Deployment",
                ["/spec/replicas"],
            )
            assert "replicas" not in web["spec"], "the chart leaves replicas to the HPA"
            assert "RespectIgnoreDifferences=true" in options
        else:
            assert ignored == [] and "RespectIgnoreDifferences=true" not in options


def test_monitoring_is_kube_prometheus_stack_pinned_with_our_values_and_server_side_apply() -> None:
    application = child("Application", "monitoring")
    chart_source, values_source = application["spec"]["sources"]
    settings = argocd_values()["monitoring"]
    assert chart_source["chart"] == "kube-prometheus-stack"
    assert re.fullmatch(r"\d+\.\d+\.\d+", chart_source["targetRevision"])
    # The version kind installs too: one stack, one version.
    assert (
        f'KUBE_PROMETHEUS_STACK_VERSION="${{KUBE_PROMETHEUS_STACK_VERSION:-{settings["version"]}}}"'
        in CLUSTER_UP.read_text()
    )
    (values_file,) = chart_source["helm"]["valueFiles"]
    assert values_file.startswith(f"${values_source['ref']}/")
    assert (ROOT / values_file.split("/", 1)[1]).is_file()
    assert values_source["repoURL"] == root_application()["spec"]["source"]["repoURL"]
    assert "ServerSideApply=true" in application["spec"]["syncPolicy"]["syncOptions"]


def test_sync_waves_put_the_project_then_monitoring_then_the_app() -> None:
    project = child("AppProject", argocd_values()["project"]["name"])
    monitoring = child("Application", "monitoring")
    apps = [child("Application", f"finance-tracker-{env}") for env in environments()]
    assert _wave(project) < _wave(monitoring) < min(_wave(a) for a in apps)


def test_inside_the_chart_the_database_is_ready_before_the_migrations_before_the_app() -> None:
    """The chart's own waves, reused by every environment: data stores (0), the migrations
    Sync hook (1), then everything that runs the app (2)."""
    from tests.gitops.test_pinned_images import render_environment

    for env in environments():
        docs = render_environment(env)
        postgres = by_kind(docs, "StatefulSet")
        job = named(docs, "Job", "finance-tracker-migrations")
        assert [_wave(d) for d in postgres] == [0], env
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "Sync"
        assert _wave(job) == 1
        for kind in ("Deployment", "CronJob"):
            for doc in by_kind(docs, kind):
                if "redis" in doc["metadata"]["name"]:
                    assert _wave(doc) == 0, doc["metadata"]["name"]
                else:
                    assert _wave(doc) == 2, doc["metadata"]["name"]


def test_the_application_health_check_lets_waves_wait_for_child_applications() -> None:
    """Run the Lua of argocd-cm-patch.yaml on Applications in each state (lupa embeds Lua)."""
    lupa = module("lupa")
    patch = load(CM_PATCH)
    assert patch["metadata"] == {
        **patch["metadata"],
        "name": "argocd-cm",
        "namespace": "argocd",
    }
    script = patch["data"]["resource.customizations.health.argoproj.io_Application"]
    lua = lupa.LuaRuntime(unpack_returned_tuples=True)
    check = lua.eval(f"function(obj) {script} end")

    def health(obj: dict[str, Any]) -> tuple[str, str]:
        result = check(lua.table_from(obj, recursive=True))
        return result["status"], result["message"]

    assert health({}) == ("Progressing", "")
    assert health({"status": {"sync": {"status": "Synced"}}}) == ("Progressing", "")
    assert health({"status": {"health": {"status": "Healthy"}}}) == ("Healthy", "")
    degraded = {"status": {"health": {"status": "Degraded", "message": "web: CrashLoopBackOff"}}}
    assert health(degraded) == ("Degraded", "web: CrashLoopBackOff")


def test_the_kind_bring_up_installs_the_health_check() -> None:
    text = CLUSTER_UP.read_text()
    assert "deploy/argocd/argocd-cm-patch.yaml" in text
    assert re.search(r"patch configmap argocd-cm --type merge\s*\\?\s*--patch-file", text)


# ---- the repository URL and revision: one place ------------------------------------------------


def test_the_root_application_names_the_repository_and_hands_it_down() -> None:
    root = root_application()
    source = root["spec"]["source"]
    assert source["repoURL"].startswith("https://") and source["targetRevision"]
    assert source["path"] == str(ARGOCD.relative_to(ROOT))
    parameters = {p["name"]: p["value"] for p in source["helm"]["parameters"]}
    assert parameters == dict(zip(("repoURL", "targetRevision"), BUILD_VARIABLES, strict=True))
    values = argocd_values()
    assert values["repoURL"] == "" and values["targetRevision"] == ""
    for application in applications()[1:]:
        for source_ in _sources(application):
            if "chart" not in source_:
                assert source_["repoURL"] == root["spec"]["source"]["repoURL"]
                assert source_["targetRevision"] == root["spec"]["source"]["targetRevision"]


def test_no_other_file_hard_codes_the_repository_url() -> None:
    url = root_application()["spec"]["source"]["repoURL"]
    bare = re.escape(url.removesuffix(".git"))
    pattern = re.compile(rf"{bare}(\.git)?(?![\w.-])")
    allowed = {
        ARGOCD / "root-application.yaml",
        # Chart metadata (home page and sources), never read by a sync.
        CHART / "Chart.yaml",
    }
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("deploy", ".github", "scripts")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and path not in allowed
        and path.suffix not in {".png", ".json"}
        and pattern.search(path.read_text(errors="replace"))
    ]
    offenders += [name for name in ("Makefile", "compose.yaml") if pattern.search(
        (ROOT / name).read_text()
    )]  # fmt: skip
    assert offenders == []


def test_rendering_without_the_root_refuses_with_the_reason() -> None:
    helm = module("helm_python")
    for values, reason in [
        ({}, "repoURL is empty"),
        ({"repoURL": "$ARGOCD_APP_SOURCE_REPO_URL", "targetRevision": "main"}, "only Argo CD"),
    ]:
        with pytest.raises(Exception, match=re.escape(reason)):
            render_argocd(values)
    assert helm  # the failures above came from the templates, not from a missing SDK


def test_the_readme_of_deploy_argocd_says_how_to_bootstrap() -> None:
    text = (ARGOCD / "README.md").read_text()
    for needle in ("root-application.yaml", "argocd-cm-patch.yaml", "kubectl apply", "repoURL"):
        assert needle in text, needle
