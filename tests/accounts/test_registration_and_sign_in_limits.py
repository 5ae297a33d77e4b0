"""Registration and sign-in: a double-tapped registration, rationed "number already registered" answers, one
sign-in budget per account however it is typed, a throttled password change, and the account's language."""
from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db

N = 8


def _form(city, **over):
    data = {"mobile": "13812345678", "display_name": "新居民", "password": "longenough",
            "confirm": "longenough", "street": city.street_a.id, "community": city.comm_a.id,
            "grid": city.grid_a.id, "area_id": city.micro_a1.id, "action": "register"}
    data.update(over)
    return data


def _users_with(mobile: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User).where(User.mobile == mobile))


def test_a_double_tapped_registration_creates_one_account_and_no_error(race, make_client, city):
    clients = [make_client() for _ in range(N)]
    for c in clients:
        c.token()
    data = _form(city)  # read the fixtures here: the threads must not touch this thread's session

    def register(i: int):
        r = clients[i].post("/auth/register", data)
        return r.status_code, r.get_data(as_text=True)

    results = race(N, register)
    assert all(isinstance(r, tuple) for r in results), results
    statuses = [s for s, _ in results]
    assert statuses.count(303) == 1, [(s, b[:200]) for s, b in results if s not in (200, 303)]
    assert statuses.count(200) == N - 1
    assert all("This mobile number is already registered." in b for s, b in results if s == 200)
    assert _users_with("13812345678") == 1


def test_taken_number_answers_are_rationed_per_address(app, client, city):
    city.resident_a.mobile = "13900000001"
    db.session.commit()
    limit = int(app.config["REGISTER_TAKEN_LIMIT_PER_IP"].split()[0])
    for _ in range(limit):
        r = client.post("/auth/register", _form(city, mobile="13900000001"))
        assert r.status_code == 200 and "already registered" in r.get_data(as_text=True)
    assert client.post("/auth/register", _form(city, mobile="13900000001")).status_code == 429


def test_ordinary_mistakes_do_not_use_up_the_taken_ration(app, client, city):
    limit = int(app.config["REGISTER_TAKEN_LIMIT_PER_IP"].split()[0])
    for _ in range(limit + 2):
        r = client.post("/auth/register", _form(city, mobile="123"))
        assert r.status_code == 200 and "11-digit" in r.get_data(as_text=True)


def test_the_account_budget_is_shared_by_username_and_mobile(app, client, city):
    city.resident_a.mobile = "13900000002"
    db.session.commit()
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for i in range(limit):
        login = "resident_a" if i % 2 else "13900000002"
        assert client.post("/auth/login", {"username": login, "password": "wrong-password"}).status_code == 200
    # the account is locked whichever way it is typed, even with the right password
    assert client.post("/auth/login", {"username": "13900000002", "password": "demo12345"}).status_code == 429
    assert client.post("/auth/login", {"username": "RESIDENT_A", "password": "demo12345"}).status_code == 429


def test_the_password_change_is_throttled(app, client, city):
    client.login("resident_a")
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit):
        r = client.post("/auth/password", {"current_password": "wrong-one", "new_password": "another-long",
                                           "confirm": "another-long"})
        assert r.status_code == 200
    r = client.post("/auth/password", {"current_password": "demo12345", "new_password": "another-long",
                                       "confirm": "another-long"})
    assert r.status_code == 429


def test_the_accounts_language_applies_from_sign_in_on(client, city):
    city.resident_a.locale = "en"
    db.session.commit()
    r = client.post("/auth/login", {"username": "resident_a", "password": "demo12345"},
                    headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 303
    home = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Welcome, " in home and "欢迎" not in home  # the welcome message, in the account's language
    page = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "找不到" not in page


def test_a_language_chosen_before_sign_in_is_kept_and_remembered(client, city):
    client.post("/lang", {"lang": "en", "next": "/"})
    assert client.post("/auth/login", {"username": "resident_a", "password": "demo12345"},
                       headers={"Accept-Language": "zh-CN"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, city.resident_a.id).locale == "en"
