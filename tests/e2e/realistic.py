"""A person whose data is the kind that breaks layouts: long account, payee, category and tag
names, a bank's unbroken reference as a payee, amounts in the millions, many tags on one
transaction, several currencies (USD with cents-sized amounts, JPY without minor units), and
something on every page: budgets over and under, recurring transactions, rules, API tokens,
imports at each stage, a receipt. Written through the services, in-process, in a second.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from finance_tracker.catalogs import translations
from finance_tracker.domain.categories import DEFAULT_CATEGORIES, full_name
from finance_tracker.services import (
    accounts,
    budgets,
    categories,
    imports,
    rates,
    receipts,
    recurring,
    rules,
    tags,
    tokens,
    transactions,
    users,
)
from finance_tracker.services.accounts import AccountInput
from finance_tracker.services.budgets import BudgetInput
from finance_tracker.services.rates import RateInput
from finance_tracker.services.recurring import RecurringInput
from finance_tracker.services.rules import RuleInput
from finance_tracker.services.transactions import SplitInput, TransactionInput
from finance_tracker.store.models import Tag

EMAIL = "margarethe.longname-example@example.com"
# The same person in German (de_DE): German pages, 1.234,56 and 31.12.2026, default categories
# named in German, long words everywhere (test_every_page_fits.py looks at both).
EMAIL_DE = "margarethe.langname-beispiel@example.com"
PASSWORD = "a long enough password"

MAIN = "Main checking"
JOINT = "Gemeinschaftstagesgeldkonto – Sparkasse Rhein-Neckar-Nord"
CARD = "Visa Platinum Rewards credit card (ending 4242)"
BROKERAGE = "Long-term index portfolio at Interactive Investor"
TRAVEL = "US travel dollars"
YEN = "Tokyo coin purse"
ARCHIVED = "Old student account at Volksbank Mittelhessen, closed 2025"

LONG_PAYEE = "Municipal Water, Wastewater and Waste Collection Services of Greater Springfield"
# Banks write payees like this: one word, nowhere to break it.
BANK_REFERENCE = "SEPA-LASTSCHRIFT/STADTWERKE-MUENCHEN-GMBH/KUNDENNR-0012345678/MANDAT-DE98ZZZ09999"
MANY_TAGS = ["vacation", "reimbursable", "tax-deductible", "shared-with-partner",
             "business-trip-to-the-annual-conference", "warranty-until-2029", "gift", "family"]  # fmt: skip

# Her names when she keeps her books in German (a person's data is in her own words).
GERMAN_NAMES = {
    MAIN: "Girokonto bei der Sparkasse",
    CARD: "Visa Platinum Kreditkarte (endet auf 4242)",
    BROKERAGE: "Langfristiges Indexdepot bei der Comdirect",
    TRAVEL: "Reisekasse US-Dollar",
    YEN: "Münzgeldbörse Tokio",
    ARCHIVED: "Altes Studentenkonto bei der Volksbank Mittelhessen, 2025 geschlossen",
    "Home improvement and renovation projects": "Renovierung und Modernisierung im Eigenheim",
    "Flooring, tiling and bathroom refurbishment": "Böden, Fliesen und Badsanierung",
    "Salary, including the quarterly performance bonus": "Gehalt mit der Quartalsprämie",
    "Deposit for the whole ground floor, see the receipt": "Anzahlung fürs Erdgeschoss, siehe Beleg",
    "Weekly shop": "Wocheneinkauf",
    "food for the week": "Essen für die Woche",
    "tile adhesive and grout": "Fliesenkleber und Fugenmörtel",
    "Monthly saving towards the house deposit": "Monatliche Sparrate fürs Eigenkapital",
}
GERMAN_TAGS = ["urlaub", "erstattungsfähig", "steuerlich-absetzbar", "geteilt-mit-partnerin",
               "dienstreise-zur-jahreskonferenz", "garantie-bis-2029", "geschenk", "familie"]  # fmt: skip

# A German bank's statement with long payees, for the imports at each stage. (In UTF-8: the
# same rows in cp1252 are read as cp775, a guess for the import preview's rewrite to improve.)
STATEMENT = (
    "Buchungstag;Empfänger;Verwendungszweck;Betrag\n"
    f"01.11.2026;{LONG_PAYEE};Abschlag November Kundennummer 0012345678;-1.234.567,89\n"
    f"03.11.2026;{BANK_REFERENCE};{BANK_REFERENCE};-84,20\n"
    "07.11.2026;Bäckerei Müller;Kartenzahlung;-4,50\n"
    "25.11.2026;ACME Intercontinental Holdings GmbH & Co. KGaA;Gehalt November;3.850,00\n"
).encode()

# The smallest PNG a receipt check accepts (the content is checked, not the name).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class World:
    """The ids of one of everything, by the name a route gives its argument."""

    ids: dict[str, int] = field(default_factory=dict)
    # An import is shown by a different page at each stage: the batch for each.
    batches: dict[str, int] = field(default_factory=dict)
    split_id: int = 0
    parent_id: int = 0  # a category with a subcategory, spent on


def _default_categories(session, uid: int, language: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The ids of the default categories by their English full names, in any language."""
    names = translations(language)
    ids = {c.full_name: c.id for c in categories.list_all(session, uid)}
    found = {}
    for parent, children in DEFAULT_CATEGORIES.items():
        shown = names.pgettext("default category", parent)
        found[parent] = ids[shown]
        for child in children:
            found[full_name(parent, child)] = ids[
                full_name(shown, names.pgettext("default category", child))
            ]
    return found


def seed(app, today: dt.date | None = None, locale: str = "en_US") -> World:  # type: ignore[no-untyped-def]
    today = today or dt.date.today()
    state = app.extensions["finance_tracker"]
    root = state.settings.uploads
    world = World()
    with state.database.session() as session:
        email = EMAIL if locale == "en_US" else EMAIL_DE
        user = users.register(session, email, PASSWORD, "EUR", locale)
        uid = user.id

        german = locale.startswith("de")
        tag_names = GERMAN_TAGS if german else MANY_TAGS

        def say(text: str) -> str:
            return GERMAN_NAMES.get(text, text) if german else text

        def account(name: str, kind: str, currency: str, opening: str, **extra: bool) -> int:
            name = say(name)
            return accounts.create(session, uid, AccountInput(name, kind, currency, opening, **extra)).id  # fmt: skip

        main = account(MAIN, "checking", "EUR", "2450.00")
        joint = account(JOINT, "savings", "EUR", "48210.77")
        card = account(CARD, "credit_card", "EUR", "-1834.56")
        brokerage = account(BROKERAGE, "investment", "EUR", "1234567.89")
        travel = account(TRAVEL, "cash", "USD", "0")
        yen = account(YEN, "cash", "JPY", "0")
        account(ARCHIVED, "checking", "EUR", "0", archived=True)
        # Rates from before the first transaction on, so that everything adds up in euros.
        for days_ago, usd, jpy in (
            (400, "1.0821", "161.42"), (180, "1.0934", "163.05"), (30, "1.0512", "158.77"),
        ):  # fmt: skip
            for quote, value in (("USD", usd), ("JPY", jpy)):
                day = today - dt.timedelta(days=days_ago)
                rates.add(session, uid, RateInput("EUR", quote, day, value))

        by_name = _default_categories(session, uid, users.language_for(user))
        renovation = categories.create(
            session, uid, say("Home improvement and renovation projects")
        )
        flooring = categories.create(
            session, uid, say("Flooring, tiling and bathroom refurbishment"), renovation.id
        )
        for name in tag_names:
            if not session.scalar(select(Tag).where(Tag.user_id == uid, Tag.name == name)):
                tags.create(session, uid, name)

        def add(kind: str, account_id: int, days_ago: int, amount: str, payee: str,
                category: str | int | None = None, **extra: object) -> int:  # fmt: skip
            category_id = by_name[category] if isinstance(category, str) else category
            return transactions.create(session, uid, TransactionInput(
                kind=kind, account_id=account_id, date=today - dt.timedelta(days=days_ago),
                amount=amount, payee=payee, category_id=category_id, **extra,  # type: ignore[arg-type]
            )).id  # fmt: skip

        for month in range(12):
            back = 30 * month
            add("income", main, back + 2, "4850.00", "ACME Intercontinental Holdings GmbH & Co. KGaA",
                "Income › Salary", memo=say("Salary, including the quarterly performance bonus"))  # fmt: skip
            add("expense", main, back + 3, "1480.00", "Hausverwaltung Schmidt & Partner", "Housing › Rent")  # fmt: skip
            add("expense", card, back + 5, "312.45", LONG_PAYEE, "Housing › Utilities")
            add("expense", main, back + 6, "84.20", BANK_REFERENCE, "Food › Groceries")
            add("transfer", main, back + 7, "500.00", say("Monthly saving towards the house deposit"),
                to_account_id=joint)  # fmt: skip
            add("income", travel, back + 4, "1.50", "Refund of a vending machine", "Income › Refunds")  # fmt: skip
            add("expense", travel, back + 8, "0.10", "Parking meter, downtown Portland", "Transport › Car")  # fmt: skip
            add("expense", yen, back + 9, "2", "Coin locker, Shinjuku station", "Leisure › Travel")
        add("income", brokerage, 20, "1234567.89", "Sale of the family house in Heidelberg",
            "Income › Other income", memo="Notary: Dr. Anna-Lena Oberhausen-Brückner")  # fmt: skip
        add("expense", card, 1, "1234567.89", "Renovierungsbetrieb Schneider-Wittgenstein GmbH",
            flooring.id, tags=tag_names, memo=say("Deposit for the whole ground floor, see the receipt"))  # fmt: skip
        split = add("expense", main, 0, "186.35", "HyperStore Megamarkt Rhein-Neckar", None,
                    memo=say("Weekly shop"), splits=[
                        SplitInput("120.10", by_name["Food › Groceries"], say("food for the week")),
                        SplitInput("66.25", flooring.id, say("tile adhesive and grout"))])  # fmt: skip
        receipt_for = add("expense", main, 0, "1234.56", "Elektro-Großhandel Mannheim",
                          "Shopping › Electronics", tags=tag_names[:4])  # fmt: skip
        receipt = receipts.attach(session, uid, receipt_for, root, io.BytesIO(PNG),
                                  "Rechnung_Elektro-Grosshandel_Mannheim_2026-11-30_Nr-0012345678.png",
                                  1 << 20)  # fmt: skip

        month = today.replace(day=1)
        for category, amount, currency in [
            ("Food", "250.00", "EUR"), ("Housing", "1500.00", "EUR"),
            (renovation.id, "1234567.89", "EUR"), ("Shopping", "1000.00", "EUR"),
            ("Transport", "1.00", "USD"),
        ]:  # fmt: skip
            budgets.set_budget(session, uid, BudgetInput(
                by_name[category] if isinstance(category, str) else category, month, amount, currency,
                rollover=currency == "EUR"))  # fmt: skip

        schedule = recurring.create(session, uid, RecurringInput(
            name="Rent for the flat on Friedrich-Ebert-Anlage", kind="expense", account_id=main,
            amount="1480.00", frequency="monthly", start_date=today.replace(day=1),
            day_of_month=1, payee="Hausverwaltung Schmidt & Partner",
            category_id=by_name["Housing › Rent"], tags=tag_names[:3]))  # fmt: skip
        recurring.create(session, uid, RecurringInput(
            name="Yearly contribution to the long-term index portfolio", kind="transfer",
            account_id=joint, amount="12345.67", frequency="yearly",
            start_date=today + dt.timedelta(days=10), to_account_id=brokerage))  # fmt: skip
        rule = rules.create(session, uid, RuleInput(
            name="Municipal utilities, any spelling", pattern=r"(?i)stadtwerke|municipal\s+water",
            match_type="regex", match_field="any", amount_min="10.00", amount_max="1234567.89",
            account_id=card, set_category_id=by_name["Housing › Utilities"],
            set_tags=tag_names[:5], set_payee=LONG_PAYEE))  # fmt: skip
        rules.create(session, uid, RuleInput(
            name="Bakery", pattern="bäckerei", set_category_id=by_name["Food › Groceries"]))  # fmt: skip

        tokens.create(session, uid, "Spreadsheet sync on the family NAS (nightly, read and write)")
        tokens.create(session, uid, "Read-only dashboard", scope="read", expires_in_days=365)
        revoked, _ = tokens.create(session, uid, "Old laptop")
        tokens.revoke(session, uid, revoked.id)

        def upload(name: str, statement: bytes = STATEMENT) -> int:
            stored, size = imports.save_upload(root, "imports", io.BytesIO(statement), 1 << 20)
            return imports.start(session, uid, main, root, stored, size, name).id

        def confirm_columns(batch_id: int) -> None:
            guessed = imports.csv_view(session, uid, batch_id, root).settings.to_dict()
            columns = {"date": 0, "payee": 1, "memo": 2, "amount": 3}
            imports.set_csv_settings(session, uid, batch_id, guessed | columns)

        world.batches["mapping"] = upload("Umsaetze_Girokonto_November_2026_Kontoauszug_Nr_11.csv")
        world.batches["preview"] = upload("Umsaetze_Girokonto_November_2026.csv")
        confirm_columns(world.batches["preview"])
        # October's statement, imported: November's preview still has new rows to show.
        done = upload("Umsaetze_Oktober.csv", STATEMENT.replace(b".11.2026", b".10.2026"))
        confirm_columns(done)
        imports.commit(session, imports.get(session, uid, done), root, lambda _: None)
        world.batches["done"] = done

        tag_id = session.scalar(select(Tag.id).where(Tag.user_id == uid, Tag.name == tag_names[4]))
        world.ids = {
            "account_id": card, "transaction_id": receipt_for, "category_id": flooring.id,
            "tag_id": tag_id or 0, "recurring_id": schedule.id, "rule_id": rule.id,
            "receipt_id": receipt.id, "main": main,
        }  # fmt: skip
        world.split_id, world.parent_id = split, renovation.id
    return world
