"""The inbox: idempotent sending, e-mail only when configured, a user's own notifications only."""

import pytest
from django.core import mail
from django.urls import reverse

from qiangji import factories as f
from qiangji.notifications.models import Notification
from qiangji.notifications.services import notification_send


def send(recipients, key="meeting:1", **extra):
    return notification_send(
        recipients=recipients, title="支部党员大会通知", body="明天上午9点", link="/orgs/", kind="meeting", key=key, **extra
    )


def test_sending_twice_with_the_same_key_puts_one_notification_in_each_inbox(users):
    first = send([users["secretary_a"], users["liaison"], users["secretary_a"], None])
    again = send([users["secretary_a"], users["liaison"], users["town_admin"]])
    assert sorted(n.recipient.username for n in first) == ["liaison", "sec_a"]
    assert [n.recipient.username for n in again] == ["admin"]
    assert Notification.objects.filter(key="meeting:1").count() == 3


def test_without_a_key_every_send_is_new_and_inactive_users_get_nothing(users):
    users["secretary_b"].is_active = False
    users["secretary_b"].save()
    send([users["secretary_a"], users["secretary_b"]], key="")
    send([users["secretary_a"]], key="")
    assert Notification.objects.filter(recipient=users["secretary_a"]).count() == 2
    assert Notification.objects.filter(recipient=users["secretary_b"]).count() == 0


def test_email_goes_out_after_commit_only_when_a_mail_host_is_configured(users, settings, django_capture_on_commit_callbacks):
    users["secretary_a"].email = "sec_a@example.com"
    users["secretary_a"].save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_HOST = ""
    with django_capture_on_commit_callbacks(execute=True):
        send([users["secretary_a"]], key="a")
    assert len(mail.outbox) == 0
    settings.EMAIL_HOST = "smtp.example.com"
    settings.QIANGJI_SITE_URL = "https://qj.example.gov.cn"
    with django_capture_on_commit_callbacks(execute=True):
        send([users["secretary_a"], users["liaison"]], key="b")  # the liaison has no address
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sec_a@example.com"]
    assert mail.outbox[0].subject == "【强基】支部党员大会通知"
    assert mail.outbox[0].body == "明天上午9点\n\nhttps://qj.example.gov.cn/orgs/"
    notification = Notification.objects.get(key="b", recipient=users["secretary_a"])
    assert notification.emailed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        send([users["secretary_a"]], key="b")  # already sent: no second mail
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("role", ["town_admin", "liaison", "secretary_a", "member", "visitor"])
def test_every_logged_in_user_sees_only_their_own_inbox_and_the_bell_count(client_as, users, role):
    send([users[role]], key="mine")
    send([users["secretary_b"]], key="other")
    response = client_as(users[role]).get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert [n.key for n in response.context["page"]] == ["mine"]
    assert 'aria-label="站内通知，1条未读"' in response.content.decode()


def test_anonymous_is_sent_to_login(client_as, users):
    response = client_as(None).get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_marking_read_follows_the_link_and_someone_elses_is_404_with_nothing_changed(client_as, users):
    (mine,) = send([users["secretary_a"]], key="mine")
    (theirs,) = send([users["secretary_b"]], key="theirs")
    client = client_as(users["secretary_a"])
    response = client.post(reverse("notifications:read", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/orgs/"
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_an_outside_link_is_not_followed(client_as, users):
    (n,) = notification_send(recipients=[users["member"]], title="t", link="https://evil.example/", kind="x", key="k")
    response = client_as(users["member"]).post(reverse("notifications:read", args=[n.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_mark_all_read_touches_only_the_users_own(client_as, users):
    send([users["secretary_a"], users["secretary_b"]], key="one")
    send([users["secretary_a"]], key="two")
    response = client_as(users["secretary_a"]).post(reverse("notifications:read_all"), follow=True)
    assert "已将2条通知标为已读。" in response.content.decode()
    assert Notification.objects.filter(recipient=users["secretary_a"], read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=users["secretary_b"], read_at__isnull=True).count() == 1
    assert response.context["inbox_unread"] == 0


def test_inbox_query_count_does_not_grow_with_notifications(client_as, users, django_assert_num_queries):
    client = client_as(users["secretary_a"])
    send([users["secretary_a"]], key="k0")
    # session, user, the navigation's scope (3), count, page rows, the bell's unread count.
    with django_assert_num_queries(8):
        client.get(reverse("notifications:inbox"))
    for i in range(15):
        send([users["secretary_a"]], key=f"k{i + 1}")
    with django_assert_num_queries(8):
        response = client.get(reverse("notifications:inbox"))
    assert len(response.context["page"]) == 16


def test_the_unread_count_costs_nothing_on_pages_that_do_not_show_it(client_as, users, town):
    f.member(organization=town["branch_a1"], name="王二")
    send([users["town_admin"]])
    response = client_as(users["town_admin"]).get(reverse("members:list"), headers={"HX-Request": "true"})
    assert "inbox_unread" in response.context
    assert "站内通知" not in response.content.decode()
