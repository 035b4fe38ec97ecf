"""The translation catalogs (`translations/<language>/LC_MESSAGES/messages.mo`), for what is
translated outside a request: emails rendered for the worker, the default categories a new
person starts with. Pages use Flask-Babel over the same folder (web/i18n.py)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

FOLDER = Path(__file__).with_name("translations")
DOMAIN = "messages"


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of a language; English (the msgids themselves) when there is none."""
    return Translations.load(str(FOLDER), [language], DOMAIN)
