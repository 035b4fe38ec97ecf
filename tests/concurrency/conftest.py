"""The production suite's fixtures: a fresh PostgreSQL database per module, and the logs of
every process, checked line by line (tests/production/conftest.py)."""

from tests.production.conftest import fresh_postgres, logs

__all__ = ["fresh_postgres", "logs"]
