"""Messages for people, written once in English and shown in the reader's language.

The domain and the services do not know who reads a message (a page in German, the API, a log)
and must not import Flask, so they cannot translate. They write `Text("use at most %(count)s
characters", count=200)` instead of an f-string: a `str` that *is* the English sentence (the API's
problem details, logs and tests read it as before) and also keeps its template and values. The web
layer (`web/i18n.localize`) looks the template up in the reader's catalog and fills in the values
formatted for their locale. `pybabel extract` finds the templates by these names (babel.cfg).

Values are anything `%` formats; a value that is itself a `Text` is translated too, so messages
can be composed ("line %(line)s: %(message)s"). Once a message is stored (an import's report) it is
plain English text again; `web/i18n.localize` still recognises the ones written from templates.
"""

from __future__ import annotations

from typing import Any


class Text(str):
    """An English message that remembers its gettext template and values."""

    template: str
    plural: str | None
    values: dict[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Text:
        made = super().__new__(cls, template % values if values else template)
        made.template, made.plural, made.values = template, None, values
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (an RQ job's arguments) or copied: the English text is what travels.
        return (str, (str(self),))


class TextList(str):
    """Messages one after the other ('4 accounts, 3 categories'), each translated where shown."""

    items: list[str]
    separator: str

    def __new__(cls, items: list[str], separator: str = ", ") -> TextList:
        made = super().__new__(cls, separator.join(items))
        made.items, made.separator = list(items), separator
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))


def Plural(singular: str, plural: str, count: int, /, **values: Any) -> Text:  # noqa: N802
    """'1 row' or '5 rows': a Text with both forms; `count` is a value of it, as `%(count)s`."""
    values = {"count": count, **values}
    made = Text.__new__(Text, singular if count == 1 else plural, **values)
    made.template, made.plural = singular, plural
    return made


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "marked, not translated"
    """Marks a constant for the catalogs where it is defined; it is translated where shown."""
    return message


def NC_(context: str, message: str) -> str:  # noqa: N802
    """`N_` with a gettext context, for a word that reads differently elsewhere."""
    return message


def message_of(error: BaseException) -> str:
    """An exception's message as it was raised, a `Text` kept as one (`str(error)` is not)."""
    if error.args and isinstance(error.args[0], str):
        return error.args[0]
    return str(error)
