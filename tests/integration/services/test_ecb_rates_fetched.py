"""On a server that fetches the ECB's reference rates (ECB_RATES_FETCH), the people who asked for
them get the days they lack with each scheduled run: all of the file the first time, the new
days after, nothing while the file has not changed; a file that is not rates, or no answer,
writes nothing. The ECB is played by a server on 127.0.0.1 that serves the test file."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from finance_tracker.jobs import ecb_rates as job
from finance_tracker.services import rates, users
from finance_tracker.store.models import ExchangeRate

FILE = (Path(__file__).parents[2] / "rates" / "eurofxref-hist.csv").read_bytes()
NEWER_DAY = b"2026-12-07," + b",".join([b"1.0600"] + [b"N/A"] * 40) + b",\n"


class FakeEcb:
    """Serves `body` with an ETag, and 304 to a request that sends that ETag back."""

    def __init__(self) -> None:
        self.body = FILE
        self.requests: list[dict[str, str]] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                fake.requests.append(dict(self.headers))
                tag = '"' + hashlib.sha256(fake.body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", tag)
                self.send_header("Content-Length", str(len(fake.body)))
                self.end_headers()
                self.wfile.write(fake.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/eurofxref-hist.csv"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ecb() -> Iterator[FakeEcb]:
    job._validators.clear()  # what an earlier test's fetch left in this process
    fake = FakeEcb()
    yield fake
    fake.close()


def _ask(db, user_id: int, fetch: bool = True) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        user = users.get(session, user_id)
        rates.set_fetch_ecb(session, user, fetch)


def _ecb_rates(db, user_id: int) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(
            select(func.count()).where(
                ExchangeRate.user_id == user_id, ExchangeRate.source == "ecb"
            )
        )


def test_nobody_asked_nothing_is_fetched(db, person, ecb) -> None:  # type: ignore[no-untyped-def]
    report = job.fetch_ecb_rates(db, ecb.url)
    assert (report.people, report.fetched, ecb.requests) == (0, False, [])


def test_who_asked_gets_the_file_then_only_new_days(db, person, stranger, ecb) -> None:  # type: ignore[no-untyped-def]
    _ask(db, person.id)
    first = job.fetch_ecb_rates(db, ecb.url)
    whole_file = _ecb_rates(db, person.id)
    assert first.fetched and first.rates_written == whole_file > 100
    assert first.last_day == dt.date(2026, 12, 4)
    assert _ecb_rates(db, stranger.id) == 0  # did not ask
    assert "If-None-Match" not in ecb.requests[0]

    again = job.fetch_ecb_rates(db, ecb.url)  # the same file: 304, nothing read
    assert (again.fetched, again.rates_written) == (False, 0)
    assert ecb.requests[-1]["If-None-Match"]

    ecb.body = FILE.replace(b",\n", b",\n" + NEWER_DAY, 1)  # a newer day, first as the ECB has it
    newer = job.fetch_ecb_rates(db, ecb.url)
    assert (newer.fetched, newer.rates_written, newer.last_day) == (True, 1, dt.date(2026, 12, 7))
    assert _ecb_rates(db, person.id) == whole_file + 1
    with db.session() as session:
        book, _foreign = rates.book_for(session, person.id, "USD", dt.date(2026, 12, 7),
                                        dt.date(2026, 12, 7))  # fmt: skip
        assert str(book.find("EUR", "USD", dt.date(2026, 12, 7)).factor) == "1.0600"  # type: ignore[union-attr]


def test_someone_new_gets_the_whole_file_though_it_has_not_changed(
    db, person, stranger, ecb
) -> None:  # type: ignore[no-untyped-def]
    _ask(db, person.id)
    job.fetch_ecb_rates(db, ecb.url)
    _ask(db, stranger.id)
    report = job.fetch_ecb_rates(db, ecb.url)
    assert "If-None-Match" not in ecb.requests[-1]  # asked for the file itself
    assert _ecb_rates(db, stranger.id) == _ecb_rates(db, person.id) == report.rates_written


def test_a_file_that_is_not_rates_or_no_answer_writes_nothing(db, person, ecb) -> None:  # type: ignore[no-untyped-def]
    _ask(db, person.id)
    ecb.body = b"<html><body>Service unavailable</body></html>"
    with pytest.raises(job.FetchError, match="not an ECB reference rates file"):
        job.fetch_ecb_rates(db, ecb.url)
    ecb.close()
    with pytest.raises(job.FetchError, match="could not be fetched"):
        job.fetch_ecb_rates(db, ecb.url)
    assert _ecb_rates(db, person.id) == 0


def test_the_embedded_schedule_says_a_failed_fetch_without_a_traceback(  # type: ignore[no-untyped-def]
    db, person, settings_for, database_url, caplog, monkeypatch
) -> None:
    from finance_tracker.jobs import embedded

    _ask(db, person.id)
    settings = settings_for(database_url, ecb_rates_fetch=True,
                            ecb_rates_url="http://127.0.0.1:1/eurofxref-hist.zip")  # fmt: skip
    swept = threading.Event()  # the sweep runs after the fetch: the run is over
    monkeypatch.setattr(embedded, "clean_uploads", lambda *args, **kwargs: swept.set())
    stop = embedded.start(db, interval=3600, settings=settings)
    try:
        assert swept.wait(10)
    finally:
        stop.set()
    said = [r for r in caplog.records if "ECB rates not fetched" in r.getMessage()]
    assert said and all(r.levelname == "WARNING" and not r.exc_info for r in said)


def test_the_command_fetches_once_and_fails_plainly(db, person, ecb, database_url) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from finance_tracker.cli import main

    _ask(db, person.id)
    env = {"DATABASE_URL": database_url, "ECB_RATES_URL": ecb.url}
    done = CliRunner().invoke(main, ["jobs", "fetch-ecb-rates"], env=env)
    assert done.exit_code == 0, done.output
    assert _ecb_rates(db, person.id) > 100
    env["ECB_RATES_URL"] = "http://127.0.0.1:1/eurofxref-hist.zip"
    failed = CliRunner().invoke(main, ["jobs", "fetch-ecb-rates"], env=env)
    assert failed.exit_code == 1
    assert "Traceback" not in failed.output
