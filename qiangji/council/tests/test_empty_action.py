"""A step with no action chosen (an empty `action`) is refused on the page, and nothing moves."""

from qiangji.council.models import OpinionEvent


def test_an_empty_action_is_refused_on_the_page(hall_project, opinions, users, client_as):
    opinion = opinions["pending"]
    events = OpinionEvent.objects.count()
    for data in ({"action": ""}, {}, {"action": "飞"}):
        response = client_as(users["secretary_a"]).post(f"/council/projects/{hall_project.pk}/opinions/{opinion.pk}/move/", data)
        assert response.status_code == 400
    opinion.refresh_from_db()
    assert opinion.state == "received" and OpinionEvent.objects.count() == events
