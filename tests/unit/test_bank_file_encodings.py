"""A bank file that is not UTF-8 is read in the encoding its bytes were written in; on a short
file where several code pages fit, Windows-1252 (what Western banks and Quicken write) wins."""

import pytest

from finance_tracker.importers.text import detect_encoding


@pytest.mark.parametrize(
    ("text", "written_in"),
    [
        ("Buchungstag;Empfänger;Betrag\n01.10.2026;Bäckerei Müller;-4,50\n", "cp1252"),
        ("Date;Libellé;Montant\n01/10/2026;Crêperie à la gare;-4,50\n", "cp1252"),
        ("Дата;Получатель;Сумма\n01.10.2026;Магазин Пятёрочка;-450,00\n", "cp1251"),
        ("Datum;Empfänger\n01.10.2026;Café Zürich\n", "utf-8"),
    ],
)
def test_a_short_statement_reads_as_written(tmp_path, text, written_in):
    path = tmp_path / "statement.csv"
    path.write_bytes(text.encode(written_in))
    assert path.read_text(encoding=detect_encoding(path)) == text
