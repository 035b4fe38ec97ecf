"""NetworkPolicies, evaluated as Kubernetes would: a connection is allowed only when the source
pod's egress and the destination pod's ingress both allow it (or the pod is selected by no policy
of that direction). Default deny, then only what must talk."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import pytest

from tests.deploy.conftest import Doc, by_kind, chart_docs, matches, overlay_docs, pod_labels

APP_NAMESPACE = "finance-tracker"


@dataclass(frozen=True)
class Pod:
    labels: dict[str, str]
    namespace: str = APP_NAMESPACE
    ip: str = "10.244.0.10"
    namespace_labels: dict[str, str] = field(default_factory=dict)

    def ns_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace, **self.namespace_labels}


def _peer_admits(peer: Doc, other: Pod) -> bool:
    if "ipBlock" in peer:
        network = ipaddress.ip_network(peer["ipBlock"]["cidr"])
        excepted = [ipaddress.ip_network(c) for c in peer["ipBlock"].get("except", [])]
        address = ipaddress.ip_address(other.ip)
        return address in network and not any(address in e for e in excepted)
    if "namespaceSelector" in peer:
        if not matches(peer["namespaceSelector"], other.ns_labels()):
            return False
    elif other.namespace != APP_NAMESPACE:
        return False  # a bare podSelector means pods of the policy's own namespace
    return matches(peer.get("podSelector", {}), other.labels)


def _rule_admits(rule: Doc, peers_key: str, other: Pod, port: int, protocol: str) -> bool:
    ports = rule.get("ports")
    if ports and not any(
        p.get("protocol", "TCP") == protocol and p.get("port") in (None, port) for p in ports
    ):
        return False
    peers = rule.get(peers_key)
    return not peers or any(_peer_admits(peer, other) for peer in peers)


def _direction_allows(
    policies: list[Doc], pod: Pod, direction: str, other: Pod, port: int, protocol: str
) -> bool:
    selecting = [
        p for p in policies
        if pod.namespace == APP_NAMESPACE and direction in p["spec"].get("policyTypes", [])
        and matches(p["spec"]["podSelector"], pod.labels)
    ]  # fmt: skip
    if not selecting:
        return True  # not isolated in that direction
    key, peers = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    return any(
        _rule_admits(rule, peers, other, port, protocol)
        for policy in selecting
        for rule in policy["spec"].get(key, [])
    )


def allowed(
    policies: list[Doc], source: Pod, target: Pod, port: int, protocol: str = "TCP"
) -> bool:
    return _direction_allows(policies, source, "Egress", target, port, protocol) and (
        _direction_allows(policies, target, "Ingress", source, port, protocol)
    )


def _pods(docs: list[Doc]) -> dict[str, Pod]:
    """One Pod per component of the release, from the rendered pod templates."""
    pods = {}
    for index, doc in enumerate(d for d in docs if d["kind"] in {
        "Deployment", "StatefulSet", "Job", "CronJob"}):  # fmt: skip
        labels = pod_labels(doc)
        pods[labels["app.kubernetes.io/component"]] = Pod(labels, ip=f"10.244.0.{index + 10}")
    return pods


INGRESS_NGINX = Pod(
    {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"},
    namespace="ingress-nginx", ip="10.244.1.5",
)  # fmt: skip
PROMETHEUS = Pod({"app.kubernetes.io/name": "prometheus"}, namespace="monitoring", ip="10.244.2.5")
COREDNS = Pod({"k8s-app": "kube-dns"}, namespace="kube-system", ip="10.244.3.5")
STRANGER = Pod({"app": "curious"}, namespace="other-team", ip="10.244.4.5")
NEIGHBOUR = Pod({"app": "neighbour"}, ip="10.244.0.200")  # same namespace, not of the release
INTERNET = Pod({}, namespace="-", ip="93.184.216.34")


@pytest.fixture(params=["chart:default", "chart:traffic-on", "kustomize:kind"])
def setup(request: pytest.FixtureRequest) -> tuple[list[Doc], dict[str, Pod]]:
    kind, name = request.param.split(":")
    docs = chart_docs(name) if kind == "chart" else overlay_docs(name)
    return by_kind(docs, "NetworkPolicy"), _pods(docs)


def test_web_reaches_postgresql_and_redis(setup: tuple[list[Doc], dict[str, Pod]]) -> None:
    policies, pods = setup
    assert allowed(policies, pods["web"], pods["postgresql"], 5432)
    assert allowed(policies, pods["web"], pods["redis"], 6379)
    assert allowed(policies, pods["worker"], pods["postgresql"], 5432)
    assert allowed(policies, pods["worker"], pods["redis"], 6379)
    assert allowed(policies, pods["migrations"], pods["postgresql"], 5432)
    assert allowed(policies, pods["recurring"], pods["postgresql"], 5432)


def test_nothing_else_gets_into_postgresql_or_redis(
    setup: tuple[list[Doc], dict[str, Pod]],
) -> None:
    policies, pods = setup
    may_use_db = {"web", "worker", "migrations", "recurring"}
    for name, pod in pods.items():
        if name not in may_use_db | {"postgresql"}:
            assert not allowed(policies, pod, pods["postgresql"], 5432), name
        if name not in {"web", "worker", "redis"}:
            assert not allowed(policies, pod, pods["redis"], 6379), name
    for outsider in (STRANGER, NEIGHBOUR, INGRESS_NGINX, PROMETHEUS):
        assert not allowed(policies, outsider, pods["postgresql"], 5432)
        assert not allowed(policies, outsider, pods["redis"], 6379)
    # Not on another port either.
    assert not allowed(policies, pods["web"], pods["postgresql"], 22)


def test_web_is_reached_only_by_the_ingress_controller_prometheus_and_the_sender(
    setup: tuple[list[Doc], dict[str, Pod]],
) -> None:
    policies, pods = setup
    assert allowed(policies, INGRESS_NGINX, pods["web"], 5000)
    assert allowed(policies, PROMETHEUS, pods["web"], 5000)
    for outsider in (STRANGER, NEIGHBOUR, INTERNET):
        assert not allowed(policies, outsider, pods["web"], 5000)
    assert not allowed(policies, pods["worker"], pods["web"], 5000)
    if "traffic" in pods:
        assert allowed(policies, pods["traffic"], pods["web"], 5000)
        assert allowed(policies, PROMETHEUS, pods["traffic"], 9100)
        assert not allowed(policies, pods["traffic"], INTERNET, 443)


def test_every_pod_resolves_names_and_nothing_leaves_for_the_internet(
    setup: tuple[list[Doc], dict[str, Pod]],
) -> None:
    policies, pods = setup
    for name, pod in pods.items():
        assert allowed(policies, pod, COREDNS, 53, "UDP"), name
        assert allowed(policies, pod, COREDNS, 53, "TCP"), name
        assert not allowed(policies, pod, INTERNET, 443), name
        assert not allowed(policies, pod, STRANGER, 8080), name


def test_every_pod_of_the_release_is_under_the_default_deny() -> None:
    docs = chart_docs("traffic-on")
    deny = next(p for p in by_kind(docs, "NetworkPolicy") if p["metadata"]["name"].endswith("deny"))
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny["spec"] and "egress" not in deny["spec"]
    for pod in _pods(docs).values():
        assert matches(deny["spec"]["podSelector"], pod.labels)
    assert not matches(deny["spec"]["podSelector"], NEIGHBOUR.labels), "only the release's pods"


def test_an_external_database_is_reached_only_at_its_cidr_and_port() -> None:
    docs = chart_docs("external-db")
    policies, pods = by_kind(docs, "NetworkPolicy"), _pods(docs)
    database = Pod({}, namespace="-", ip="10.20.5.5")
    cache = Pod({}, namespace="-", ip="10.30.5.5")
    assert allowed(policies, pods["web"], database, 5432)
    assert allowed(policies, pods["worker"], cache, 6380)
    assert not allowed(policies, pods["web"], database, 6380)
    assert not allowed(policies, pods["web"], INTERNET, 5432)
    assert not allowed(policies, pods["migrations"], cache, 6380)


def test_only_the_worker_reaches_the_mail_server_at_its_cidr_and_port() -> None:
    """The web pods queue mail in Redis; the worker sends it."""
    docs = chart_docs("mail")
    policies, pods = by_kind(docs, "NetworkPolicy"), _pods(docs)
    mail_server = Pod({}, namespace="-", ip="192.0.2.25")
    assert allowed(policies, pods["worker"], mail_server, 465)
    assert not allowed(policies, pods["worker"], mail_server, 443)
    assert not allowed(policies, pods["worker"], INTERNET, 465), "only at mail.cidrs"
    for name in ("web", "migrations", "recurring", "postgresql", "redis"):
        assert not allowed(policies, pods[name], mail_server, 465), name
    # Without mail.host the worker has no way out to any mail port.
    default = chart_docs("default")
    default_policies, default_pods = by_kind(default, "NetworkPolicy"), _pods(default)
    for port in (25, 465, 587):
        assert not allowed(default_policies, default_pods["worker"], mail_server, port)


def test_without_a_worker_the_web_pods_reach_the_mail_server_and_no_redis() -> None:
    """No worker, no Redis: the web pods run the jobs, so they send the mail themselves."""
    docs = chart_docs("no-worker")
    policies, pods = by_kind(docs, "NetworkPolicy"), _pods(docs)
    assert "worker" not in pods and "redis" not in pods
    mail_server = Pod({}, namespace="-", ip="192.0.2.25")
    assert allowed(policies, pods["web"], mail_server, 587)
    assert not allowed(policies, pods["web"], INTERNET, 587), "only at mail.cidrs"
    assert allowed(policies, pods["web"], pods["postgresql"], 5432)
    for port in (6379, 6380):  # no way out to a Redis nobody configured
        assert not allowed(policies, pods["web"], INTERNET, port)
    for name in ("migrations", "recurring", "postgresql"):
        assert not allowed(policies, pods[name], mail_server, 587), name


def test_the_ecb_s_rates_are_fetched_by_the_worker_or_without_one_by_the_web_pods() -> None:
    """ecbRates.fetch opens HTTPS (HTTP for an http:// url) from whoever runs the schedule."""
    docs = chart_docs("mail")
    policies, pods = by_kind(docs, "NetworkPolicy"), _pods(docs)
    proxy = Pod({}, namespace="-", ip="198.51.100.10")
    assert allowed(policies, pods["worker"], proxy, 443)
    assert not allowed(policies, pods["worker"], INTERNET, 443), "only at ecbRates.cidrs"
    assert not allowed(policies, pods["worker"], proxy, 80)
    for name in ("web", "migrations", "recurring"):
        assert not allowed(policies, pods[name], proxy, 443), name
    no_worker = chart_docs("no-worker")
    policies, pods = by_kind(no_worker, "NetworkPolicy"), _pods(no_worker)
    assert allowed(policies, pods["web"], INTERNET, 80)  # no cidrs: anywhere, on the url's port
    assert not allowed(policies, pods["web"], INTERNET, 443)
    default = chart_docs("default")
    policies, pods = by_kind(default, "NetworkPolicy"), _pods(default)
    for name in ("web", "worker"):
        assert not allowed(policies, pods[name], INTERNET, 443), name
