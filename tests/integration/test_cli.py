"""The `finance-tracker` command an operator types."""

from click.testing import CliRunner
from sqlalchemy import func, select

from finance_tracker.cli import main
from finance_tracker.services import users
from finance_tracker.store.models import Account, Transaction, User


def run(*args, env=None, input=None):
    return CliRunner().invoke(main, list(args), env=env, input=input)


def test_users_create_makes_a_user_who_can_log_in(database_url, db):
    env = {"DATABASE_URL": database_url}
    result = run(
        "users",
        "create",
        "--email",
        "Op@Example.com",
        input="a long password\na long password\n",
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "created user op@example.com" in result.output
    with db.session() as s:
        assert users.authenticate(s, "op@example.com", "a long password") is not None
    again = run(
        "users", "create", "--email", "op@example.com", "--password", "another pass phrase", env=env
    )
    assert again.exit_code == 2 and "cannot be registered" in again.output


def test_users_set_password_lets_someone_who_forgot_log_in_again(database_url, db):
    env = {"DATABASE_URL": database_url}
    with db.session() as s:
        users.register(s, "op@example.com", "the old long password")
    weak = run("users", "set-password", "--email", "op@example.com", "--password", "short", env=env)
    assert weak.exit_code == 2 and "at least 10 characters" in weak.output
    nobody = run(
        "users", "set-password", "--email", "no@example.com", "--password", "x" * 20, env=env
    )
    assert nobody.exit_code == 2 and "no user has the email" in nobody.output
    result = run(
        "users", "set-password", "--email", "Op@Example.com",
        input="a fresh long password\na fresh long password\n", env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with db.session() as s:
        assert users.authenticate(s, "op@example.com", "the old long password") is None
        assert users.authenticate(s, "op@example.com", "a fresh long password") is not None


def test_demo_loads_a_year_of_history_once(database_url, db):
    env = {"DATABASE_URL": database_url, "AUTO_MIGRATE": "false"}
    result = run("demo", "--email", "demo@example.com", env=env)
    assert result.exit_code == 0, result.output
    with db.session() as s:
        user = s.scalar(select(User))
        count = s.scalar(
            select(func.count()).where(
                Transaction.user_id == user.id, Transaction.parent_id.is_(None)
            )
        )
        span = s.execute(select(func.min(Transaction.date), func.max(Transaction.date))).one()
        kinds = set(s.scalars(select(Transaction.kind).distinct()))
        assert s.scalar(select(func.count()).select_from(Account)) == 4
    assert count > 300
    assert (span[1] - span[0]).days >= 360
    assert kinds == {"income", "expense", "transfer"}
    second = run("demo", "--email", "demo@example.com", env=env)
    assert "nothing loaded" in second.output
    with db.session() as s:
        assert s.scalar(select(func.count()).where(Transaction.parent_id.is_(None))) == count


def test_a_bad_setting_stops_the_command_with_one_line(monkeypatch):
    result = run("serve", "--production", env={"SECRET_KEY": ""})
    assert result.exit_code == 2
    assert result.output.strip() == (
        "finance-tracker: invalid setting: SECRET_KEY is required when FINANCE_TRACKER_ENV=production"
    )
