"""Finds the text of a Jinja template that a person would read and nobody marked for translation.

Two places hold such text. The template's own literal text: what stands between HTML tags, and
the attributes a browser shows or reads out (title, placeholder, aria-label, alt, a confirm
question), found by reading the template with every `{{ … }}`, `{% … %}` and `{% trans %}` block
taken out. And the strings inside expressions: `{{ "Save" if x else "Add" }}`, the texts given to
macros (`empty_state("No accounts yet", …)`); those inside `_()`, `gettext`, `ngettext`,
`pgettext` are marked, and those that name things for the machine (a CSS class given to a macro's
`css`, a URL endpoint, a dict key, a value compared with) are not text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import jinja2
from jinja2 import nodes

GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
# Attributes a browser shows or reads out; data-confirm is asked by static/app.js.
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm", "label"}
# Text that is code or a value for the machine, even where it could be read.
NOT_TEXT_ELEMENTS = {"code", "script", "style"}
# Names of macro parameters and call keywords that take a machine value, not text.
MACHINE_NAMES = {
    "css", "class_", "type", "name", "id", "rel", "method", "autocomplete", "inputmode", "accept",
    "spellcheck", "role", "form", "min", "max", "filename", "format", "style", "direction",
    "column", "sort", "dir", "kind", "purpose", "list", "aria_invalid", "aria_describedby",
    "link", "action", "href", "currency", "select_form", "endpoint",
}  # fmt: skip
URL_FUNCTIONS = {"url_for", "url_with"}
COMMENT = re.compile(r"\{#.*?#\}", re.S)
# A translated block or an expression stands for words of its own: a break in the text around.
# A statement ({% if %}) may stand inside a tag, as in <tr{% if x %} class="y"{% endif %}>.
SPOKEN = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}", re.S)
STATEMENT = re.compile(r"\{%.*?%\}", re.S)
MARK = "\x00"
WORDS = re.compile(r"[^\W\d_]{2,}")
TWO_WORDS = re.compile(r"[^\W\d_]\s+[^\W\d_]")


def looks_like_text(value: str) -> bool:
    """Words for a person: two words, a capitalised word, or a word ending a sentence."""
    if not WORDS.search(value):
        return False
    stripped = value.strip()
    return bool(
        TWO_WORDS.search(value)
        or stripped[:1].isupper()
        or stripped.endswith(("…", "?", "!", ".", ":"))
    )


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NOT_TEXT_ELEMENTS:
            self.skipping.append(tag)
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.found.extend(p for p in value.split(MARK) if WORDS.search(p))

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.found.extend(p.strip() for p in data.split(MARK) if WORDS.search(p))


def literal_text(source: str, *, html: bool = True) -> list[str]:
    """The template's own words, outside every tag, expression and translated block."""
    bare = STATEMENT.sub(" ", SPOKEN.sub(MARK, COMMENT.sub("", source)))
    if not html:
        return [p.strip() for p in bare.split(MARK) if WORDS.search(p)]
    reader = _Reader()
    reader.feed(bare)
    reader.close()
    return reader.found


def macro_parameters(sources: list[str]) -> dict[str, list[str]]:
    """Every macro of the templates by name, with its parameters in order."""
    environment = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    found: dict[str, list[str]] = {}
    for source in sources:
        for macro in environment.parse(source).find_all(nodes.Macro):
            found[macro.name] = [argument.name for argument in macro.args]
    return found


def expression_text(source: str, macros: dict[str, list[str]]) -> list[str]:
    """Strings in the template's expressions that look like words and are not marked."""
    tree = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True).parse(source)
    return [const.value for const in _unmarked(tree, macros, machine=False)]


def _unmarked(
    node: nodes.Node, macros: dict[str, list[str]], machine: bool
) -> Iterator[nodes.Const]:
    if isinstance(node, nodes.Const):
        if isinstance(node.value, str) and not machine and looks_like_text(node.value):
            yield node
        return
    if isinstance(node, nodes.Call):
        callee = node.node.name if isinstance(node.node, nodes.Name) else None
        if callee in GETTEXT:
            return  # marked
        machine_call = machine or callee in URL_FUNCTIONS
        yield from _unmarked(node.node, macros, machine)
        params = macros.get(callee or "", [])
        for index, argument in enumerate(node.args):
            named = params[index] if index < len(params) else ""
            yield from _unmarked(argument, macros, machine_call or named in MACHINE_NAMES)
        for keyword in node.kwargs:
            yield from _unmarked(
                keyword.value, macros, machine_call or keyword.key in MACHINE_NAMES
            )
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                yield from _unmarked(extra, macros, machine_call)
        return
    if isinstance(node, nodes.Compare | nodes.Test | nodes.Getitem):
        return  # values compared with, tested, or looked up: for the machine
    if isinstance(node, nodes.Filter):
        yield from _unmarked(node.node, macros, machine) if node.node is not None else iter(())
        return  # a filter's arguments (join(", "), replace("_", " ")) are not text
    if isinstance(node, nodes.Macro):  # a parameter's default is what a call may leave out
        defaults = dict(zip([a.name for a in node.args][-len(node.defaults):], node.defaults,
                            strict=True)) if node.defaults else {}  # fmt: skip
        for name, default in defaults.items():
            yield from _unmarked(default, macros, machine or name in MACHINE_NAMES)
        for child in node.body:
            yield from _unmarked(child, macros, machine)
        return
    if isinstance(node, nodes.Pair):
        yield from _unmarked(node.value, macros, machine)  # a dict's keys are for the machine
        return
    for child in node.iter_child_nodes():
        yield from _unmarked(child, macros, machine)


def unmarked(source: str, macros: dict[str, list[str]], *, html: bool = True) -> list[str]:
    return literal_text(source, html=html) + expression_text(source, macros)
