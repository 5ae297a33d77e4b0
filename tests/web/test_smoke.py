def test_home_anonymous(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "HX-Request" in r.headers.get("Vary", "")


def test_login_and_home(client, city):
    client.login("staff_a")
    r = client.get("/")
    assert r.status_code == 200
    assert "staff_a" in r.get_data(as_text=True)
