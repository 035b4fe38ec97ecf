"""The traffic sender end to end against a running app (gunicorn, production settings: Secure
session cookie, CSRF on every form), its /metrics and /rate endpoints, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from finance_tracker.loadgen.sender import Sender, SenderConfig, percentile
from finance_tracker.store import migrate
from tests.resilience.harness import App, free_port, wait_for


@pytest.fixture(scope="module")
def running_app(postgresql_database: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    migrate.upgrade(postgresql_database)
    logs = tmp_path_factory.mktemp("traffic")
    app = App(
        free_port(),
        {"DATABASE_URL": postgresql_database, "DATA_DIR": str(logs), "WEB_WORKERS": "1"},
        logs / "web.log",
    )
    app.wait_ready()
    yield app
    app.stop()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
        return response.read()


def test_every_action_of_the_mix_succeeds_through_forms_csrf_and_sessions(running_app) -> None:  # type: ignore[no-untyped-def]
    config = SenderConfig(
        target=running_app.url, rate=12, duration=6, users=2, concurrency=4, keep_results=True,
        seed=8,
    )  # fmt: skip
    sender = Sender(config)
    port = sender.serve_metrics("127.0.0.1", 0)
    try:
        summary = sender.run()
        exposition = _get(f"http://127.0.0.1:{port}/metrics").decode()
    finally:
        sender.close()
    print("\n" + summary.text())  # noqa: T201
    actions = {r.action for _, r in sender.results}
    assert summary.failed == 0, summary.failed_actions
    for needed in (
        "register", "create_token", "api_create_account", "api_add_transaction", "dashboard",
        "reports",
    ):  # fmt: skip
        assert needed in actions, f"{needed} never ran: {sorted(actions)}"
    assert summary.written_ids, "API writes were acknowledged"
    assert 0 < summary.p50 <= summary.p95 <= summary.p99
    assert "traffic_sender_tps " in exposition
    assert 'traffic_sender_requests_total{outcome="ok"}' in exposition
    assert "traffic_sender_request_duration_seconds_bucket" in exposition
    assert "http_requests_total" not in exposition, "only the sender's own metrics"


def test_web_forms_imports_and_relogin_work(running_app) -> None:  # type: ignore[no-untyped-def]
    mix = {"web_add_transaction": 1, "import_file": 1, "relogin": 1, "browse": 1}
    config = SenderConfig(
        target=running_app.url, rate=10, count=24, users=2, concurrency=2, mix=mix,
        keep_results=True, seed=3,
    )  # fmt: skip
    sender = Sender(config)
    summary = sender.run()
    statuses = {(r.action, r.status) for _, r in sender.results}
    actions = {action for action, _ in statuses}
    assert summary.failed == 0, summary.failed_actions
    for needed in ("web_add_transaction", "import_upload", "logout", "login"):
        assert needed in actions, f"{needed} never ran: {sorted(actions)}"
    # The form posts redirect to a page (followed): a 200 at the end, never a 400 (CSRF).
    assert ("web_add_transaction", 200) in statuses
    assert ("import_upload", 200) in statuses


def test_rate_changes_at_run_time_through_the_metrics_port(running_app) -> None:  # type: ignore[no-untyped-def]
    sender = Sender(SenderConfig(target=running_app.url, rate=2, duration=0, users=1))
    port = sender.serve_metrics("127.0.0.1", 0)
    runner = threading.Thread(target=sender.run, daemon=True)
    runner.start()
    try:
        request = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}/rate?value=7.5", method="PUT"
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            assert json.loads(response.read()) == {"rate": 7.5}
        assert sender.rate == 7.5
        assert json.loads(_get(f"http://127.0.0.1:{port}/rate")) == {"rate": 7.5}
        bad = urllib.request.Request(f"http://127.0.0.1:{port}/rate?value=-1", method="POST")  # noqa: S310
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=5)  # noqa: S310
        assert refused.value.code == 400
    finally:
        sender.stop()
        runner.join(timeout=30)
        sender.close()


def test_cli_is_bounded_and_prints_the_summary(running_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    command = [
        str(Path(sys.executable).parent / "finance-tracker"), "traffic",
        "--target", running_app.url, "--duration", "3", "--metrics-port", "0",
        "--users", "1", "--json-summary",
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=60,
        env={"TRAFFIC_RATE": "4", "PATH": "/usr/bin:/bin", "LOG_LEVEL": "INFO"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 30
    *logged, last = [json.loads(line) for line in done.stdout.strip().splitlines()]
    summary = last
    assert summary["sent"] > 0 and summary["failed"] == 0, summary
    assert {"p50", "p95", "p99", "achieved_rate", "errors"} <= set(summary)
    assert any("4 actions/s" in line["message"] and line["rate"] == 4 for line in logged), logged
    assert done.stderr == ""


def test_percentiles() -> None:
    values = [float(i) for i in range(1, 101)]
    assert percentile(values, 0.5) == 51.0 or percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) == 0.0


def test_wait_for_gives_up() -> None:
    with pytest.raises(TimeoutError):
        wait_for(lambda: False, 0.2)


def test_through_the_service_with_trusted_hosts_it_presents_the_ingress_host(
    postgresql_database: str, tmp_path: Path
) -> None:
    """As in the chart: TRUSTED_HOSTS set, the sender reaches the Service by an address the app
    does not answer to, and sends the ingress host as Host (`--host-header`)."""
    migrate.upgrade(postgresql_database)
    app = App(
        free_port(),
        {
            "DATABASE_URL": postgresql_database, "DATA_DIR": str(tmp_path), "WEB_WORKERS": "1",
            "TRUSTED_HOSTS": "finance.example.com,localhost",
        },
        tmp_path / "web.log",
    )  # fmt: skip
    try:
        app.wait_ready()  # probes are exempt from the host check
        without = Sender(SenderConfig(target=app.url, rate=5, count=3, users=1)).run()
        config = SenderConfig(
            target=app.url, rate=8, duration=4, users=1, host_header="finance.example.com"
        )
        with_host = Sender(config).run()
    finally:
        app.stop()
    assert without.errors.get("400", 0) > 0 and without.ok == 0
    # The summary names the step that failed: here the very first, the sign-up form.
    assert without.failed_actions.get("register_form 400", 0) > 0, without.failed_actions
    assert "\nfailed actions: " in without.text() and "register_form 400: " in without.text()
    assert with_host.failed == 0 and with_host.sent > 5, with_host.failed_actions
