"""/metrics in multiprocess mode reads every process's file, also while a process is creating
its own: prometheus_client makes the file empty and sizes it a moment later, and a scrape in
that moment failed with a traceback (the worker's log, CI once)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRAPE = textwrap.dedent(
    """
    from prometheus_client import generate_latest
    from finance_tracker.ops import metrics

    metrics.JOBS.labels("recurring", "succeeded").inc()
    open(sys.argv[1] + "/counter_4242.db", "wb").close()  # a process creating its file
    text = generate_latest(metrics.registry_for_scrape()).decode()
    line = 'finance_tracker_jobs_total{job_type="recurring",outcome="succeeded"} 1.0'
    assert line in text, text[:2000]
    print("scraped")
    """
)


def test_a_scrape_while_a_process_creates_its_file_reads_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "multiproc"
    folder.mkdir()
    # A process of its own: multiprocess mode is chosen when prometheus_client is imported.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import sys\n" + SCRAPE, str(folder)],
        env={"PROMETHEUS_MULTIPROC_DIR": str(folder), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "scraped"
