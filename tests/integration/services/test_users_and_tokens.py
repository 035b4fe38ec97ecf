"""Registration, login and personal API tokens."""

import pytest
from sqlalchemy import select

from finance_tracker.services import tokens, users
from finance_tracker.services.errors import InvalidInput
from finance_tracker.store.models import ApiToken, User


def test_passwords_are_stored_as_argon2_hashes_and_checked(db):
    with db.session() as s:
        users.register(s, " Ada@Example.com ", "correct horse battery")
    with db.session() as s:
        stored = s.scalar(select(User))
        assert stored.email == "ada@example.com"
        assert stored.password_hash.startswith("$argon2id$")
        assert users.authenticate(s, "ADA@example.com", "correct horse battery").id == stored.id
        assert users.authenticate(s, "ada@example.com", "wrong password!!") is None
        assert users.authenticate(s, "nobody@example.com", "correct horse battery") is None


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("not-an-email", "correct horse battery", "email"), ("a@b.co", "short", "password")],
)
def test_registration_refuses_bad_input(db, email, password, field):
    with db.session() as s, pytest.raises(InvalidInput) as caught:
        users.register(s, email, password)
    assert field in caught.value.errors


def test_an_email_registers_once(db):
    with db.session() as s:
        users.register(s, "ada@example.com", "correct horse battery")
    with db.session() as s, pytest.raises(InvalidInput, match="cannot be registered"):
        users.register(s, "ADA@example.com", "another password here")


def test_a_token_is_shown_once_stored_hashed_and_revocable(db, person):
    with db.session() as s:
        token, plaintext = tokens.create(s, person.id, "laptop script")
    with db.session() as s:
        stored = s.scalar(select(ApiToken))
        assert plaintext not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
        found = tokens.find(s, plaintext)
        assert found is not None and found.user_id == person.id
        assert tokens.needs_touch(found)
        assert tokens.find(s, plaintext + "x") is None
        assert tokens.find(s, "garbage") is None
    with db.session() as s:
        tokens.touch(s, token.id)
    with db.session() as s:
        used = s.get(ApiToken, token.id)
        assert used.last_used_at is not None and not tokens.needs_touch(used)
        first_use = used.last_used_at
        tokens.touch(s, token.id)  # within the minute: not written again
    with db.session() as s:
        assert s.get(ApiToken, token.id).last_used_at == first_use
        tokens.revoke(s, person.id, token.id)
    with db.session() as s:
        assert tokens.find(s, plaintext) is None
