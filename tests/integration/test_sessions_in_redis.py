"""With REDIS_URL set, login sessions live in Redis; the cookie only names them."""

import uuid

import redis
from tests.conftest import Browser

from finance_tracker import create_app


def test_a_login_session_is_kept_in_redis_and_killed_on_logout(
    database_url, settings_for, redis_url
):
    app = create_app(settings_for(database_url, redis_url=redis_url))
    app.config["TESTING"] = True
    store = redis.Redis.from_url(redis_url)
    browser = Browser(app.test_client())
    browser.register(f"redis-{uuid.uuid4().hex[:8]}@example.com")

    keys = store.keys("ft:session:*")
    assert len(keys) == 1
    cookie = browser.client.get_cookie("session")
    assert cookie is not None and "." not in cookie.value  # an opaque id, not a signed payload
    assert browser.get("/accounts/").status_code == 200
    assert app.test_client().get("/readyz").json["checks"]["redis"] == "ok"

    browser.submit("/accounts/", {}, action="/logout")
    assert store.keys("ft:session:*") == [] or all(
        b"_user_id" not in (store.get(k) or b"") for k in store.keys("ft:session:*")
    )
    assert browser.get("/accounts/").status_code == 302
