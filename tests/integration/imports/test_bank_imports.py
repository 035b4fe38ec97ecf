"""A person imports bank files: new rows once, duplicates never, rules applied, all or nothing."""

import datetime as dt

from sqlalchemy import func, select
from tests.integration.bank_files import CSV, OFX1_HEADER, QIF

from finance_tracker.services import accounts, categories, imports, rules
from finance_tracker.services.rules import RuleInput
from finance_tracker.store.models import ImportBatch, MonthTotal, Transaction

NEXT_STATEMENT = b"""Date,Description,Amount
2026-10-25,ACME Corp,3850.00
2026-11-01,Landlord,-1150.00
"""

OFX = (
    OFX1_HEADER
    + b"""<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20261101<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>EUR
<BANKACCTFROM><BANKID>1<ACCTID>2<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20261001<DTEND>20261031
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261003<TRNAMT>-12.50<FITID>A1<NAME>Corner Bakery<MEMO>card</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261003<TRNAMT>-12.50<FITID>A2<NAME>Corner Bakery<MEMO>card</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261025000000[+2:CEST]<TRNAMT>3850.00<FITID>A3<NAME>ACME</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>0<DTASOF>20261031</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""
)

OFX2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><DTSERVER>20261101</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>
<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><CCSTMTRS><CURDEF>EUR</CURDEF>
<CCACCTFROM><ACCTID>4111</ACCTID></CCACCTFROM><BANKTRANLIST><DTSTART>20261001</DTSTART><DTEND>20261031</DTEND>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20261012</DTPOSTED><TRNAMT>-60.00</TRNAMT><FITID>C1</FITID><NAME>Shell</NAME></STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>0</BALAMT><DTASOF>20261031</DTASOF></LEDGERBAL></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>
"""


def count(db, **where):
    with db.session() as s:
        query = select(func.count()).select_from(Transaction)
        for key, value in where.items():
            query = query.where(getattr(Transaction, key) == value)
        return s.scalar(query)


def test_the_same_statement_twice_adds_nothing_and_an_overlap_only_the_new_rows(
    db, person, import_file, commit, upload_root
):
    first = import_file(CSV)
    with db.session() as s:
        preview = imports.preview(s, person.id, first, upload_root)
    assert (preview.total, preview.new, preview.duplicates, preview.invalid) == (4, 4, 0, 0)
    assert commit(first) == "done"
    assert count(db) == 4  # both coffees: two identical rows on one day are two transactions

    again = import_file(CSV)
    with db.session() as s:
        assert imports.preview(s, person.id, again, upload_root).duplicates == 4
    commit(again)
    overlap = import_file(NEXT_STATEMENT)
    commit(overlap)
    assert count(db) == 5
    with db.session() as s:
        batch = s.get(ImportBatch, overlap)
        assert (batch.status, batch.new_rows, batch.duplicate_rows) == ("done", 1, 1)
        assert accounts.balance(s, person.id, person.checking) == 10000 - 115000 * 2 - 900 + 385000
        assert s.scalar(select(func.sum(MonthTotal.total_minor))) == -115000 * 2 - 900 + 385000


def test_rules_apply_in_the_preview_and_on_commit(db, person, import_file, commit, upload_root):
    with db.session() as s:
        coffee = next(c.id for c in categories.list_all(s, person.id) if c.name == "Coffee")
        rules.create(
            s,
            person.id,
            RuleInput("Coffee", "coffee", set_category_id=coffee, set_tags=["caffeine"]),
        )
    batch = import_file(CSV)
    with db.session() as s:
        preview = imports.preview(s, person.id, batch, upload_root)
        assert [r.row.category_id for r in preview.sample if r.row.payee == "Blue Coffee"] == [
            coffee,
            coffee,
        ]
    commit(batch)
    with db.session() as s:
        coffees = s.scalars(select(Transaction).where(Transaction.payee == "Blue Coffee")).all()
        assert [(t.category_id, [g.name for g in t.tags]) for t in coffees] == [
            (coffee, ["caffeine"])
        ] * 2


def test_ofx_uses_the_banks_ids_and_posting_dates(db, person, import_file, commit):
    batch = import_file(OFX, "export.qfx")
    commit(batch)
    commit(import_file(OFX, "again.ofx"))
    with db.session() as s:
        rows = s.execute(
            select(Transaction.date, Transaction.import_key).order_by(Transaction.id)
        ).all()
    assert [r.import_key for r in rows] == ["fitid:A1", "fitid:A2", "fitid:A3"]
    assert rows[2].date == dt.date(2026, 10, 25)  # not the 24th, which is that instant in UTC


def test_ofx2_xml_and_qif_are_imported(db, person, import_file, commit):
    commit(import_file(OFX2, "card.ofx", account=person.savings))
    commit(import_file(QIF, "old-bank.qif"))
    assert count(db, account_id=person.savings) == 1
    assert count(db, account_id=person.checking) == 2


def test_a_csv_with_debit_credit_columns_decimal_comma_and_preamble(
    db, person, import_file, commit
):
    content = "Konto;DE12\n\nDatum;Empfänger;Soll;Haben\n03.10.2026;Bäckerei;12,50;\n25.10.2026;Arbeitgeber;;3.850,00\n"
    commit(import_file(content.encode("cp1252"), "umsaetze.csv"))
    with db.session() as s:
        rows = s.execute(
            select(Transaction.payee, Transaction.amount_minor).order_by(Transaction.date)
        ).all()
    assert rows == [("Bäckerei", -1250), ("Arbeitgeber", 385000)]


def test_the_mapping_is_saved_per_account_and_reused(db, person, import_file, upload_root):
    settings = {
        "delimiter": ",",
        "has_header": True,
        "date_format": "%Y-%m-%d",
        "date": 0,
        "amount": 2,
        "payee": 1,
        "negate": True,
    }
    import_file(CSV, settings=settings)
    second = import_file(CSV)
    with db.session() as s:
        view = imports.csv_view(s, person.id, second, upload_root)
    assert view.settings.negate is True and view.header == ["Date", "Description", "Amount"]
