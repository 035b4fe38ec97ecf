"""Dependencies point one way: web/api -> services -> domain and store. Domain is plain Python."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "src" / "finance_tracker"


def imports_of(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (PACKAGE / folder).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[str(path.relative_to(PACKAGE))] = names
    return found


def test_domain_imports_neither_flask_nor_sqlalchemy_nor_the_rest_of_the_app():
    for path, names in imports_of("domain").items():
        for name in names:
            assert not name.startswith(("flask", "sqlalchemy", "werkzeug")), (path, name)
            if name.startswith("finance_tracker"):
                assert name.startswith("finance_tracker.domain"), (path, name)


def test_services_and_store_know_nothing_of_the_web():
    for folder in ("services", "store"):
        for path, names in imports_of(folder).items():
            for name in names:
                assert not name.startswith(
                    ("flask", "finance_tracker.web", "finance_tracker.api")
                ), (
                    path,
                    name,
                )
