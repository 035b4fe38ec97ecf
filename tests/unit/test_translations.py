"""Every word a person reads is marked for translation, and the catalogs say all of them.

The marked strings of the code and the templates are what `make translations` extracts; the
German, French and Spanish catalogs translate every one (no fuzzy guesses, no blanks), keep each
placeholder, and the committed .mo files are what their .po files compile to.
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from tests.unit import template_strings
from tests.unit.template_strings import unmarked

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "src" / "finance_tracker"
CATALOGS = PACKAGE / "translations"
LANGUAGES = ("de", "fr", "es")
TEMPLATES = sorted((PACKAGE / "web" / "templates").rglob("*.html"))
MAILS = sorted((PACKAGE / "mail" / "templates").glob("*.txt"))


def _macros() -> dict[str, list[str]]:
    return template_strings.macro_parameters([p.read_text() for p in TEMPLATES])


@pytest.mark.parametrize("path", TEMPLATES + MAILS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_string_of_every_template_is_marked(path: Path) -> None:
    found = unmarked(path.read_text(), _macros(), html=path.suffix == ".html")
    assert not found, f"{path.name}: not marked for translation: {found}"


def test_the_check_finds_an_unmarked_string_wherever_it_stands() -> None:
    """The test above fails on an unmarked string: text, an attribute, a conditional, a macro's
    text, a mail's line. What is marked, or is for the machine, passes."""
    macros = {"post_button": ["action", "label", "confirm", "css"],
              "empty_state": ["title", "text", "link", "link_label"]}  # fmt: skip
    page = """
      <p>Welcome back</p>
      <button title="Close the dialog">×</button>
      {{ "Save changes" if row_id else _("Add") }}
      {{ post_button(url_for('x.delete', id=1), _("Delete"), "Delete it for good?", "danger outline small") }}
      {{ empty_state(_("Nothing here"), "Add your first one.") }}
      <p>{{ _("Marked, with %(name)s", name=user.name) }}</p>
      {% trans %}A marked block{% endtrans %}
      <code>finance-tracker users create</code>
      {% if kind == "Transfer Out" %}<span class="{{ 'a b' if x }}">→</span>{% endif %}
    """
    assert unmarked(page, macros) == [
        "Welcome back", "Close the dialog", "Save changes", "Delete it for good?",
        "Add your first one.",
    ]  # fmt: skip
    mail = "{% trans %}Hello,{% endtrans %}\n\nChoose a new password: {{ link }}\n"
    assert unmarked(mail, {}, html=False) == ["Choose a new password:"]


def test_every_flash_and_form_error_in_the_web_layer_is_translated() -> None:
    """flash() takes a translated string, never a bare literal or an f-string."""
    offenders = []
    for path in sorted((PACKAGE / "web").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "flash"
                and node.args
                and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, f"flash() with an untranslated string: {offenders}"


def _catalog(language: str) -> Catalog:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _template() -> Catalog:
    with (CATALOGS / "messages.pot").open("rb") as handle:
        return read_po(handle)


def test_the_catalog_template_holds_every_marked_string_of_the_code(tmp_path: Path) -> None:
    """Marking a string and forgetting `make translations` fails here."""
    output = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).with_name("pybabel")), "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2", "-k", "Text",
         "-k", "Plural:1,2", "-k", "NC_:1c,2", "-o", str(output), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with output.open("rb") as handle:
        extracted = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                     for m in read_po(handle) if m.id}  # fmt: skip
    kept = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in _template() if m.id}
    assert not extracted - kept, (
        f"run make translations: new strings {sorted(extracted - kept, key=str)}"
    )
    assert not kept - extracted, (
        f"run make translations: gone strings {sorted(kept - extracted, key=str)}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_with_its_placeholders(language: str) -> None:
    catalog, template = _catalog(language), _template()
    wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
    problems = []
    for message in catalog:
        if not message.id:
            continue
        key = (message.context, message.id if isinstance(message.id, str) else message.id[0])
        wanted.discard(key)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {key[1]!r}")
        problems += [f"{key[1]!r}: {error}" for error in message.check(catalog)]
    problems += [f"missing: {key[1]!r}" for key in sorted(wanted, key=str)]
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_what_its_po_compiles_to(language: str) -> None:
    """The app reads the .mo files; a .po changed without `make compile-translations` fails."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(language))
    committed = (CATALOGS / language / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert committed == compiled.getvalue(), "run make compile-translations"
