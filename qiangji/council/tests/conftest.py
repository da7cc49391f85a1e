"""A project of 东村 (village_a) with milestones, a published bulletin and a draft, and opinions
in each moderation state."""

import datetime as dt

import pytest

from qiangji.council.models import Bulletin, Milestone, Opinion, Project
from qiangji.council.services import bulletin_publish, opinion_submit

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _late_in_the_projects_year(freeze_day):
    """The fixtures are the 2026 project year (started 1 March, sessions held in June and November,
    deadlines at the year's end); "not after today" and "not before today" are read on this day."""
    freeze_day("2026-11-25")


@pytest.fixture
def hall_project(town, users):
    project = Project.objects.create(
        name="东村和美乡村建设",
        organization=town["village_a"],
        village=town["village_a"].village,
        description="五好两宜示范村：河道整治、村道硬化、公共空间改造",
        state=Project.State.IN_PROGRESS,
        started_on=dt.date(2026, 3, 1),
    )
    for order, (title, due, done) in enumerate(
        (("河道整治", dt.date(2026, 4, 30), dt.date(2026, 4, 28)), ("村道硬化", dt.date(2026, 9, 30), None)), start=1
    ):
        Milestone.objects.create(project=project, title=title, due_on=due, done_on=done, order=order)
    project.progress = 50
    project.save()
    return project


@pytest.fixture
def published(hall_project, users):
    return bulletin_publish(
        project=hall_project,
        by=users["secretary_a"],
        title="东村和美乡村建设进度通报（第一期）",
        body="河道整治已完成，村道硬化进行中。",
    )


@pytest.fixture
def draft(hall_project):
    return Bulletin.objects.create(project=hall_project, title="内部草稿通报", body="尚未发布的通报内容，不得公开")


@pytest.fixture
def opinions(published, users):
    """pending, shown (answered), hidden — each with a name and a phone."""
    made = {}
    for key, text in (("pending", "建议村道两侧加装路灯"), ("shown", "建议河边增设护栏"), ("hidden", "某某干部办事拖拉")):
        made[key] = opinion_submit(
            bulletin=published, data={"content": text, "author_name": f"王{key}", "phone": PHONE}, client_key=f"k-{key}"
        )
    Opinion.objects.filter(pk=made["shown"].pk).update(
        moderation=Opinion.Moderation.SHOWN, state=Opinion.State.ANSWERED, answer="护栏已列入二期施工"
    )
    Opinion.objects.filter(pk=made["hidden"].pk).update(moderation=Opinion.Moderation.HIDDEN)
    for item in made.values():
        item.refresh_from_db()
    return made
