"""The European Central Bank's euro reference rates, as the files it publishes.

Two shapes, both one row per day and one column per currency, every rate "1 EUR = x":
- the daily `eurofxref.csv`: `Date, USD, JPY, …` then `04 December 2026, 1.0543, 158.12, …`;
- the historical `eurofxref-hist.csv`: `Date,USD,JPY,…` then `2026-12-04,1.0543,158.12,…`, with
  `N/A` where a currency had no rate that day (before it joined, after it left).
Either may come zipped (`eurofxref.zip`, `eurofxref-hist.zip`), as the ECB serves them. Both
end every line with a comma. A file that is not one of these is refused with the line and the
column of what is wrong; nothing is half-read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from finance_tracker.domain.money import MoneyError, known_currencies
from finance_tracker.domain.rates import ECB, Rate, parse_rate
from finance_tracker.domain.text import Text, message_of

MAX_BYTES = 8 * 1024 * 1024  # the whole history since 1999 is about 1.5 MB unzipped
NOT_AVAILABLE = {"", "N/A", "NA", "-"}


class RatesFileError(ValueError):
    """The file cannot be read as ECB reference rates; the message says where and why."""


@dataclass
class ParsedRates:
    rates: list[Rate] = field(default_factory=list)
    days: int = 0
    # Columns of currencies this app does not know (the ECB kept some that left the euro area
    # long ago): named, not imported.
    unknown_currencies: list[str] = field(default_factory=list)

    @property
    def first_day(self) -> dt.date | None:
        return min((r.day for r in self.rates), default=None)

    @property
    def last_day(self) -> dt.date | None:
        return max((r.day for r in self.rates), default=None)


def _unzipped(data: bytes) -> bytes:
    if not data.startswith(b"PK"):
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(names) != 1:
                raise RatesFileError(Text("the zip file should hold one CSV file of rates"))
            if archive.getinfo(names[0]).file_size > MAX_BYTES:
                raise RatesFileError(Text("the rates file is too large"))
            return archive.read(names[0])
    except (zipfile.BadZipFile, EOFError):
        raise RatesFileError(Text("the zip file is damaged or cut short")) from None


def _day(text: str) -> dt.date | None:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse(data: bytes) -> ParsedRates:
    data = _unzipped(data)
    if len(data) > MAX_BYTES:
        raise RatesFileError(Text("the rates file is too large"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RatesFileError(
            Text("this is not an ECB reference rates file: it is not text")
        ) from None
    lines = list(csv.reader(io.StringIO(text)))
    while lines and not any(cell.strip() for cell in lines[0]):
        lines.pop(0)
    if not lines or lines[0][0].strip().lower() != "date":
        raise RatesFileError(
            Text(
                "this is not an ECB reference rates file: its first line should be "
                "'Date, USD, JPY, …'"
            )
        )
    header = [cell.strip().upper() for cell in lines[0]]
    known = known_currencies()
    columns = {index: code for index, code in enumerate(header) if index and code}
    parsed = ParsedRates(
        unknown_currencies=sorted(c for c in columns.values() if c not in known or c == "EUR")
    )
    if not any(code in known and code != "EUR" for code in columns.values()):
        raise RatesFileError(
            Text("this is not an ECB reference rates file: its first line names no currency")
        )
    seen: set[dt.date] = set()
    for number, row in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        day = _day(row[0])
        if day is None:
            raise RatesFileError(
                Text(
                    "line %(line)s: %(value)r is not a date like 2026-12-04 or 04 December 2026",
                    line=number,
                    value=row[0].strip(),
                )
            )
        if day in seen:
            raise RatesFileError(
                Text("line %(line)s: %(day)s appears twice", line=number, day=day.isoformat())
            )
        seen.add(day)
        for index, cell in enumerate(row[1:], start=1):
            code = columns.get(index)
            value = cell.strip()
            if value.upper() in NOT_AVAILABLE:
                continue
            if code is None:
                raise RatesFileError(
                    Text(
                        "line %(line)s: a rate in column %(column)s, which has no currency",
                        line=number,
                        column=index + 1,
                    )
                )
            if code not in known or code == "EUR":
                continue
            try:
                rate = parse_rate(value)
            except MoneyError as error:
                raise RatesFileError(
                    Text(
                        "line %(line)s, %(currency)s: %(message)s",
                        line=number,
                        currency=code,
                        message=message_of(error),
                    )
                ) from None
            parsed.rates.append(Rate("EUR", code, day, rate, ECB))
    if not parsed.rates:
        raise RatesFileError(Text("the rates file holds no rates"))
    parsed.days = len(seen)
    return parsed
