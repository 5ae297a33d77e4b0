"""Sign-in, sign-out, registration and password change — through HTTP, including every bad input."""
import re

from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.extensions import db

WRONG = "The username/mobile number or the password is not correct."


def test_login_with_username_and_mobile(client, city, make_client):
    r = client.post("/auth/login", {"username": "staff_a", "password": "demo12345"})
    assert r.status_code == 303 and r.headers["Location"] == "/"
    other = make_client()
    r = other.post("/auth/login", {"username": city.staff_a.mobile, "password": "demo12345"})
    assert r.status_code == 303


def test_login_follows_only_local_next(client, city):
    r = client.post("/auth/login", {"username": "staff_a", "password": "demo12345", "next": "/me"})
    assert r.headers["Location"] == "/me"
    client.logout()
    r = client.post("/auth/login", {"username": "staff_a", "password": "demo12345", "next": "https://evil.example/"})
    assert r.headers["Location"] == "/"


def test_wrong_password_and_unknown_user_get_the_same_message(client, city):
    wrong = client.post("/auth/login", {"username": "staff_a", "password": "nope-nope"})
    unknown = client.post("/auth/login", {"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert WRONG in wrong.get_data(as_text=True)
    assert WRONG in unknown.get_data(as_text=True)
    assert "nobody" in unknown.get_data(as_text=True)  # the typed name is kept in the field, nothing more


def test_wrong_password_message_in_chinese(client, city):
    r = client.post("/auth/login", {"username": "staff_a", "password": "nope-nope"},
                    headers={"Accept-Language": "zh-CN"})
    assert "用户名/手机号或密码不正确" in r.get_data(as_text=True)


def test_login_throttled_per_account_with_a_clear_message(client, city, make_client):
    for _ in range(5):
        assert client.post("/auth/login", {"username": "staff_a", "password": "bad-password"}).status_code == 200
    r = client.post("/auth/login", {"username": "staff_a", "password": "demo12345"})
    assert r.status_code == 429
    assert "Too many attempts" in r.get_data(as_text=True)
    # another account from the same address is not locked by that
    assert make_client().post("/auth/login", {"username": "staff_b", "password": "demo12345"}).status_code == 303


def test_login_throttled_per_ip(client, city, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", "3 per 15 minutes")
    for i in range(3):
        client.post("/auth/login", {"username": f"someone{i}", "password": "x" * 8})
    r = client.post("/auth/login", {"username": "staff_a", "password": "demo12345"})
    assert r.status_code == 429


def test_successful_logins_do_not_count_towards_the_throttle(make_client, city):
    for _ in range(7):
        c = make_client()
        assert c.post("/auth/login", {"username": "staff_a", "password": "demo12345"}).status_code == 303


def test_logout_is_post_only_and_needs_the_token(client, city):
    client.login("staff_a")
    assert client.get("/auth/logout").status_code == 405
    r = client.post("/auth/logout", csrf=False)
    assert r.status_code == 400  # no token: nothing happens
    assert client.get("/me").status_code == 200
    client.logout()
    assert client.get("/me").status_code == 302


def test_post_without_csrf_token_is_refused_in_the_users_language(client, city):
    r = client.post("/auth/login", {"username": "staff_a", "password": "demo12345"}, csrf=False,
                    headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 400
    assert "表单已过期" in r.get_data(as_text=True)


def test_expired_csrf_token(client, city):
    r = client.post("/auth/login", {"username": "staff_a", "password": "demo12345",
                                    "csrf_token": "IjEyMyI.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"})
    assert r.status_code == 400
    assert "This form has expired" in r.get_data(as_text=True)


def _register(client, city, **over):
    data = {"mobile": "13812345678", "display_name": "新居民", "password": "longenough",
            "confirm": "longenough", "street": city.street_a.id, "community": city.comm_a.id,
            "grid": city.grid_a.id, "area_id": city.micro_a1.id, "action": "register"}
    data.update(over)
    return client.post("/auth/register", data)


def _users():
    return db.session.scalar(select(func.count()).select_from(User))


def test_register_resident(client, city):
    before = _users()
    r = _register(client, city)
    assert r.status_code == 303
    user = db.session.scalar(select(User).where(User.mobile == "13812345678"))
    assert user.home_area_id == city.micro_a1.id and user.display_name == "新居民"
    assert user.password_hash.startswith("pbkdf2:") and "longenough" not in user.password_hash
    assert _users() == before + 1
    assert client.get("/").status_code == 200
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.registered")) is not None


def test_register_bad_inputs_change_nothing(client, city):
    before = _users()
    cases = {
        "taken mobile": ({"mobile": city.resident_a.mobile}, "already registered"),
        "malformed mobile": ({"mobile": "12345"}, "11-digit"),
        "letters in mobile": ({"mobile": "1381234567a"}, "11-digit"),
        "unknown area": ({"area_id": "999999"}, "Choose the micro-grid"),
        "not a micro-grid": ({"area_id": str(city.grid_a.id)}, "Choose the micro-grid"),
        "area id not a number": ({"area_id": "abc"}, "Choose the micro-grid"),
        "10 KB name": ({"display_name": "名" * 10240}, "1 to 20 characters"),
        "empty name": ({"display_name": ""}, "Enter your name"),
        "short password": ({"password": "short", "confirm": "short"}, "8 to 128"),
        "passwords differ": ({"confirm": "different1"}, "differ"),
        "bad username": ({"username": "1x"}, "username"),
    }
    for label, (over, message) in cases.items():
        r = _register(client, city, **over)
        assert r.status_code == 200, label
        assert message in r.get_data(as_text=True), label
    assert _users() == before


def test_register_taken_username(client, city):
    r = _register(client, city, username="staff_a")
    assert "This username is taken." in r.get_data(as_text=True)


def test_register_area_picker_without_javascript(client, city):
    """The no-JS picker: choosing a street and pressing "Show the next list" re-renders the form with its children."""
    r = client.post("/auth/register", {"street": city.street_a.id, "action": "pick", "display_name": "甲"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Community A" in html and "Community A2" in html and "Community B" not in html
    assert 'value="甲"' in html  # what was typed is kept
    assert _users() == 15  # nothing created


def test_area_picker_fragment_for_htmx(client, city):
    r = client.htmx_get(f"/areas/picker?street={city.street_a.id}&community={city.comm_a.id}")
    html = r.get_data(as_text=True)
    assert "<html" not in html and 'name="grid"' in html  # only the rows: the wrapper keeps its listener
    assert "Grid A" in html
    # a forged community that is not under the chosen street is ignored
    r = client.htmx_get(f"/areas/picker?street={city.street_a.id}&community={city.comm_b.id}")
    assert 'selected>Community B' not in r.get_data(as_text=True)


def test_change_password_signs_out_other_sessions(client, city, make_client):
    client.login("resident_a")
    other = make_client()
    other.login("resident_a")
    r = client.post("/auth/password", {"current_password": "wrong-one", "new_password": "newpassword",
                                       "confirm": "newpassword"})
    assert "The current password is not correct." in r.get_data(as_text=True)
    r = client.post("/auth/password", {"current_password": "demo12345", "new_password": "newpassword",
                                       "confirm": "newpassword"})
    assert r.status_code == 303
    assert client.get("/me").status_code == 200  # this session continues
    assert other.get("/me").status_code == 302  # the other one is signed out
    fresh = make_client()
    assert fresh.post("/auth/login", {"username": "resident_a", "password": "newpassword"}).status_code == 303


def test_me_masks_the_mobile_number(client, city):
    client.login("resident_a")
    html = client.get("/me").get_data(as_text=True)
    assert city.resident_a.mobile not in html
    assert re.search(r"137\*\*\*\*\d{4}", html)


def test_login_throttle_with_redis_storage(app):
    """With RATELIMIT_STORAGE_URI=redis://… the throttle is shared through Redis (several workers, several hosts)."""
    import socket

    from app import create_app
    from tests.conftest import Client, require

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        reachable = True
    except OSError:
        reachable = False
    require(reachable, "Redis is not running on 127.0.0.1:6379")
    import redis

    from app.extensions import limiter

    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()
    saved = (limiter._storage, limiter._limiter)  # the limiter is one object; give the session app its store back
    try:
        _throttle_through_redis(app, create_app, Client)
    finally:
        limiter._storage, limiter._limiter = saved
        redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()


def _throttle_through_redis(app, create_app, Client):
    from app.extensions import limiter

    # the same database and engine options as the session app (on PostgreSQL: its own schema via search_path)
    redis_app = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "SQLALCHEMY_ENGINE_OPTIONS": app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                            "SECRET_KEY": "redis-test", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15"})
    assert "redis" in type(limiter.storage).__name__.lower()
    first, second = Client(redis_app.test_client(), redis_app), Client(redis_app.test_client(), redis_app)
    for _ in range(3):
        first.post("/auth/login", {"username": "ghost", "password": "wrong-password"})
    for _ in range(2):
        second.post("/auth/login", {"username": "ghost", "password": "wrong-password"})
    assert second.post("/auth/login", {"username": "ghost", "password": "wrong-password"}).status_code == 429


def _password_values(body: str) -> dict[str, str | None]:
    """name → value="" of the page's password inputs (None when the input has no value)."""
    found = {}
    for tag in re.findall(r"<input[^>]*type=\"password\"[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        found[name] = value.group(1) if value else None
    return found


def test_the_no_javascript_area_picker_keeps_the_typed_passwords(client, city):
    """"Show the next list" re-renders the form being filled in: the passwords stay in their fields, the page is
    not stored, and nothing is created."""
    before = _users()
    r = client.post("/auth/register", {"mobile": "13812345678", "display_name": "新居民", "password": "longenough1",
                                       "confirm": "longenough1", "street": city.street_a.id, "action": "pick"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and f'<option value="{city.comm_a.id}"' in body
    assert _password_values(body) == {"password": "longenough1", "confirm": "longenough1"}
    assert r.headers["Cache-Control"] == "no-store"
    assert "not sent back" not in body
    assert _users() == before


def test_a_refused_registration_says_the_password_must_be_typed_again(client, city):
    """A refused submit (here: the micro-grid not chosen down to the end) never echoes the password, and says so
    next to the field."""
    r = _register(client, city, area_id="", password="longenough1", confirm="longenough1")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Choose the micro-grid where you live." in body
    assert not any(_password_values(body).values()) and len(_password_values(body)) == 2
    assert "longenough1" not in body
    assert "the password is not sent back to this page: type it again" in body
    assert r.headers["Cache-Control"] == "no-store"
    # a first visit has the plain hint
    assert "not sent back" not in client.get("/auth/register").get_data(as_text=True)


def test_a_refused_password_change_says_what_to_type_again(client, city):
    client.login("resident_a")
    r = client.post("/auth/password", {"current_password": "demo12345", "new_password": "another-long",
                                       "confirm": "different-one"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "differ" in body and "type all three again" in body
    assert "another-long" not in body and "demo12345" not in body
