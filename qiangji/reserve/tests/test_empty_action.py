"""A step with no action chosen (an empty `action`) is refused on the page, and nothing moves."""

from qiangji.reserve.models import Candidate


def test_an_empty_action_is_refused_on_the_page(cand_a, users, client_as):
    events = cand_a.events.count()
    for data in ({"action": ""}, {}, {"action": "飞"}):
        response = client_as(users["town_admin"]).post(f"/reserve/candidates/{cand_a.pk}/move/", data)
        assert response.status_code == 400
        assert "填写的内容有误" in response.content.decode()
    cand_a.refresh_from_db()
    assert cand_a.state == Candidate.State.IN_POOL and cand_a.events.count() == events
