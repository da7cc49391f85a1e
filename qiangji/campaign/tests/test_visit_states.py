"""The verify loop: a task per record, a visit by the grid's team, the review state machine, and
only an approved visit writing to the register (field by field, with where each value came from)."""

import datetime as dt
import itertools
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from qiangji.campaign.models import BaseRecord, Entity, EntityChange, ServiceCard, Visit, VisitEvent, VisitTask
from qiangji.campaign.services.visits import care_tasks_schedule, visit_resubmit, visit_review, visit_submit
from qiangji.campaign.tests.conftest import care_answers
from qiangji.core.errors import DomainError

ALL_DONE = ["见到主体负责人", "核实基本信息", "摸清党员情况", "宣讲党建政策", "留下服务卡和联系方式"]
STATES = [Visit.State.SUBMITTED, Visit.State.HAS_ISSUES, Visit.State.APPROVED, Visit.State.REJECTED]
ACTIONS = ["send_back", "approve", "reject", "resubmit"]
LEGAL = {
    (Visit.State.SUBMITTED, "send_back"): Visit.State.HAS_ISSUES,
    (Visit.State.SUBMITTED, "approve"): Visit.State.APPROVED,
    (Visit.State.SUBMITTED, "reject"): Visit.State.REJECTED,
    (Visit.State.HAS_ISSUES, "reject"): Visit.State.REJECTED,
    (Visit.State.HAS_ISSUES, "resubmit"): Visit.State.SUBMITTED,
}


_cards = itertools.count(1)


def submit(task, user, **data):
    data.setdefault("card_number", f"T-{next(_cards):04d}")  # a first visit hands out a card
    return visit_submit(task=task, by=user, data={"checklist": ALL_DONE, "visited_on": "2026-11-21", **data})


@pytest.fixture
def submitted(record_task, users, teams):
    _, task = record_task()
    return submit(task, users["visitor"], party_members_found=2, card_number="xlx-0001", care_package=True)


def put_in_state(visit, state, users):
    admin = users["town_admin"]
    if state == Visit.State.HAS_ISSUES:
        visit_review(visit=visit, by=admin, action="send_back", comment="地址不全")
    elif state in (Visit.State.APPROVED, Visit.State.REJECTED):
        visit_review(visit=visit, by=admin, action="approve" if state == Visit.State.APPROVED else "reject", comment="核实")
    visit.refresh_from_db()
    assert visit.state == state


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_step_from_every_state(submitted, users, state, action):
    put_in_state(submitted, state, users)
    events = VisitEvent.objects.filter(visit=submitted).count()
    target = LEGAL.get((state, action))

    def call():
        if action == "resubmit":
            data = {"checklist": ALL_DONE, "visited_on": "2026-11-21", "card_number": "XLX-0001"}
            return visit_resubmit(visit=submitted, by=users["visitor"], data=data)
        return visit_review(visit=submitted, by=users["town_admin"], action=action, comment="意见")

    if target is None:
        with pytest.raises(DomainError):
            call()
        submitted.refresh_from_db()
        assert submitted.state == state
        assert VisitEvent.objects.filter(visit=submitted).count() == events
    else:
        call()
        submitted.refresh_from_db()
        assert submitted.state == target
        assert VisitEvent.objects.filter(visit=submitted).count() == events + 1


def test_nothing_enters_the_register_before_approval(submitted, users):
    assert Entity.objects.count() == 0
    assert submitted.task.status == VisitTask.Status.SUBMITTED
    visit_review(visit=submitted, by=users["town_admin"], action="send_back", comment="请补充负责人电话")
    assert Entity.objects.count() == 0
    submitted.task.refresh_from_db()
    assert submitted.task.status == VisitTask.Status.OPEN


def test_approval_registers_a_new_entity_with_provenance(submitted, users, places):
    visit_review(visit=submitted, by=users["town_admin"], action="approve")
    entity = Entity.objects.get()
    assert (entity.name, entity.kind, entity.village, entity.party_members) == ("崇明新发现民宿", "homestay", places["east"], 2)
    assert list(entity.chains.all()) == [places["homestay"]]
    record = submitted.task.record
    record.refresh_from_db()
    assert (record.state, record.entity) == (BaseRecord.State.REGISTERED, entity)
    sources = set(EntityChange.objects.filter(entity=entity).values_list("field", "batch", "visit"))
    assert ("name", record.batch_id, submitted.pk) in sources
    assert ("party_members", record.batch_id, submitted.pk) in sources
    card = ServiceCard.objects.get()
    assert (card.number, card.entity, card.visit) == ("XLX-0001", entity, submitted)
    submitted.task.refresh_from_db()
    assert submitted.task.status == VisitTask.Status.DONE


def test_visit_facts_override_the_batch_values(record_task, users, teams):
    _, task = record_task()
    visit = submit(task, users["visitor"], facts={"address": "东村88号（西侧）", "employees": "7", "phone": "139 0013 9000"})
    visit_review(visit=visit, by=users["town_admin"], action="approve")
    entity = Entity.objects.get()
    assert (entity.address, entity.employees, entity.phone) == ("东村88号(西侧)", 7, "13900139000")  # normalised to half-width


def test_changed_record_updates_only_changed_fields(record_task, entity, users, teams):
    e = entity(address="东村1号", employees=5)
    record, task = record_task(
        BaseRecord.Klass.CHANGED,
        entity=e,
        data={"name": e.name, "address": "东村2号"},
        changes={"address": ["东村1号", "东村2号"]},
    )
    assert task.entity == e
    visit = submit(task, users["visitor"])
    visit_review(visit=visit, by=users["town_admin"], action="approve")
    e.refresh_from_db()
    assert (e.address, e.employees) == ("东村2号", 5)
    change = EntityChange.objects.get(entity=e)
    assert (change.field, change.old, change.new, change.batch_id, change.visit_id) == (
        "address",
        "东村1号",
        "东村2号",
        record.batch_id,
        visit.pk,
    )


def test_gone_record_closes_the_entity_when_the_visit_finds_it_gone(record_task, entity, users, teams):
    e = entity()
    _, task = record_task(BaseRecord.Klass.GONE, entity=e, data={"name": e.name})
    visit = submit(task, users["visitor"], found_exists=False, checklist=[])
    visit_review(visit=visit, by=users["town_admin"], action="approve")
    e.refresh_from_db()
    assert e.status == Entity.Status.CLOSED
    assert EntityChange.objects.filter(entity=e, field="status", new="已注销/歇业").count() == 1


def test_rejected_visit_leaves_the_register_alone(submitted, users):
    visit_review(visit=submitted, by=users["town_admin"], action="reject", comment="查无此户")
    assert Entity.objects.count() == 0
    assert ServiceCard.objects.count() == 0
    submitted.task.record.refresh_from_db()
    assert submitted.task.record.state == BaseRecord.State.REJECTED


def test_a_team_member_of_another_grid_cannot_submit(record_task, teams):
    _, task = record_task()
    with pytest.raises(PermissionDenied):
        submit(task, teams["visitor2"])
    assert Visit.objects.count() == 0
    task.refresh_from_db()
    assert task.status == VisitTask.Status.OPEN


def test_review_needs_town_admin_a_comment_and_not_the_author(submitted, users):
    with pytest.raises(PermissionDenied):
        visit_review(visit=submitted, by=users["visitor"], action="approve")
    with pytest.raises(DomainError, match="理由"):
        visit_review(visit=submitted, by=users["town_admin"], action="send_back", comment=" ")
    submitted.refresh_from_db()
    assert submitted.state == Visit.State.SUBMITTED
    assert Entity.objects.count() == 0


def test_same_client_uuid_is_stored_once(record_task, users, teams):
    _, task = record_task()
    key = uuid.uuid4()
    data = {"checklist": ALL_DONE, "card_number": "XLX-0100"}
    first = visit_submit(task=task, by=users["visitor"], data=data, client_uuid=key)
    again = visit_submit(task=task, by=users["visitor"], data=data, client_uuid=str(key))
    assert first.pk == again.pk
    assert Visit.objects.count() == 1


def test_unfinished_checklist_needs_a_reason(record_task, users, teams):
    _, task = record_task()
    with pytest.raises(DomainError, match="五必须"):
        submit(task, users["visitor"], checklist=ALL_DONE[:3])
    assert Visit.objects.count() == 0
    visit = submit(task, users["visitor"], checklist=ALL_DONE[:3], notes="负责人外出，电话联系")
    assert [i["done"] for i in visit.checklist] == [True, True, True, False, False]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"facts": {"credit_code": "91310151MA1234567X"}}, "校验位"),
        ({"facts": {"employees": "很多"}}, "整数"),
        ({"facts": {"phone": "12345"}}, "联系电话"),
        ({"party_members_found": -1}, "负数"),
    ],
)
def test_bad_visit_input_changes_nothing(record_task, users, teams, data, message):
    _, task = record_task()
    with pytest.raises(DomainError, match=message):
        submit(task, users["visitor"], **data)
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("days", [1, 3])
def test_a_visit_after_today_changes_nothing(record_task, users, teams, days):
    _, task = record_task()
    after_today = timezone.localdate() + dt.timedelta(days=days)
    with pytest.raises(DomainError, match="走访日期不能晚于今天"):
        submit(task, users["visitor"], visited_on=after_today.isoformat())
    assert Visit.objects.count() == 0
    assert submit(task, users["visitor"], visited_on=timezone.localdate().isoformat()).visited_on == timezone.localdate()


def test_a_card_number_is_handed_out_once(submitted, record_task, users):
    _, task2 = record_task(data={"name": "另一家", "village": submitted.task.grid.villages.first().pk})
    with pytest.raises(DomainError, match="XLX-0001"):
        submit(task2, users["visitor"], card_number="XLX-0001")


def test_care_visits_are_scheduled_once_and_again_after_the_interval(entity, users, teams, settings):
    settings.CAMPAIGN_CARE_INTERVAL_DAYS = 90
    e1, e2 = entity(), entity()
    assert care_tasks_schedule(today=dt.date(2026, 11, 20)) == 2
    assert care_tasks_schedule(today=dt.date(2026, 11, 20)) == 0
    task = VisitTask.objects.get(entity=e1)
    visit = submit(task, users["visitor"], **care_answers())
    visit_review(visit=visit, by=users["town_admin"], action="approve")
    assert care_tasks_schedule(today=dt.date(2026, 11, 22)) == 0
    assert care_tasks_schedule(today=dt.date(2027, 2, 20)) == 1  # 91 days after the visit
    assert VisitTask.objects.filter(kind=VisitTask.Kind.CARE, entity=e1).count() == 2
    assert VisitTask.objects.filter(entity=e2).count() == 1


def test_a_second_batch_does_not_send_a_second_team(record_task, entity):
    e = entity()
    _, first = record_task(BaseRecord.Klass.CHANGED, entity=e, data={"name": e.name}, changes={"address": ["a", "b"]})
    _, second = record_task(BaseRecord.Klass.CHANGED, entity=e, data={"name": e.name}, changes={"address": ["a", "c"]})
    assert first is not None and second is None
    assert VisitTask.objects.count() == 1
