"""Redis (login sessions, job queue) stops under the realistic mix. By design (ops/sessions.py):
web pages answer 503 "Sign-in is unavailable for a moment", the bearer-token API keeps
working, readiness fails, nothing answers 500; once Redis is back (empty: it kept no data),
users are asked to sign in again and carry on."""

from __future__ import annotations

import time
from pathlib import Path

from finance_tracker.loadgen.sender import SenderConfig
from tests.resilience.conftest import figures
from tests.resilience.harness import App, PrivateRedis, free_port, status_of

OUTAGE = 4.0


def test_redis_outage_is_a_503_page_the_api_keeps_working_and_users_sign_in_again(
    migrated_postgres: str, logs: Path, load, private_redis: PrivateRedis
) -> None:  # type: ignore[no-untyped-def]
    store = private_redis
    env = {"DATABASE_URL": migrated_postgres, "DATA_DIR": str(logs), "REDIS_URL": store.url}
    app = App(free_port(), env, logs / "web.log")
    try:
        app.wait_ready()
        config = SenderConfig(target=app.url, rate=12, users=3, concurrency=6, keep_results=True)
        traffic = load(config).start()
        time.sleep(5)
        stopped = time.monotonic()
        store.stop()
        time.sleep(1)
        readiness_during = status_of(app.url + "/readyz")
        time.sleep(OUTAGE - 1)
        store.start()
        restarted = time.monotonic()
        time.sleep(6)
        summary = traffic.stop()
    finally:
        app.stop()
        store.stop()

    def phase(at: float, seconds: float) -> str:
        if at - seconds >= restarted + 1:
            return "after"
        return "during" if stopped <= at - seconds and at <= restarted else "edge"

    seen: dict[str, dict[str, int]] = {"during": {}, "after": {}, "edge": {}}
    for at, result in traffic.sender.results:
        part = "api" if result.action.startswith("api_") else "web"
        key = f"{part} {result.kind or result.status}"
        bucket = seen[phase(at, result.seconds)]
        bucket[key] = bucket.get(key, 0) + 1
    figures(
        f"Redis stopped for {OUTAGE:g} s under the realistic mix",
        summary,
        during_outage=seen["during"],
        after_recovery=seen["after"],
        readiness_during=readiness_during,
    )
    everything = {k for bucket in seen.values() for k in bucket}
    assert not [k for k in everything if k.endswith((" 500", " timeout", " connection"))]
    assert readiness_during == 503
    assert seen["during"].get("web 503", 0) > 0, "web pages answer 503 while sessions are down"
    assert seen["during"].get("api 201", 0) > 0, "bearer-token API writes keep working"
    assert not [k for k in seen["during"] if k.startswith("api ") and k != "api 201"]
    assert seen["after"].get("web 200", 0) > 0, "users sign in again and carry on"
    assert not [k for k in seen["after"] if k.endswith(" 503")], "recovered without a restart"
