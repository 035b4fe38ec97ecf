"""Settings come from the environment once; a bad one stops start-up with one line."""

import pytest

from finance_tracker.settings import SettingsError, load_settings


def test_defaults_run_on_sqlite_in_a_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve()}/finance-tracker.db"
    assert settings.port == 5000
    assert not settings.is_production
    assert settings.should_auto_migrate


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    first = settings.effective_secret_key()
    assert len(first) >= 32
    assert load_settings(data_dir=tmp_path).effective_secret_key() == first


def test_the_environment_is_read(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/ft")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://u@db:5432/ft"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.port == 8080
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("variables", "reason"),
    [
        ({"FINANCE_TRACKER_ENV": "production"}, "SECRET_KEY is required"),
        ({"FINANCE_TRACKER_ENV": "production", "SECRET_KEY": "short"}, "at least 32"),
        ({"FINANCE_TRACKER_ENV": "staging"}, "FINANCE_TRACKER_ENV"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL: must start with"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_one_line_reason(monkeypatch, variables, reason):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message
