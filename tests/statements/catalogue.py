"""The statement corpus and what each file must import as: the independent oracle for the OFX and
QIF importers.

Every file under tests/statements/ofx and tests/statements/qif was written by hand from the OFX
1.0.2 / 2.1.1 specifications and Quicken's QIF description, and every number below was worked out
by hand from the file (never by running an importer).

Conventions this catalogue follows beyond the field comments:

* Lines are 1-based and counted by LF ("\\n"); a CR before the LF is part of the line. A file with
  no LF at all (ofx/xml_one_line.ofx) is one line, so every record in it is on line 1.
* `Row.amount` is written with exactly the currency's 2 decimals ("100.00" for an OFX `100`,
  "3850.00" for a QIF `3,850.00` or `3.850,00`); compare it as a Decimal.
* `Row.original` is the file's amount as a plain decimal value: sign kept, a leading "+" and
  leading zeros dropped (`+00000000000115.8331` -> "115.8331", `-00000000000000.125` -> "-0.125").
* `Row.payee` and `memo_has` are the values after OFX's character escapes are undone
  (`AT&amp;T` -> "AT&T") and after decoding the file's charset.
* `Row.tags` lists a record's classes in the order they first appear (the L line, then S lines).
* `Split.category` is the S line's category part before any "/Class"; the class goes to the
  row's `tags`.
* QIF `Invalid(field="split")` points at the record's first S line.
* QIF `lists["accounts"]` counts the `!Account` entries of account *lists* (Quicken's
  `!Option:AutoSwitch` block, or any `!Account` block not directly followed by a `!Type:` block of
  records); the single `!Account` entry that heads a statement (next line `!Type:Bank`, `!Type:Invst`,
  ...) is that statement's header, not a list entry. `lists` names only kinds the file has.
* An `!Account` header directly followed by `!Type:Invst` is a statement like any other; its
  records are all skipped as "investment".
"""

from __future__ import annotations

from dataclasses import dataclass, field

# fmt: off
# (the dataclasses as specified, and one record per line in the tables below: easier to check
# against the files than the formatter's one-argument-per-line layout)


@dataclass(frozen=True)
class Split:
    amount: str                     # signed, as the split line says it
    category: str | None = None     # "Food:Groceries" exactly as the file writes it (QIF S line)
    transfer: str | None = None     # "Savings" for S[Savings]
    memo: str = ""


@dataclass(frozen=True)
class Row:
    """One transaction as it imports with the default choices."""
    line: int                       # OFX: the line (1-based) of the record's opening tag (<STMTTRN>, <INCOME>, ...; for INVBANKTRAN the <STMTTRN> inside it); QIF: the record's first line
    date: str                       # ISO date
    amount: str                     # signed decimal in the account currency ("-12.50"); when `original` is set, this is the half-even rounding to 2 decimals
    payee: str
    memo_has: tuple[str, ...] = ()  # raw values the imported memo must contain (check number, SIC, PAYEEID, TRNTYPE other than DEBIT/CREDIT, the file's memo)
    category: str | None = None     # QIF L line's category, as written ("Food:Groceries"), class part removed
    transfer: str | None = None     # QIF L[Name] -> "Name"
    tags: tuple[str, ...] = ()      # QIF classes (the part after "/" in L or S)
    cleared: str = "reconciled"     # "uncleared" | "cleared" | "reconciled" (rules below)
    splits: tuple[Split, ...] = ()
    original: str | None = None     # the file's exact amount text value when it has more decimals than the currency (e.g. "115.8331")
    fitid: str | None = None        # OFX FITID (INVTRAN FITID for investment records)
    mirror_of: int | None = None    # a transfer's other side, written from an earlier statement of the same file (that record's line): counted as a duplicate, never written twice


@dataclass(frozen=True)
class Invalid:
    line: int                       # OFX: line of the record's opening tag; QIF: the line of the offending field, or the record's first line when the field is missing
    field: str                      # the word the reason must contain: "DTPOSTED", "TRNAMT", "DTTRADE", "TOTAL" (OFX); "date", "amount", "split" (QIF)


@dataclass(frozen=True)
class Statement:
    account: str                    # OFX ACCTID; QIF account name from an !Account header's N line; "" when the file does not say
    kind: str                       # "bank" | "card" | "investment" (OFX), "qif" (QIF)
    currency: str | None            # OFX CURDEF; None for QIF
    records: int                    # records of this statement (definition below)
    rows: tuple[Row, ...] = ()
    invalid: tuple[Invalid, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)   # kind -> count, kinds below


@dataclass(frozen=True)
class Variant:
    file: str                       # path relative to tests/statements/, e.g. "ofx/headerless_sgml.ofx"
    what: str                       # the variant in one sentence, as a user or the spec would name it
    source: str                     # the spec section it follows or the issue case it reproduces, e.g. "OFX 1.0.2 §2.2 header; issue case 2"
    statements: tuple[Statement, ...] = ()
    account_currency: str = "USD"   # the currency of the account the test imports into
    refused: str | None = None      # a file refused whole: words the refusal must contain (then statements is empty)
    bank_messages: tuple[str, ...] = ()   # STATUS MESSAGE texts with SEVERITY WARN or INFO-with-a-message that the preview must show
    lists: dict[str, int] = field(default_factory=dict)     # QIF list entries (not records): "categories", "classes", "accounts", "securities"
    strict_ofx: bool | None = None  # OFX only: True if ofxtools' strict OFXTree().parse(path) + .convert() accepts the file, False if it must refuse it (the variant is non-conforming); None for QIF


OFX_VARIANTS: tuple[Variant, ...] = (
    Variant(
        file="ofx/sgml_102_bank.ofx",
        what="A standard OFX 1.0.2 SGML bank statement: 9-line header (CHARSET:1252), leaf elements left unclosed.",
        source="OFX 1.0.2 §2.2 header, §2.3 SGML; OFX 2.1.1 §11.4.2.2 STMTRS, §11.4.3 STMTTRN",
        statements=(
            Statement("1234567890", "bank", "USD", 5, rows=(
                Row(43, "2026-10-01", "2500.00", "ACME CORP PAYROLL", ("Salary October",), fitid="202610010001"),
                Row(51, "2026-10-03", "-84.23", "CORNER GROCERY", fitid="202610030001"),
                Row(58, "2026-10-10", "-1200.00", "OAK STREET APARTMENTS", ("Rent",), fitid="202610100001"),
                Row(66, "2026-10-15", "-45.67", "CITY POWER AND LIGHT", fitid="202610150001"),
                Row(73, "2026-10-31", "0.42", "INTEREST PAID", ("INT",), fitid="202610310001"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/headerless_sgml.ofx",
        what="An SGML statement with no OFX header at all: the file starts with <OFX>.",
        source="OFX 1.0.2 §2.2 requires the header; banks that omit it (non-conforming)",
        statements=(
            Statement("5550001111", "bank", "USD", 3, rows=(
                Row(33, "2026-11-02", "-18.40", "BUS PASS RELOAD", fitid="HL1"),
                Row(40, "2026-11-04", "-23.10", "DOWNTOWN PHARMACY", fitid="HL2"),
                Row(47, "2026-11-06", "75.00", "MOBILE DEPOSIT", ("Check from J. Doe",), fitid="HL3"),
            )),
        ),
        strict_ofx=False,
    ),
    Variant(
        file="ofx/xml_without_ofx_pi.ofx",
        what="An XML statement with the <?xml?> declaration but no <?OFX?> processing instruction, one transaction without DTPOSTED.",
        source="OFX 2.1.1 §2.2 requires the OFX PI; §11.4.3 STMTTRN requires DTPOSTED (non-conforming twice)",
        statements=(
            Statement("7770003333", "bank", "USD", 3,
                      rows=(
                          Row(30, "2026-11-03", "-31.99", "HOME INTERNET", fitid="XP1"),
                          Row(43, "2026-11-15", "150.00", "TRANSFER FROM SAVINGS", fitid="XP3"),
                      ),
                      invalid=(Invalid(37, "DTPOSTED"),)),
        ),
        strict_ofx=False,
    ),
    Variant(
        file="ofx/headerless_bad_amount.ofx",
        what="A headerless SGML statement where one TRNAMT is not a number (12.5O, letter O).",
        source="OFX 2.1.1 §3.2.9 amounts, §11.4.3 STMTTRN TRNAMT (non-conforming)",
        statements=(
            Statement("5550002222", "bank", "USD", 3,
                      rows=(
                          Row(33, "2026-11-02", "-18.40", "BUS PASS RELOAD", fitid="BA1"),
                          Row(47, "2026-11-06", "75.00", "MOBILE DEPOSIT", ("Check from J. Doe",), fitid="BA3"),
                      ),
                      invalid=(Invalid(40, "TRNAMT"),)),
        ),
        strict_ofx=False,
    ),
    Variant(
        file="ofx/sgml_empty_elements.ofx",
        what="SGML with empty elements: <NAME> with nothing after it, an empty <MEMO>, an empty <PAYEE></PAYEE>, and a second statement whose BANKTRANLIST holds only DTSTART/DTEND.",
        source="OFX 1.0.2 §2.3 SGML (with end tags omitted an element is its tag and its value); OFX 2.1.1 §12.5.2.1 PAYEE requires NAME, ADDR1, CITY, STATE, POSTALCODE, PHONE (non-conforming)",
        statements=(
            Statement("3330001111", "bank", "USD", 3, rows=(
                Row(43, "2026-11-05", "-56.12", "POS PURCHASE GROCER 12", ("POS PURCHASE GROCER 12",), fitid="EE1"),
                Row(51, "2026-11-08", "-38.00", "CITY WATER DEPT", fitid="EE2"),
                Row(59, "2026-11-12", "200.00", "TRANSFER FROM SAVINGS", ("TRANSFER FROM SAVINGS",), fitid="EE3"),
            )),
            Statement("3330002222", "bank", "USD", 0),
        ),
        strict_ofx=False,
    ),
    Variant(
        file="ofx/sgml_blank_lines_after_header.ofx",
        what="An SGML statement whose 9-line header is followed by 12 blank lines before <OFX>.",
        source="OFX 1.0.2 §2.2 header then blank line; SGML whitespace between tags is insignificant",
        statements=(
            Statement("4440001111", "bank", "USD", 2, rows=(
                Row(54, "2026-11-09", "-64.00", "GAS STATION 44", fitid="BL1"),
                Row(61, "2026-11-13", "19.99", "RETURNED ITEM CREDIT", ("Refund order 5521",), fitid="BL2"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/sgml_blank_lines_before_header.ofx",
        what="An SGML statement that starts with 10 blank lines before the OFXHEADER line.",
        source="OFX 1.0.2 §2.2 (the header opens the file); seen from banks that prepend blank lines (non-conforming)",
        statements=(
            Statement("4440002222", "bank", "USD", 1, rows=(
                Row(53, "2026-11-16", "-22.75", "PET SUPPLY STORE", fitid="BB1"),
            )),
        ),
        strict_ofx=False,
    ),
    Variant(
        file="ofx/brokerage_cash_rounding.ofx",
        what="A brokerage cash account (INVSTMTRS with INVBANKTRAN only) with zero-padded signed amounts, 3 of 4 with more than 2 decimals.",
        source="OFX 2.1.1 §13.9.2.1 INVSTMTRS, §13.9.2.3 INVBANKTRAN, §3.2.9 amounts",
        statements=(
            Statement("Z12345678", "investment", "USD", 4, rows=(
                Row(44, "2026-10-01", "115.83", "SWEEP INTEREST", ("INT",), original="115.8331", fitid="CR1"),
                Row(54, "2026-10-08", "-0.12", "ADR PASS-THROUGH FEE", ("FEE",), original="-0.125", fitid="CR2"),
                Row(64, "2026-10-15", "0.14", "CASH IN LIEU OF SHARES", original="0.135", fitid="CR3"),
                Row(74, "2026-10-20", "-25.00", "OUTGOING WIRE FEE", ("SRVCHG",), fitid="CR4"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/investment_statement.ofx",
        what="An investment statement with cash lines (contribution and fee INVBANKTRAN, dividends paid to CASH, an expense, margin interest, return of capital), 10 trades and transfers, 4 positions and a SECLIST.",
        source="OFX 2.1.1 §13.9.2.1 INVSTMTRS, §13.9.2.3 INVBANKTRAN, §13.9.2.4.4 investment transactions, §13.9.2.6.1 positions, §13.8.4.4 SECLIST; bug report: 14 non-cash records",
        statements=(
            Statement("X98765432", "investment", "USD", 21,
                      rows=(
                          Row(44, "2026-10-01", "1000.00", "CONTRIBUTION", ("ACH CONTRIBUTION FROM BANK",), fitid="INV01"),
                          Row(109, "2026-10-07", "12.40", "SAMPLE UTILITIES CO", ("DIVIDEND RECEIVED",), fitid="INV05"),
                          Row(141, "2026-10-12", "-25.00", "ANNUAL ACCOUNT FEE", ("FEE",), fitid="INV07"),
                          Row(169, "2026-10-16", "-7.50", "ADR CUSTODY FEE", ("ADR CUSTODY FEE",), fitid="INV09"),
                          Row(201, "2026-10-20", "3.00", "EXAMPLE INDUSTRIES INC", fitid="INV11"),
                          Row(269, "2026-10-30", "-1.23", "Margin interest", fitid="INV16"),
                          Row(277, "2026-10-30", "6.00", "SAMPLE UTILITIES CO", fitid="INV17"),
                      ),
                      skipped={"BUYSTOCK": 2, "BUYMF": 1, "REINVEST": 2, "SELLSTOCK": 1, "SELLMF": 1,
                               "TRANSFER": 1, "SPLIT": 1, "JRNLFUND": 1, "position": 4}),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/two_bank_statements.ofx",
        what="Two bank statements (checking and savings, two STMTTRNRS) in one download.",
        source="OFX 2.1.1 §11.4.2.2 STMTTRNRS, several per BANKMSGSRSV1",
        statements=(
            Statement("1000111", "bank", "USD", 2, rows=(
                Row(43, "2026-11-03", "-300.00", "TRANSFER TO SAVINGS", fitid="TB1"),
                Row(50, "2026-11-10", "-72.15", "HARDWARE STORE", fitid="TB2"),
            )),
            Statement("1000222", "bank", "USD", 2, rows=(
                Row(80, "2026-11-03", "300.00", "TRANSFER FROM CHECKING", fitid="TB3"),
                Row(87, "2026-11-30", "1.37", "INTEREST EARNED", ("INT",), fitid="TB4"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/bank_and_card.ofx",
        what="A bank statement and a credit card statement in one OFX 2.0.2 XML download (BANKMSGSRSV1 + CREDITCARDMSGSRSV1).",
        source="OFX 2.1.1 §2.2 XML header, §11.4.2.2 STMTRS, §11.4.3.2 CCSTMTRS",
        statements=(
            Statement("2000111", "bank", "USD", 2, rows=(
                Row(31, "2026-11-14", "1800.00", "ACME CORP PAYROLL", ("DIRECTDEP",), fitid="BC1"),
                Row(38, "2026-11-20", "-412.60", "CARD PAYMENT", ("PAYMENT", "Online payment to card ending 1234"), fitid="BC2"),
            )),
            Statement("4000123412341234", "card", "USD", 3, rows=(
                Row(69, "2026-11-04", "-58.20", "BOOKSHOP ON MAIN", fitid="CC1"),
                Row(76, "2026-11-09", "-354.40", "AIRLINE TICKETS", fitid="CC2"),
                Row(83, "2026-11-21", "412.60", "PAYMENT THANK YOU", fitid="CC3"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/xml_211_utf8_bom.ofx",
        what="An OFX 2.1.1 XML statement with the <?OFX?> PI, a UTF-8 byte order mark and non-ASCII payees (German, French, Spanish, Polish, Greek).",
        source="OFX 2.1.1 §2.2 XML header (UTF-8); XML 1.0 §4.3.3 and appendix F allow a UTF-8 byte order mark",
        account_currency="EUR",
        statements=(
            Statement("DE0001", "bank", "EUR", 4, rows=(
                Row(31, "2026-11-03", "-14.20", "Bücherstube Zürich", fitid="BOM1"),
                Row(38, "2026-11-07", "-8.90", "Crêperie Ñandú", ("Déjeuner – 2 crêpes",), fitid="BOM2"),
                Row(46, "2026-11-12", "-3.50", "Łódź Kiosk", fitid="BOM3"),
                Row(53, "2026-11-15", "120.00", "Οδυσσέας Travel", ("Rückerstattung 120 €",), fitid="BOM4"),
            )),
        ),
        strict_ofx=False,
    ),
    Variant(
        file="ofx/xml_211_utf8.ofx",
        what="The same OFX 2.1.1 XML statement with non-ASCII payees, without a byte order mark.",
        source="OFX 2.1.1 §2.2 XML header (UTF-8), §11.4.3 STMTTRN",
        account_currency="EUR",
        statements=(
            Statement("DE0002", "bank", "EUR", 4, rows=(
                Row(31, "2026-11-03", "-14.20", "Bücherstube Zürich", fitid="U81"),
                Row(38, "2026-11-07", "-8.90", "Crêperie Ñandú", ("Déjeuner – 2 crêpes",), fitid="U82"),
                Row(46, "2026-11-12", "-3.50", "Łódź Kiosk", fitid="U83"),
                Row(53, "2026-11-15", "120.00", "Οδυσσέας Travel", ("Rückerstattung 120 €",), fitid="U84"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/sgml_cp1252_crlf.ofx",
        what="An SGML statement in Windows-1252 (CHARSET:1252) with CRLF line endings and payees with é, ü and € (a euro account).",
        source="OFX 1.0.2 §2.2 header ENCODING:USASCII + CHARSET:1252",
        account_currency="EUR",
        statements=(
            Statement("00012345678", "bank", "EUR", 3, rows=(
                Row(43, "2026-11-02", "-4.60", "Café de la Gare", fitid="W1"),
                Row(50, "2026-11-05", "-23.80", "Müller Getränke", ("Pfand 3,10 € zurück",), fitid="W2"),
                Row(58, "2026-11-09", "-7.00", "1 € Laden Köln", fitid="W3"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/dtposted_forms.ofx",
        what="DTPOSTED in every form: date only, with time, with milliseconds, with [-5:EST], with [+1:CET] just after midnight, and a late-evening [-8:PST].",
        source="OFX 2.1.1 §3.2.8.2 dates and times (the bank's own date is kept, not moved to UTC)",
        statements=(
            Statement("6660001111", "bank", "USD", 6, rows=(
                Row(43, "2026-10-05", "-10.00", "DATE ONLY", fitid="DT1"),
                Row(50, "2026-10-06", "-11.00", "DATE AND TIME", fitid="DT2"),
                Row(57, "2026-10-07", "-12.00", "WITH MILLISECONDS", fitid="DT3"),
                Row(64, "2026-10-08", "-13.00", "EASTERN TIME", fitid="DT4"),
                Row(71, "2026-10-09", "-14.00", "CENTRAL EUROPEAN TIME", fitid="DT5"),
                Row(78, "2026-10-31", "-15.00", "LATE EVENING PACIFIC", fitid="DT6"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/trnamt_forms.ofx",
        what="TRNAMT in the forms the spec allows: +12.50, -00000012.50, 12,50 (decimal comma) and 100 (no decimals).",
        source="OFX 2.1.1 §3.2.9 amounts (sign optional, decimal point or comma)",
        statements=(
            Statement("6660002222", "bank", "USD", 4, rows=(
                Row(43, "2026-10-02", "12.50", "PLUS SIGN REFUND", fitid="AM1"),
                Row(50, "2026-10-03", "-12.50", "LEADING ZEROS", fitid="AM2"),
                Row(57, "2026-10-04", "12.50", "DECIMAL COMMA", fitid="AM3"),
                Row(64, "2026-10-05", "100.00", "WHOLE NUMBER", fitid="AM4"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/status_warn_message.ofx",
        what="A statement response whose STATUS is SEVERITY WARN with a MESSAGE, after a sign-on STATUS INFO with a MESSAGE; the rows still import.",
        source="OFX 2.1.1 §3.1.5 STATUS (CODE, SEVERITY, MESSAGE), §2.5.1.3 SONRS",
        bank_messages=(
            "Your password expires in 5 days. Please change it.",
            "Transactions before 2026-11-01 are not available online.",
        ),
        statements=(
            Statement("6660003333", "bank", "USD", 2, rows=(
                Row(45, "2026-11-10", "-42.00", "HAIR SALON", fitid="SW1"),
                Row(52, "2026-11-25", "250.00", "TAX REFUND", ("STATE TAX REFUND",), fitid="SW2"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/signon_error.ofx",
        what="A sign-on-only response: SONRS STATUS 15500 SEVERITY ERROR, no statement.",
        source="OFX 2.1.1 §2.5.1.3 SONRS, §3.1.5 STATUS",
        refused="sign-on",
        strict_ofx=True,
    ),
    Variant(
        file="ofx/account_list.ofx",
        what="An account information response (SIGNUPMSGSRSV1/ACCTINFORS) listing a checking account and a card, no statement.",
        source="OFX 2.1.1 §8.5.2 ACCTINFORS",
        refused="account list",
        strict_ofx=True,
    ),
    Variant(
        file="ofx/empty_statement.ofx",
        what="A bank statement whose BANKTRANLIST holds only DTSTART and DTEND.",
        source="OFX 2.1.1 §11.4.2.2 BANKTRANLIST (zero STMTTRN)",
        refused="no transactions",
        strict_ofx=True,
    ),
    Variant(
        file="ofx/balance_only_statement.ofx",
        what="A bank statement with no BANKTRANLIST at all, only the ledger balance.",
        source="OFX 2.1.1 §11.4.2.2 STMTRS (BANKTRANLIST is optional)",
        refused="no transactions",
        strict_ofx=True,
    ),
    Variant(
        file="ofx/qfx_intu_bid.qfx",
        what="A Quicken Web Connect QFX file: OFX 1.0.2 SGML with Intuit's <INTU.BID> and <INTU.USERID> in SONRS.",
        source="OFX 1.0.2 §2.7.1 private tag extensions (a period in the tag name)",
        statements=(
            Statement("9990001111", "bank", "USD", 2, rows=(
                Row(45, "2026-11-17", "-88.88", "ONLINE MARKETPLACE", fitid="QF1"),
                Row(52, "2026-11-18", "25.00", "VENMO CASHOUT", fitid="QF2"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/check_atm_pos_fee.ofx",
        what="CHECK, ATM, POS and FEE transactions with CHECKNUM, SIC, PAYEEID, and a PAYEE aggregate instead of NAME.",
        source="OFX 2.1.1 §11.4.3 STMTTRN (TRNTYPE, CHECKNUM, SIC, PAYEEID, NAME or PAYEE), §12.5.2.1 PAYEE",
        statements=(
            Statement("1212121212", "bank", "USD", 5, rows=(
                Row(43, "2026-10-02", "-150.00", "Greenfield Lawn Care", ("CHECK", "1042"), fitid="CK1"),
                Row(58, "2026-10-04", "-60.00", "ATM WITHDRAWAL 5TH AND MAIN", ("ATM", "6011"), fitid="CK2"),
                Row(66, "2026-10-06", "-23.45", "BLUE DOOR DINER", ("POS", "5812", "7781", "POS PURCHASE CARD 1234"), fitid="CK3"),
                Row(76, "2026-10-12", "-80.00", "CHECK 1043", ("CHECK", "1043"), fitid="CK4"),
                Row(84, "2026-10-31", "-12.00", "MONTHLY SERVICE FEE", ("FEE",), fitid="CK5"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/truncated.ofx",
        what="An SGML statement cut off in the middle of a transaction (it ends at '<TRNAMT>-4').",
        source="OFX 2.1.1 §2.4.3: the <OFX> aggregate closes the body (an interrupted download)",
        refused="truncated",
        strict_ofx=False,
    ),
    Variant(
        file="ofx/truncated_after_statement.ofx",
        what="An SGML statement cut off right after </STMTRS>: every transaction is whole, but </STMTTRNRS>, </BANKMSGSRSV1> and </OFX> are missing.",
        source="OFX 2.1.1 §2.4.3: the <OFX> aggregate closes the body (an interrupted download)",
        refused="truncated",
        strict_ofx=True,
    ),
    Variant(
        file="ofx/sgml_escaped_characters.ofx",
        what="SGML whose NAME and MEMO use the escapes &amp;, &lt; and &gt; (AT&T, BARNES & NOBLE, <ONLINE>).",
        source="OFX 1.0.2 §2.3.2 special characters",
        statements=(
            Statement("1414141414", "bank", "USD", 3, rows=(
                Row(43, "2026-11-05", "-65.00", "AT&T WIRELESS", fitid="ES1"),
                Row(50, "2026-11-07", "-27.49", "BARNES & NOBLE", ("<ONLINE> ORDER 77",), fitid="ES2"),
                Row(58, "2026-11-09", "10.00", "O'BRIEN & SONS", fitid="ES3"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/sgml_closing_tags.ofx",
        what="An OFX 1.0.2 SGML statement (SGML header) whose leaf elements do have closing tags (<NAME>COFFEE CART</NAME>).",
        source="OFX 1.0.2 §2.3 SGML: element end tags are optional, so they may be present",
        statements=(
            Statement("1515151515", "bank", "USD", 2, rows=(
                Row(43, "2026-11-11", "-5.25", "COFFEE CART", ("Latte",), fitid="CT1"),
                Row(51, "2026-11-12", "40.00", "CASH DEPOSIT", fitid="CT2"),
            )),
        ),
        strict_ofx=True,
    ),
    Variant(
        file="ofx/malformed_dtposted.ofx",
        what="Two transactions with malformed DTPOSTED (2026-11-05 with dashes, 20261345 with month 13) beside a good one.",
        source="OFX 2.1.1 §3.2.8.2 dates (non-conforming)",
        statements=(
            Statement("1616161616", "bank", "USD", 3,
                      rows=(Row(57, "2026-11-20", "-33.33", "GOOD DATE", fitid="MD3"),),
                      invalid=(Invalid(43, "DTPOSTED"), Invalid(50, "DTPOSTED"))),
        ),
        strict_ofx=False,
    ),
    Variant(
        file="ofx/xml_one_line.ofx",
        what="An OFX 2.1.1 XML file written on a single line with no line break at all (declaration, PI and body).",
        source="OFX 2.1.1 §2.2 (no line breaks required between declaration, PI and body)",
        statements=(
            Statement("1717171717", "bank", "USD", 2, rows=(
                Row(1, "2026-11-21", "-16.00", "CAR WASH", fitid="OL1"),
                Row(1, "2026-11-22", "-29.95", "PIZZA PLACE", fitid="OL2"),
            )),
        ),
        strict_ofx=True,
    ),
)


QIF_SOURCE = "Quicken's QIF description: "

QIF_VARIANTS: tuple[Variant, ...] = (
    Variant(
        file="qif/bank_plain.qif",
        what="A plain !Type:Bank export: M/D/YYYY dates, categories, C* / CX / no cleared flag, a check number, a thousands comma.",
        source=QIF_SOURCE + "!Type:Bank, fields D T C N P M L ^",
        statements=(
            Statement("", "qif", None, 4, rows=(
                Row(2, "2026-01-02", "-84.23", "Corner Grocery", category="Food:Groceries", cleared="reconciled"),
                Row(8, "2026-01-15", "2500.00", "ACME Corp", ("January salary",), category="Salary", cleared="reconciled"),
                Row(15, "2026-01-20", "-45.67", "City Power", ("1001",), category="Utilities:Electric", cleared="cleared"),
                Row(22, "2026-01-28", "-12.00", "Coffee Corner", category="Food:Dining", cleared="uncleared"),
            )),
        ),
    ),
    Variant(
        file="qif/quicken_export_autoswitch.qif",
        what="A whole-file Quicken export: !Option:AutoSwitch account list, !Clear:AutoSwitch, category, class and security lists, then a Checking account (U and T lines) and a Brokerage investment account.",
        source=QIF_SOURCE + "!Option:AutoSwitch, !Account, !Clear:AutoSwitch, !Type:Cat, !Type:Class, !Type:Security, !Type:Bank, !Type:Invst",
        lists={"accounts": 4, "categories": 3, "classes": 2, "securities": 1},
        statements=(
            Statement("Checking", "qif", None, 3, rows=(
                Row(47, "2026-02-03", "-62.10", "Farmers Market", category="Food:Groceries", cleared="cleared"),
                Row(54, "2026-02-05", "1250.00", "ACME Corp", category="Salary", cleared="reconciled"),
                Row(61, "2026-02-07", "-300.00", "Transfer to savings", transfer="Savings", cleared="reconciled"),
            )),
            Statement("Brokerage", "qif", None, 2, skipped={"investment": 2}),
        ),
    ),
    Variant(
        file="qif/comment_lines.qif",
        what="A !Type:Bank file that opens with two '#' comment lines (written by some budgeting apps), no cleared flags.",
        source="Not in Quicken's description: exporters' leading comment lines before !Type:Bank",
        statements=(
            Statement("", "qif", None, 2, rows=(
                Row(4, "2026-03-01", "-19.99", "Streaming Service", category="Entertainment"),
                Row(9, "2026-03-02", "-5.00", "Parking Meter"),
            )),
        ),
    ),
    Variant(
        file="qif/dates_apostrophe_padded.qif",
        what="Quicken's M/D'YY dates with space-padded month and day (D 1/ 5'26, D12/31'25).",
        source=QIF_SOURCE + "D field, Quicken's 2000s year form with an apostrophe",
        statements=(
            Statement("", "qif", None, 3, rows=(
                Row(2, "2026-01-05", "-20.00", "Bookshop", cleared="reconciled"),
                Row(7, "2025-12-31", "-150.00", "Hardware Store", cleared="reconciled"),
                Row(12, "2026-02-14", "-48.50", "Flower Shop", cleared="cleared"),
            )),
        ),
    ),
    Variant(
        file="qif/day_first_decimal_comma.qif",
        what="A European export: D.M.YYYY dates (05.01.2026, 2.2.2026) and amounts with a decimal comma and thousands dots (-1.234,56).",
        source=QIF_SOURCE + "D and T fields as written by European Quicken/bank exports",
        account_currency="EUR",
        statements=(
            Statement("", "qif", None, 3, rows=(
                Row(2, "2026-01-05", "-1234.56", "Furniture Store Berlin", category="Household"),
                Row(7, "2026-01-13", "3850.00", "Example GmbH", category="Salary"),
                Row(12, "2026-02-02", "-12.50", "Bakery", category="Food"),
            )),
        ),
    ),
    Variant(
        file="qif/cp1252_crlf.qif",
        what="A !Type:Bank file in Windows-1252 with CRLF line endings (payees with é, ë, ü, ä; a memo with €).",
        source=QIF_SOURCE + "files written by Quicken for Windows",
        statements=(
            Statement("", "qif", None, 2, rows=(
                Row(2, "2026-03-03", "-4.80", "Café Zoë", category="Food:Dining"),
                Row(8, "2026-03-04", "-27.35", "Müller Bäckerei", ("Brötchen für 5 €",), category="Food:Groceries"),
            )),
        ),
    ),
    Variant(
        file="qif/utf8_bom.qif",
        what="A !Type:Bank file in UTF-8 with a byte order mark (payees Łódź Kiosk, Crêperie Ñandú), no cleared flags.",
        source=QIF_SOURCE + "!Type:Bank; UTF-8 with BOM as written by newer exporters",
        statements=(
            Statement("", "qif", None, 2, rows=(
                Row(2, "2026-03-05", "-9.90", "Łódź Kiosk"),
                Row(6, "2026-03-06", "-16.40", "Crêperie Ñandú", ("Déjeuner – 2 crêpes",), category="Food:Dining"),
            )),
        ),
    ),
    Variant(
        file="qif/splits.qif",
        what="Split transactions (S/E/$): two categories, a paycheck with a split that is a transfer S[Savings], a split with a class, and a split whose lines do not add up to T.",
        source=QIF_SOURCE + "split fields S, E, $",
        statements=(
            Statement("", "qif", None, 4,
                      rows=(
                          Row(2, "2026-04-01", "-120.00", "Superstore", ("Weekly shop",), cleared="reconciled", splits=(
                              Split("-80.00", "Food:Groceries", memo="Food"),
                              Split("-40.00", "Household:Supplies", memo="Cleaning"),
                          )),
                          Row(14, "2026-04-03", "1000.00", "ACME Corp", cleared="reconciled", splits=(
                              Split("1500.00", "Salary"),
                              Split("-300.00", "Taxes:Income"),
                              Split("-200.00", transfer="Savings", memo="Save 200"),
                          )),
                          Row(26, "2026-04-05", "-65.00", "Riverside Bistro", tags=("Business",), cleared="cleared", splits=(
                              Split("-45.00", "Food:Dining", memo="Client lunch"),
                              Split("-20.00", "Food:Dining"),
                          )),
                      ),
                      invalid=(Invalid(39, "split"),)),
        ),
    ),
    Variant(
        file="qif/categories_transfers.qif",
        what="Nested categories, a transfer L[Savings], a category with a class LFood:Dining/Business, cleared flags C*, CX, Cc and none, check numbers.",
        source=QIF_SOURCE + "L field (category, [transfer], /class), C field, N field",
        statements=(
            Statement("", "qif", None, 4, rows=(
                Row(2, "2026-05-01", "-93.40", "Green Grocer", ("1050",), category="Food:Groceries", cleared="cleared"),
                Row(9, "2026-05-02", "-500.00", "Transfer to savings", transfer="Savings", cleared="reconciled"),
                Row(15, "2026-05-04", "-38.75", "Harbor Grill", ("Lunch with client",), category="Food:Dining", tags=("Business",), cleared="cleared"),
                Row(22, "2026-05-06", "-15.00", "School Fund", ("1051",), category="Gifts:Charity", cleared="uncleared"),
            )),
        ),
    ),
    Variant(
        file="qif/memorized_and_investment.qif",
        what="A bank block beside an investment block (!Type:Invst with N actions, Y, I, Q, O) and memorised transactions (!Type:Memorized with K codes).",
        source=QIF_SOURCE + "!Type:Invst fields D N Y I Q O T; !Type:Memorized with KC/KD/KP",
        statements=(
            Statement("", "qif", None, 8,
                      rows=(
                          Row(2, "2026-06-01", "-250.00", "Transfer to brokerage", transfer="Brokerage", cleared="reconciled"),
                          Row(8, "2026-06-03", "-42.00", "Gas Station", category="Auto:Fuel", cleared="reconciled"),
                      ),
                      skipped={"investment": 3, "memorised": 3}),
        ),
    ),
    Variant(
        file="qif/ccard.qif",
        what="A !Type:CCard export: charges, and a payment that is a transfer from [Checking]; no cleared flags.",
        source=QIF_SOURCE + "!Type:CCard",
        statements=(
            Statement("", "qif", None, 3, rows=(
                Row(2, "2026-07-01", "-54.20", "Bookstore", category="Education:Books"),
                Row(7, "2026-07-03", "-18.99", "Music Service", category="Entertainment"),
                Row(12, "2026-07-10", "200.00", "Payment - thank you", transfer="Checking"),
            )),
        ),
    ),
    Variant(
        file="qif/two_accounts_mirrored.qif",
        what="Two accounts with !Account headers whose transfers mirror each other: L[Savings] in Checking and L[Checking] in Savings, same date and amount.",
        source=QIF_SOURCE + "!Account header (N, T, ^) before each !Type:Bank block",
        statements=(
            Statement("Checking", "qif", None, 2, rows=(
                Row(6, "2026-08-01", "-300.00", "Transfer to savings", transfer="Savings"),
                Row(12, "2026-08-02", "-60.00", "City Power", category="Utilities:Electric"),
            )),
            Statement("Savings", "qif", None, 2, rows=(
                Row(23, "2026-08-01", "300.00", "Transfer from checking", transfer="Checking", mirror_of=6),
                Row(29, "2026-08-31", "0.85", "Interest", category="Interest Income"),
            )),
        ),
    ),
    Variant(
        file="qif/only_lists.qif",
        what="A QIF with only a category list and a class list, no transactions.",
        source=QIF_SOURCE + "!Type:Cat, !Type:Class",
        refused="only lists",
        lists={"categories": 3, "classes": 2},
    ),
    Variant(
        file="qif/bad_date_bad_amount.qif",
        what="A !Type:Bank file with a bad date (2/30/2026), a bad amount (-1O5.20, letter O) and a record with no D line among good records.",
        source=QIF_SOURCE + "D and T fields (malformed)",
        statements=(
            Statement("", "qif", None, 5,
                      rows=(
                          Row(2, "2026-09-01", "-10.00", "Newsstand"),
                          Row(14, "2026-09-04", "-7.25", "Bakery"),
                      ),
                      invalid=(Invalid(6, "date"), Invalid(11, "amount"), Invalid(18, "date"))),
        ),
    ),
    Variant(
        file="qif/cash_and_other_accounts.qif",
        what="!Type:Cash, !Type:Oth A and !Type:Oth L accounts under !Account headers; the cash record has only a U amount line.",
        source=QIF_SOURCE + "!Type:Cash, !Type:Oth A, !Type:Oth L; U field",
        statements=(
            Statement("Wallet", "qif", None, 1, rows=(
                Row(6, "2026-10-01", "-8.50", "Food Truck", category="Food:Dining"),
            )),
            Statement("House", "qif", None, 1, rows=(
                Row(16, "2026-10-31", "5000.00", "Market revaluation", category="Unrealized Gain"),
            )),
            Statement("Mortgage", "qif", None, 1, rows=(
                Row(26, "2026-10-01", "-1150.00", "Mortgage payment", transfer="Checking"),
            )),
        ),
    ),
)

# fmt: on

VARIANTS: tuple[Variant, ...] = OFX_VARIANTS + QIF_VARIANTS
# Payees the importer gives a cash record that names neither a security nor a memo.
UNNAMED_PAYEES = {"Margin interest", "Investment income", "Investment expense", "Return of capital"}
