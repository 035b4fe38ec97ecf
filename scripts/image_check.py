#!/usr/bin/env python3
"""The Python half of scripts/image-check.sh (`make image-check`).

    python scripts/image_check.py db-create|db-drop ADMIN_URL NAME   # a role and a database
    python scripts/image_check.py db-count ADMIN_URL NAME TABLE
    python scripts/image_check.py redis-flush REDIS_URL
    python scripts/image_check.py snippet session|security     # code run inside a container
    python scripts/image_check.py slow-request URL SECONDS     # a POST whose body trickles in
    python scripts/image_check.py pods --image IMAGE --database NAME --host-ip IP --redis-url URL \
        --workdir DIR

The database's password comes from the environment (IMAGE_CHECK_DB_PASSWORD), never argv.

`pods` renders the Helm chart (helm-python-sdk, the `deploy` extra, as tests/deploy does) with its
bundled PostgreSQL's settings (so DATABASE_URL is composed by $(VAR) expansion, as in the
default install) pointed at this machine's PostgreSQL, and an external Redis (this machine's; both
reached through slirp4netns), and runs the migrations Job,
the web and the worker Deployments with `podman kube play`. Podman 4.3 cannot take some of what
Kubernetes does; each such field is worked around on a COPY of the rendered YAML (the chart stays
as Kubernetes needs it) or, where nothing can stand in, only reported. Everything it does is
printed; it exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "deploy" / "helm" / "finance-tracker"
RELEASE = "finance-tracker"
NAMESPACE = "finance-tracker"
PREFIX = "ft-image-check"

Doc = dict[str, Any]

# ---- code run inside the image (python -, on stdin) ---------------------------------------------

# A sign-up through the form (CSRF token, REGISTRATION=open), an API token from the Settings page,
# an account and a transaction through the JSON API, and one through the web form: the traffic
# sender's own client (standard library only, part of the image).
SESSION = r"""
import json, sys
from finance_tracker.loadgen.client import User
results = []
user = User("http://127.0.0.1:5000", results.append)
ready = user.setup()
api = user.api_add_transaction() if ready else None
web = user.web_add_transaction() if ready else None
print(json.dumps({
    "signed_up": user.registered, "api_token": bool(user.api_token),
    "account_id": user.account_id,
    "api_transaction": api.status if api else None,
    "web_transaction": web.status if web else None,
    "requests": [f"{r.action} {r.status}" for r in results],
}))
ok = ready and api.status == 201 and web.status < 400  # the form redirects, then 200
sys.exit(0 if ok else 1)
"""

# What the kernel says about the container's main process, and whether the root filesystem and
# the mounted paths given as arguments are writable.
SECURITY = r"""
import json, os, sys
status = dict(
    line.split(":", 1) for line in open("/proc/1/status").read().splitlines() if ":" in line
)
def writable(path):
    probe = os.path.join(path, ".image-check-write-probe")
    try:
        with open(probe, "w") as f:
            f.write("x")
        os.remove(probe)
        return True
    except OSError:
        return False
print(json.dumps({
    "uid": status["Uid"].split()[0], "gid": status["Gid"].split()[0],
    "groups": status["Groups"].split(),
    "cap_eff": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
    "seccomp": status["Seccomp"].strip(),
    "root_writable": writable("/"),
    "writable": {p: writable(p) for p in sys.argv[1:]},
}))
"""

SNIPPETS = {"session": SESSION, "security": SECURITY}


def security_problems(facts: dict[str, Any], uid: str = "10001") -> list[str]:
    """What is wrong in SECURITY's answer for a container run as the chart runs it."""
    problems = []
    if facts["uid"] != uid or facts["gid"] != uid:
        problems.append(f"runs as {facts['uid']}:{facts['gid']}, not {uid}:{uid}")
    if int(facts["cap_eff"], 16) != 0:
        problems.append(f"effective capabilities {facts['cap_eff']}, not none")
    if facts["no_new_privs"] != "1":
        problems.append("no_new_privs is off")
    if facts["seccomp"] != "2":
        problems.append(f"seccomp mode {facts['seccomp']}, not 2 (filter)")
    if facts["root_writable"]:
        problems.append("the root filesystem is writable")
    problems += [f"{path} is not writable" for path, ok in facts["writable"].items() if not ok]
    return problems


# ---- PostgreSQL and Redis of the host -----------------------------------------------------------


def _admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url + "/postgres", autocommit=True)


def db_create(url: str, name: str, password: str) -> None:
    """A login role and a database it owns, both called `name`: the app is no superuser."""
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP ROLE IF EXISTS "{name}"')
        conn.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')


def db_drop(url: str, name: str) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP ROLE IF EXISTS "{name}"')


def db_count(url: str, name: str, table: str) -> int:
    import psycopg

    with psycopg.connect(f"{url}/{name}") as conn:
        row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608
    return int(row[0]) if row else 0


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# ---- a request in flight at SIGTERM --------------------------------------------------------------


def slow_request(url: str, seconds: float) -> int:
    """POST a form whose body trickles in over `seconds` (the app reads it, so the request is in
    flight all that time); print the status line and the time the answer came (epoch seconds)."""
    parts = urlsplit(url)
    body = b"email=slow%40example.com&password=x&csrf_token=none"
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=seconds + 60) as conn:
        conn.sendall(head.encode())
        for i in range(len(body)):
            conn.sendall(body[i : i + 1])
            time.sleep(seconds / len(body))
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    print(f"{status or 'no answer'} at {time.time():.3f}")
    return 0 if status.startswith("HTTP/1.1 ") else 1


# ---- podman -------------------------------------------------------------------------------------

PODMAN = shutil.which("podman") or "podman"


def podman(*args: str, check: bool = True, stdin: str | None = None, timeout: int = 120) -> str:
    result = subprocess.run(  # noqa: S603 - our own podman, our own arguments
        [PODMAN, *args], input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def podman_rc(*args: str, stdin: str | None = None, timeout: int = 60) -> tuple[int, str]:
    result = subprocess.run(  # noqa: S603
        [PODMAN, *args], input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
    return result.returncode, (result.stdout + result.stderr).strip()


# ---- the chart, rendered and made playable ------------------------------------------------------


def render(image: str, database: str, password: str, port: int, redis_url: str) -> list[Doc]:
    import helm_python
    import yaml

    repository, tag = image.rsplit(":", 1)
    values = {
        "image": {"repository": repository, "tag": tag},
        # The bundled PostgreSQL's settings; its StatefulSet is not played, the host's server
        # stands in (hostAliases on the copy give its Service name the host's address).
        "postgresql": {
            "auth": {"username": database, "database": database, "password": password},
            "service": {"port": port},
        },
        "redis": {"enabled": False},
        "externalRedis": {"url": redis_url},
        "config": {"registration": "open"},
        "secret": {"secretKey": secrets.token_hex(32)},
    }
    chart = helm_python.Chart.load(str(CHART))
    try:
        rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    finally:
        chart.close()
    return [
        doc
        for template, text in sorted(dict(rendered).items())
        if template.endswith(".yaml")
        for doc in yaml.safe_load_all(text)
        if doc
    ]


class Playable:
    """The rendered objects podman plays, each pod spec changed only where podman 4.3 needs it,
    with a note for every change and for every field it ignores."""

    def __init__(self, docs: list[Doc], host_ip: str) -> None:
        self.host_ip = host_ip
        self.notes: dict[str, list[str]] = {}  # field -> what podman does instead
        self.configmaps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
        self.secrets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
        # Podman secrets and volumes are machine-wide: the copy names its own after the check.
        self.claims = []
        for doc in docs:
            if doc["kind"] == "PersistentVolumeClaim":
                claim = copy.deepcopy(doc)
                claim["metadata"]["name"] = f"{PREFIX}-{doc['metadata']['name']}"
                self.claims.append(claim)
        self.pods: dict[str, Doc] = {}  # component -> Pod or Deployment, transformed
        self.originals: dict[str, Doc] = {}  # component -> its rendered pod spec
        played = {"ConfigMap", "Secret", "PersistentVolumeClaim"}
        skipped: dict[str, list[str]] = {}
        for doc in docs:
            component = doc["metadata"].get("labels", {}).get("app.kubernetes.io/component")
            if doc["kind"] == "Job" and component == "migrations":
                self._add("migrations", doc)
            elif doc["kind"] == "Deployment" and component in ("web", "worker"):
                self._add(component, doc)
            elif doc["kind"] not in played:
                skipped.setdefault(doc["kind"], []).append(doc["metadata"]["name"])
        for kind, names in skipped.items():
            self.note(f"kind {kind}", f"not played ({', '.join(names)}): no podman counterpart")

    def note(self, field: str, what: str) -> None:
        self.notes.setdefault(field, [])
        if what not in self.notes[field]:
            self.notes[field].append(what)

    def _add(self, component: str, doc: Doc) -> None:
        doc = copy.deepcopy(doc)
        spec = doc["spec"]["template"]["spec"]
        self.originals[component] = copy.deepcopy(spec)
        name = f"{PREFIX}-{component}"
        if doc["kind"] == "Job":
            self.note(
                "kind Job",
                "podman 4.3 has no Job: its pod template is played as a Pod (restartPolicy"
                " Never); backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished and"
                " the hook annotations are not honoured",
            )
            doc = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "labels": doc["spec"]["template"]["metadata"]["labels"]},
                "spec": spec,
            }
        else:
            doc["metadata"]["name"] = name
            for field in ("strategy", "revisionHistoryLimit"):
                if field in doc["spec"]:
                    self.note(f"Deployment.spec.{field}", "ignored: podman runs one pod, once")
            if doc["spec"].get("replicas", 1) > 1:
                self.note("Deployment.spec.replicas", "podman 4.3 starts one replica")
        self._pod_fields(spec)
        self._services(spec)
        self._volumes(component, spec)
        for container in spec["containers"]:
            self._env(container)
            self._probes(container)
            self._container_fields(container)
        self.pods[component] = doc

    def _pod_fields(self, spec: Doc) -> None:
        ignored = {
            "serviceAccountName": "no service accounts in podman",
            "automountServiceAccountToken": "nothing to mount: no API server",
            "enableServiceLinks": "no Services, so no service environment variables anyway",
            "topologySpreadConstraints": "one machine, no scheduler",
            "affinity": "one machine, no scheduler",
            "nodeSelector": "one machine, no scheduler",
            "tolerations": "one machine, no scheduler",
            "priorityClassName": "no scheduler",
            "imagePullSecrets": "the image is local",
        }
        for field, why in ignored.items():
            if field in spec:
                self.note(f"spec.{field}", f"ignored: {why}")
        context = spec.get("securityContext", {})
        if "fsGroup" in context:
            self.note(
                "securityContext.fsGroup, fsGroupChangePolicy",
                "not applied by podman 4.3 kube play: it chowns the volumes it creates to the"
                " container's user instead (writable, as the check proves by writing to every"
                " mount, but not group-owned the way fsGroup makes them)",
            )

    def _services(self, spec: Doc) -> None:
        # No cluster DNS: the Service names the app is given resolve to the host's servers.
        names = sorted(
            {f"{RELEASE}-postgresql"}
            | {
                value.split("@", 1)[1].split(":", 1)[0]
                for container in spec["containers"]
                for value in (e.get("value", "") for e in container.get("env", []))
                if value.startswith("postgresql://") and "@" in value
            }
        )
        spec["hostAliases"] = [{"ip": self.host_ip, "hostnames": names}]
        self.note(
            "Service names",
            f"no cluster DNS in podman: hostAliases on the copy send {', '.join(names)} to"
            f" this machine ({self.host_ip}), whose PostgreSQL stands in for the StatefulSet",
        )

    def _volumes(self, component: str, spec: Doc) -> None:
        renames = {}
        for volume in spec.get("volumes", []):
            claim = volume.get("persistentVolumeClaim")
            if claim:
                claim["claimName"] = f"{PREFIX}-{claim['claimName']}"
            empty_dir = volume.get("emptyDir")
            if empty_dir is None:
                continue
            if "sizeLimit" in empty_dir:
                self.note("emptyDir.sizeLimit", "ignored: a podman volume has no size limit")
            if empty_dir.get("medium") == "Memory":
                self.note("emptyDir.medium: Memory", "ignored: a podman volume on disk, no tmpfs")
            # Podman 4.3 makes an emptyDir a named volume called after the volume: the web and
            # worker pods would share their `tmp` and `data`. Named per pod on the copy.
            renames[volume["name"]] = f"{PREFIX}-{component}-{volume['name']}"
            volume["name"] = renames[volume["name"]]
        if renames:
            self.note(
                "emptyDir",
                "podman 4.3 makes it a named volume called after the volume (`tmp`), shared"
                " by every pod using that name: renamed per pod on the copy",
            )
        for container in spec["containers"]:
            for mount in container.get("volumeMounts", []):
                mount["name"] = renames.get(mount["name"], mount["name"])

    def _env(self, container: Doc) -> None:
        known: dict[str, str] = {}
        for source in container.get("envFrom", []):
            ref = source.get("configMapRef", {}).get("name")
            if ref in self.configmaps:
                known.update(self.configmaps[ref].get("data", {}))
        for entry in container.get("env", []):
            ref = entry.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                data = self.secrets.get(ref["name"], {}).get("data", {})
                if ref["key"] in data:
                    known[entry["name"]] = base64.b64decode(data[ref["key"]]).decode()
                ref["name"] = f"{PREFIX}-{ref['name']}"
                self.note(
                    "env[].valueFrom.secretKeyRef",
                    "podman 4.3 reads it from a podman secret holding the JSON of the Secret's"
                    " `data`; `kind: Secret` in the played YAML becomes a secret it then cannot"
                    " parse (`not valid JSON`): the check creates the podman secret itself",
                )
                continue
            value = entry.get("value")
            if value is None:
                continue
            if "$(" in value:
                expanded = value
                for name, known_value in known.items():
                    expanded = expanded.replace(f"$({name})", known_value)
                entry["value"] = expanded
                self.note(
                    "env[].value $(VAR)",
                    "not expanded by podman 4.3: expanded on the copy as Kubernetes would",
                )
            known[entry["name"]] = entry["value"]

    def _probes(self, container: Doc) -> None:
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", []) if "name" in p}
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container.get(kind)
            if not probe:
                continue
            if kind != "livenessProbe":
                self.note(
                    kind,
                    "not run by podman 4.3 (it keeps the livenessProbe only, as its healthcheck):"
                    " the check runs the probe's command itself with podman exec",
                )
            if "httpGet" in probe:
                probe["exec"] = {"command": http_probe_command(probe.pop("httpGet"), ports)}
                self.note(
                    "httpGet probe",
                    "podman 4.3 turns it into `curl -f http://localhost:<port>/…` (a named port"
                    " gives 0) and the image has no curl: the same GET in Python on the copy",
                )
            if kind == "livenessProbe" and "exec" in probe:
                # Podman joins the words with spaces, splits them at spaces and hands them to
                # `sh -c`: shell-quoted words come through whole.
                probe["exec"]["command"] = [shlex.quote(w) for w in probe["exec"]["command"]]
                self.note(
                    "exec probe",
                    "podman 4.3 splits a multi-word argument at its spaces (`python -c import"
                    " os, …`, then run by sh): each word shell-quoted on the copy",
                )

    def _container_fields(self, container: Doc) -> None:
        if "lifecycle" in container:
            self.note("lifecycle.preStop", "ignored by podman 4.3: no hooks (SIGTERM at once)")
        resources = container.get("resources", {})
        if resources.get("requests"):
            self.note("resources.requests", "ignored: no scheduler")

    def probe_commands(self, component: str) -> dict[str, list[str]]:
        """Each probe's command as the kubelet would run it (httpGet as the Python GET)."""
        container = self.originals[component]["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", []) if "name" in p}
        commands = {}
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container.get(kind)
            if probe and "exec" in probe:
                commands[kind] = list(probe["exec"]["command"])
            elif probe and "httpGet" in probe:
                commands[kind] = http_probe_command(probe["httpGet"], ports)
        return commands

    def write(self, component: str, path: Path) -> Path:
        import yaml

        docs = [*self.configmaps.values(), self.pods[component]]
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
        return path


def http_probe_command(get: Doc, ports: dict[str, int]) -> list[str]:
    port = get["port"] if isinstance(get["port"], int) else ports[get["port"]]
    headers = {h["name"]: h["value"] for h in get.get("httpHeaders", [])}
    code = (
        "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request("
        f"'http://127.0.0.1:{port}{get.get('path', '/')}', headers={headers!r}), timeout=4)"
    )
    return ["python", "-c", code]


# ---- playing the pods ---------------------------------------------------------------------------


class Pods:
    def __init__(self, playable: Playable, workdir: Path, network: str) -> None:
        self.playable = playable
        self.workdir = workdir
        self.network = network
        self.failures: list[str] = []
        self.files: list[Path] = []
        self.created_secrets: list[str] = []
        self.created_volumes: list[str] = []

    def ok(self, text: str) -> None:
        print(f"  ok    {text}", flush=True)

    def fail(self, text: str) -> None:
        print(f"  FAIL  {text}", flush=True)
        self.failures.append(text)

    def check(self, condition: bool, text: str, detail: str = "") -> bool:
        if condition:
            self.ok(text)
        else:
            self.fail(f"{text}{': ' + detail if detail else ''}")
        return condition

    def setup(self) -> None:
        for original, secret in self.playable.secrets.items():
            name = f"{PREFIX}-{original}"
            podman("secret", "rm", name, check=False)
            podman("secret", "create", name, "-", stdin=json.dumps(secret.get("data", {})))
            self.created_secrets.append(name)
        for claim in self.playable.claims:
            name = claim["metadata"]["name"]
            podman("volume", "rm", "-f", name, check=False)
            path = self.workdir / f"claim-{name}.yaml"
            import yaml

            path.write_text(yaml.safe_dump(claim))
            podman("kube", "play", str(path))
            self.created_volumes.append(name)
            self.playable.note(
                "PersistentVolumeClaim",
                "a local podman volume (accessModes, size and storageClass ignored); left"
                " behind by `kube down`, removed by the check",
            )

    def play(self, component: str) -> str:
        path = self.playable.write(component, self.workdir / f"{component}.yaml")
        self.files.append(path)
        podman("kube", "play", "--replace", "--network", self.network, str(path))
        return f"{PREFIX}-{component}"

    def container(self, component: str) -> str:
        pod = f"{PREFIX}-{component}"
        kind = self.playable.pods[component]["kind"]
        pod_name = pod if kind == "Pod" else f"{pod}-pod-0"
        return f"{pod_name}-{component}"

    def inspect(self, name: str) -> Doc:
        return json.loads(podman("container", "inspect", name))[0]

    def logs_clean(self, name: str) -> None:
        logs = podman("logs", name, check=False)
        bad = [line for line in logs.splitlines() if _level(line) in ("ERROR", "CRITICAL")]
        self.check(not bad, f"{name}: no ERROR or CRITICAL log line", " | ".join(bad[:3])[:600])

    def security(self, component: str, name: str) -> None:
        spec = self.playable.originals[component]
        mounts = [m["mountPath"] for m in spec["containers"][0].get("volumeMounts", [])]
        rc, out = podman_rc("exec", "-i", name, "python", "-", *mounts, stdin=SECURITY)
        if not self.check(rc == 0, f"{name}: security facts read", out[-300:]):
            return
        facts = json.loads(out.splitlines()[-1])
        problems = security_problems(facts)
        self.check(
            not problems,
            f"{name}: uid 10001, no capabilities, no_new_privs, seccomp, read-only root,"
            f" writable {', '.join(mounts)}",
            "; ".join(problems),
        )
        info = self.inspect(name)
        want = spec.get("terminationGracePeriodSeconds")
        got = info["Config"].get("StopTimeout")
        if want is not None and got != want:
            self.playable.note(
                "terminationGracePeriodSeconds",
                f"not honoured by podman 4.3 ({name}: stop timeout {got} s, not {want} s):"
                " the check stops with -t <the grace period>",
            )
        limits = spec["containers"][0].get("resources", {}).get("limits", {})
        if "memory" in limits and not info["HostConfig"].get("Memory"):
            self.playable.note("resources.limits.memory", "not applied by podman here")
        if "cpu" in limits and not (
            info["HostConfig"].get("CpuQuota") or info["HostConfig"].get("NanoCpus")
        ):
            self.playable.note("resources.limits.cpu", "not applied by podman here")

    def probes(self, component: str, name: str, deadline: float) -> float | None:
        """Run every probe's command until each passes (or the deadline); the seconds to pass
        the readiness probe, or None."""
        commands = self.playable.probe_commands(component)
        started = time.monotonic()
        ready_after = None
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            if kind not in commands:
                continue
            rc, out = 1, ""
            while time.monotonic() < deadline:
                rc, out = podman_rc("exec", name, *commands[kind], timeout=30)
                if rc == 0:
                    break
                time.sleep(0.2)
            if self.check(rc == 0, f"{name}: {kind} command passes", out[-300:]) and (
                kind == "readinessProbe"
            ):
                ready_after = time.monotonic() - started
        rc, out = podman_rc("healthcheck", "run", name, timeout=60)
        self.check(rc == 0, f"{name}: podman healthcheck run (the livenessProbe)", out[-300:])
        return ready_after

    def stop(self, component: str, name: str) -> None:
        grace = self.playable.originals[component].get("terminationGracePeriodSeconds", 30)
        began = time.monotonic()
        podman("stop", "-t", str(grace), name, timeout=grace + 30)
        took = time.monotonic() - began
        code = self.inspect(name)["State"]["ExitCode"]
        self.check(code == 0, f"{name}: SIGTERM -> exit {code} in {took:.1f} s")

    def cleanup(self) -> None:
        for path in self.files:
            podman("kube", "down", str(path), check=False)
        for name in self.created_volumes:
            podman("volume", "rm", "-f", name, check=False)
        for name in self.created_secrets:
            podman("secret", "rm", name, check=False)


def _level(line: str) -> str:
    try:
        record = json.loads(line)
    except ValueError:
        return ""
    return str(record.get("level", "")).upper() if isinstance(record, dict) else ""


def run_pods(args: argparse.Namespace) -> int:
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print("  rendering the chart (bundled PostgreSQL's settings, external Redis: this machine's)")
    password = os.environ["IMAGE_CHECK_DB_PASSWORD"]
    docs = render(args.image, args.database, password, args.database_port, args.redis_url)
    playable = Playable(docs, args.host_ip)
    pods = Pods(playable, workdir, args.network)
    ready_after = None
    try:
        pods.setup()
        # The migrations Job first, as the Argo CD hook runs it; then the app.
        pods.play("migrations")
        name = pods.container("migrations")
        podman("wait", name, timeout=180)
        code = pods.inspect(name)["State"]["ExitCode"]
        pods.check(code == 0, f"{name}: `db upgrade` exit {code}", podman("logs", name)[-600:])
        pods.logs_clean(name)
        for component in ("web", "worker"):
            began = time.monotonic()
            pods.play(component)
            name = pods.container(component)
            seconds = pods.probes(component, name, deadline=began + 60)
            if component == "web" and seconds is not None:
                ready_after = time.monotonic() - began
            pods.security(component, name)
        for component in ("web", "worker"):
            name = pods.container(component)
            pods.stop(component, name)
            pods.logs_clean(name)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        pods.fail(str(error)[:1000])
    finally:
        if not args.keep:
            pods.cleanup()
    if ready_after is not None:
        print(f"  web pod: kube play -> readinessProbe passing in {ready_after:.2f} s")
    print("\n  What podman 4.3 cannot honour of the rendered pod specs (worked around on a copy,")
    print("  or only reported):")
    for field, whats in playable.notes.items():
        for what in whats:
            print(f"    - {field}: {what}")
    if args.ready_file and ready_after is not None:
        Path(args.ready_file).write_text(f"{ready_after:.2f}\n")
    return 1 if pods.failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("db-create", "db-drop"):  # password of db-create: IMAGE_CHECK_DB_PASSWORD
        p = sub.add_parser(name)
        p.add_argument("admin_url")
        p.add_argument("name")
    p = sub.add_parser("db-count")
    p.add_argument("admin_url")
    p.add_argument("name")
    p.add_argument("table")
    p = sub.add_parser("redis-flush")
    p.add_argument("url")
    p = sub.add_parser("snippet")
    p.add_argument("name", choices=sorted(SNIPPETS))
    p = sub.add_parser("security-problems")
    p = sub.add_parser("slow-request")
    p.add_argument("url")
    p.add_argument("seconds", type=float)
    p = sub.add_parser("pods")
    p.add_argument("--image", required=True)
    p.add_argument("--database", required=True, help="role and database name")
    p.add_argument("--database-port", type=int, default=5432)
    p.add_argument("--host-ip", required=True, help="this machine, as a container reaches it")
    p.add_argument("--redis-url", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--network", default="slirp4netns:allow_host_loopback=true")
    p.add_argument("--ready-file", default="")
    p.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.command == "db-create":
        db_create(args.admin_url, args.name, os.environ["IMAGE_CHECK_DB_PASSWORD"])
    elif args.command == "db-drop":
        db_drop(args.admin_url, args.name)
    elif args.command == "db-count":
        print(db_count(args.admin_url, args.name, args.table))
    elif args.command == "redis-flush":
        redis_flush(args.url)
    elif args.command == "snippet":
        sys.stdout.write(SNIPPETS[args.name])
    elif args.command == "security-problems":
        problems = security_problems(json.loads(sys.stdin.read().splitlines()[-1]))
        print("; ".join(problems))
        return 1 if problems else 0
    elif args.command == "slow-request":
        return slow_request(args.url, args.seconds)
    elif args.command == "pods":
        return run_pods(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
