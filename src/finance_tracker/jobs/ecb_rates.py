"""Fetch the ECB's reference rates for the people who asked for them, with the scheduled jobs.

Only where the server fetches them (ECB_RATES_FETCH=true; off by default: the app needs no
network, and a person can always upload the file). The file is the ECB's history
(ECB_RATES_URL), read whole and checked like an upload (all of it or nothing); each person gets
the days after the last ECB rate they already have, so a new person gets all of it and everyone
else a day or two. The ECB publishes once a working day: between two publications the server
answers 304 Not Modified to the validators of the file read last, and nothing is read. Several
processes fetching at once (the web process and the worker) write the same rows: harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from finance_tracker import __version__
from finance_tracker.domain.text import message_of
from finance_tracker.importers import ecb_rates
from finance_tracker.ops import metrics
from finance_tracker.services import rates
from finance_tracker.store.database import Database

log = logging.getLogger(__name__)
JOB_TYPE = "ecb-rates"
TIMEOUT_SECONDS = 30

# ECB_RATES_URL -> the validators (ETag, Last-Modified) of the file this process read last.
_validators: dict[str, dict[str, str]] = {}


class FetchError(Exception):
    """The file could not be fetched, or is not ECB reference rates: nothing was written."""


@dataclass(frozen=True)
class FetchReport:
    people: int  # who asked for the rates
    fetched: bool  # a file was read (not: nobody asked, or it had not changed)
    rates_written: int = 0
    last_day: dt.date | None = None


def fetch_ecb_rates(
    database: Database,
    url: str,
    *,
    opener: Callable[..., Any] = urllib.request.urlopen,
) -> FetchReport:
    with metrics.timed_job(JOB_TYPE) as run:
        try:
            report = _fetch(database, url, opener)
        except FetchError:
            run.outcome = "failed"
            raise
        run.outcome = "succeeded"
    log.info(
        "ecb rates fetch",
        extra={
            "people": report.people,
            "file_read": report.fetched,
            "rates_written": report.rates_written,
            "last_day": report.last_day.isoformat() if report.last_day else None,
        },
    )
    return report


def _fetch(database: Database, url: str, opener: Callable[..., Any]) -> FetchReport:
    with database.session(readonly=True) as session:
        people = rates.people_fetching_ecb(session)
    if not people:
        return FetchReport(0, False)
    headers = {"User-Agent": f"finance-tracker/{__version__}"}
    if all(day is not None for day in people.values()):
        # Everyone has a file's worth already: only a newer file is worth reading. Someone
        # new needs the whole file, changed or not.
        headers.update(_validators.get(url, {}))
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - ECB_RATES_URL: http(s) only
        with opener(request, timeout=TIMEOUT_SECONDS) as got:
            data = got.read(ecb_rates.MAX_BYTES + 1)
            validators = {
                sent: got.headers[received]
                for sent, received in (("If-None-Match", "ETag"),
                                       ("If-Modified-Since", "Last-Modified"))
                if got.headers.get(received)
            }  # fmt: skip
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return FetchReport(len(people), False)
        raise FetchError(f"{url} answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(f"{url} could not be fetched: {error}") from None
    if len(data) > ecb_rates.MAX_BYTES:
        raise FetchError(f"{url} is larger than {ecb_rates.MAX_BYTES} bytes")
    try:
        parsed = ecb_rates.parse(data)
    except ecb_rates.RatesFileError as error:
        raise FetchError(f"{url}: {message_of(error)}") from None
    written = 0
    for user_id, since in sorted(people.items()):
        new = [rate for rate in parsed.rates if since is None or rate.day > since]
        if new:
            with database.session() as session:
                rates.add_fetched_ecb(session, user_id, new)
            written += len(new)
    _validators[url] = validators
    return FetchReport(len(people), True, written, parsed.last_day)
