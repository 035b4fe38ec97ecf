"""Every page route of the app, read from its URL map so that a new route cannot escape the tests
that walk them. The JSON API (/api/) has its own tests; static files hold no one's data."""

from __future__ import annotations

from werkzeug.routing import Rule

WALKED_METHODS = ("GET", "POST")


def page_rules(app) -> list[Rule]:  # type: ignore[no-untyped-def]
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.rule.startswith("/api/")
    ]
    # Logging out ends the walk: after it, the walker is nobody.
    return sorted(rules, key=lambda rule: (rule.endpoint == "auth.logout", rule.rule))


# The <token> of links we email (sign up, password reset): a walk visits them with a bad one.
EMAILED_LINK = "not-a-link-we-sent"


def url_for_rule(app, rule: Rule, ids: dict[str, int]) -> str:  # type: ignore[no-untyped-def]
    ids = {"token": EMAILED_LINK, **ids}  # type: ignore[dict-item]
    missing = set(rule.arguments) - set(ids)
    assert not missing, f"{rule.rule}: give the walk an id for {sorted(missing)}"
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments})


def methods(rule: Rule) -> list[str]:
    return [method for method in WALKED_METHODS if method in (rule.methods or ())]
