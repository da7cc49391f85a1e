"""The home page's work-plan item and the unread-notification link."""

from django.urls import reverse
from django.utils import timezone

from qiangji.notifications.services import notification_send
from qiangji.plans.services import workplan_file


def test_home_lists_organizations_without_this_years_plan_with_a_link_to_file(client_as, users, town):
    year = timezone.localdate().year
    workplan_file(organization=town["branch_a1"], year=year, by=users["secretary_a"], title="计划", text="内容")
    secretary = client_as(users["secretary_a"]).get(reverse("home:index")).context["plan_todo"]
    assert (secretary.count, [link.label for link in secretary.links]) == (2, ["东村党总支", "东村第二党支部"])
    assert secretary.links[0].url == reverse("plans:create") + f"?year={year}&org={town['village_a'].pk}"
    liaison = client_as(users["liaison"]).get(reverse("home:index")).context["plan_todo"]
    assert liaison.links[0].url == reverse("orgs:detail", args=[town["village_a"].pk])
    assert client_as(users["town_admin"]).get(reverse("home:index")).context["plan_todo"].count == 4
    assert "plan_todo" not in client_as(users["member"]).get(reverse("home:index")).context


def test_home_links_to_unread_notifications(client_as, users):
    notification_send(recipients=[users["member"]], title="通知", kind="test", key="k")
    page = client_as(users["member"]).get(reverse("home:index")).content.decode()
    assert f'<a href="{reverse("notifications:inbox")}?unread=1">您有1条未读通知</a>' in page
