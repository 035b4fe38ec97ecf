import pytest

from finance_tracker.services import accounts, users
from finance_tracker.services.accounts import AccountInput


@pytest.fixture
def person(db):
    """A registered user with a EUR checking account, a EUR savings account and a USD card."""
    with db.session() as session:
        user = users.register(session, "ada@example.com", "correct horse battery")
        checking = accounts.create(
            session, user.id, AccountInput("Checking", "checking", "EUR", "100.00")
        )
        savings = accounts.create(session, user.id, AccountInput("Savings", "savings", "EUR", "0"))
        card = accounts.create(session, user.id, AccountInput("US card", "credit_card", "USD", "0"))
    return type("Person", (), {"id": user.id, "checking": checking.id, "savings": savings.id,
                               "card": card.id})  # fmt: skip


@pytest.fixture
def stranger(db):
    with db.session() as session:
        user = users.register(session, "eve@example.com", "another long password")
        wallet = accounts.create(session, user.id, AccountInput("Eve wallet", "cash", "EUR", "5"))
    return type("Stranger", (), {"id": user.id, "wallet": wallet.id})
