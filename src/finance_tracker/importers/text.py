"""Reading text whose encoding the bank did not tell us."""

from __future__ import annotations

import codecs
from pathlib import Path

from finance_tracker.domain.text import Text
from finance_tracker.importers import ImportFileError

SAMPLE_BYTES = 256 * 1024


def detect_encoding(path: Path, declared: str | None = None) -> str:
    """`declared` when given and valid; UTF-8 when the whole file decodes; else a best guess."""
    if declared and declared != "auto":
        try:
            return codecs.lookup(declared).name
        except LookupError:
            raise ImportFileError(
                Text("unknown encoding %(declared)r", declared=declared)
            ) from None
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    sample = (
        path.read_bytes()[:SAMPLE_BYTES] if path.stat().st_size < 8 * SAMPLE_BYTES else _head(path)
    )
    return _guess(sample)


def _guess(sample: bytes) -> str:
    """charset_normalizer's guess, but Windows-1252 (what Western banks and Quicken write) wins
    a tie: on a short German or French file it may pick cp1250 or a DOS code page like cp775,
    which reads "Empfänger" as "Empfõnger"."""
    from charset_normalizer import from_bytes  # only for files that are not UTF-8

    best = from_bytes(sample).best()
    if best is None:
        raise ImportFileError(Text("the text encoding of this file could not be recognised"))
    western = from_bytes(sample, cp_isolation=["cp1252"]).best()
    if western is not None and (
        str(western) == str(best) or western.percent_chaos <= best.percent_chaos
    ):
        return "cp1252"
    return best.encoding


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SAMPLE_BYTES)


def decoding_error(
    path: Path, encoding: str, error: UnicodeDecodeError, offset: int
) -> ImportFileError:
    """Name the line of a byte that does not fit the encoding."""
    with path.open("rb") as handle:
        before = handle.read(offset + error.start)
    line = before.count(b"\n") + 1
    return ImportFileError(
        Text(
            "line %(line)s: not valid %(encoding)s text; choose the file's encoding",
            line=line,
            encoding=encoding,
        )
    )
