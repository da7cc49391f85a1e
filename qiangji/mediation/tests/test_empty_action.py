"""A step with no action chosen (an empty `action`) is refused on the page, and nothing moves."""


def test_an_empty_action_is_refused_on_the_page(case_a, users, client_as):
    state, events = case_a.state, case_a.events.count()
    for data in ({"action": ""}, {}, {"action": "飞"}):
        response = client_as(users["town_admin"]).post(f"/mediation/cases/{case_a.pk}/move/", data)
        assert response.status_code == 400
        assert "填写的内容有误" in response.content.decode()
    case_a.refresh_from_db()
    assert (case_a.state, case_a.events.count()) == (state, events)
