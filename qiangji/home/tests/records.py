"""Home page test records: a day in June 2026 and a helper that records meetings as the service stores them."""

import datetime as dt

from qiangji.orglife.models import Attendance, Meeting

TODAY = dt.date(2026, 6, 10)


def hold(organization, kind, day, *, status=Meeting.Status.HELD, present=(), absent=()):
    meeting = Meeting.objects.create(organization=organization, kind=kind, date=day, status=status, topic="学习")
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=m, present=True) for m in present]
        + [Attendance(meeting=meeting, member=m, present=False, absence_reason=reason) for m, reason in absent]
    )
    return meeting


def todos(response):
    """{key: (count, [labels])} of the home page's next actions."""
    return {item.key: (item.count, [link.label for link in item.links]) for item in response.context["todos"]}


def links(response, key):
    return {link.label: (link.url, link.note) for item in response.context["todos"] if item.key == key for link in item.links}
