from app.web.params import MAX_ID, parse_id


def test_parse_id():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7 and parse_id(3) == 3
    for raw in (None, "", "0", "-1", "abc", "1.5", "²", "١٢", "9" * 20, str(2**63), str(2**31), "99999999999",
                2**31, True, 0, -5):
        assert parse_id(raw) is None, raw
    # ids are 32-bit Integer columns: anything larger would overflow on PostgreSQL instead of finding nothing
    assert MAX_ID == 2**31 - 1 and parse_id(str(2**31 - 1)) == 2**31 - 1
