"""Registering a member whose ID number is already someone else's: the answer never says where, a
hit on someone the user may not see is audited, and too many such hits in an hour stop the check."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from qiangji import factories as f
from qiangji.core.models import AuditEvent, ChangeRecord
from qiangji.core.personal import PROBE_REFUSED
from qiangji.members.models import Member
from qiangji.members.tests import test_api as shared

call = shared.call  # the API client per role, the read tests' own fixture

TAKEN = "该身份证号已登记为其他党员"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(seq: int) -> str:
    """A valid 18-character ID number (GB 11643 check character), born 1 January 1980."""
    first17 = f"31023019800101{seq:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


@pytest.fixture
def elsewhere(town):
    """A member of 竖新镇某某公司党支部 (branch_b), which secretary_a neither sees nor manages."""
    return f.member(organization=town["branch_b"], name="远方党员", id_number=id_number(900), phone="13955550000")


def form(town, number: str, name: str = "新党员") -> dict:
    return {
        "name": name,
        "id_number": number,
        "joined_on": "2024-07-01",
        "status": "probationary",
        "organization": town["branch_a2"].pk,
    }


def state() -> tuple:
    return (Member.objects.count(), ChangeRecord.objects.count())


def probes():
    return AuditEvent.objects.filter(action=AuditEvent.Action.ID_PROBE)


def test_a_hit_outside_the_scope_names_no_place_and_is_audited(client_as, users, town, elsewhere):
    before = state()
    response = client_as(users["secretary_a"]).post(reverse("members:create"), form(town, elsewhere.id_number))
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [TAKEN]
    body = response.content.decode()
    for secret in ("竖新镇某某公司党支部", "远方党员", "公司书记", "13955550000", "139****0000"):
        assert secret not in body
    assert state() == before
    event = probes().get()
    assert (event.user, event.object_type, event.object_id, event.fields) == (
        users["secretary_a"],
        "members.Member",
        str(elsewhere.pk),
        ["id_number"],
    )


def test_a_hit_inside_the_scope_is_refused_without_an_audit(client_as, users, town):
    own = f.member(organization=town["branch_a1"], name="本村党员", id_number=id_number(901))
    before = state()
    response = client_as(users["secretary_a"]).post(reverse("members:create"), form(town, own.id_number))
    assert response.context["form"].errors["id_number"] == [TAKEN]
    assert state() == before
    assert not probes().exists()


def test_the_api_answers_alike(call, users, town, elsewhere):
    before = state()
    response = call("secretary_a", "post", "/members", {**form(town, elsewhere.id_number), "full_member_on": None})
    assert response.status_code == 422
    assert response.json()["errors"] == {"id_number": [TAKEN]}
    assert "竖新镇某某公司党支部" not in response.content.decode()
    assert state() == before
    assert probes().count() == 1


def test_more_than_five_hits_an_hour_stop_every_check(client_as, users, town, elsewhere, freeze_day):
    freeze_day("2026-11-25")
    others = [elsewhere] + [f.member(organization=town["branch_b"], id_number=id_number(910 + i)) for i in range(4)]
    client = client_as(users["secretary_a"])
    for other in others:
        response = client.post(reverse("members:create"), form(town, other.id_number))
        assert response.context["form"].errors["id_number"] == [TAKEN]
    assert probes().count() == 5
    before = state()
    # Over the limit, a number nobody has is refused too: the refusal says nothing about the number.
    for number in (elsewhere.id_number, id_number(950)):
        response = client.post(reverse("members:create"), form(town, number))
        assert response.status_code == 200
        assert response.context["form"].errors["id_number"] == [PROBE_REFUSED]
    assert state() == before
    assert probes().count() == 5
    # Other users are not held back by secretary_a's hits.
    admin = client_as(users["town_admin"]).post(reverse("members:create"), form(town, id_number(951), "另一位"))
    assert admin.status_code == 302


def test_the_limit_lifts_after_an_hour(client_as, users, town, elsewhere, freeze_day):
    freeze_day("2026-11-25")  # 10:00
    for _ in range(5):
        client_as(users["secretary_a"]).post(reverse("members:create"), form(town, elsewhere.id_number))
    assert probes().count() == 5
    with time_machine.travel(dt.datetime.fromisoformat("2026-11-25T10:50:00+08:00"), tick=False):
        refused = client_as(users["secretary_a"]).post(reverse("members:create"), form(town, id_number(952)))
    assert refused.context["form"].errors["id_number"] == [PROBE_REFUSED]
    with time_machine.travel(dt.datetime.fromisoformat("2026-11-25T11:30:00+08:00"), tick=False):
        response = client_as(users["secretary_a"]).post(reverse("members:create"), form(town, id_number(952)))
    assert response.status_code == 302
    assert Member.objects.get(name="新党员").id_number == id_number(952)


def test_editing_a_member_keeps_its_own_number_without_a_check(client_as, users, town, elsewhere, freeze_day):
    freeze_day("2026-11-25")
    own = f.member(organization=town["branch_a1"], name="本村党员", id_number=id_number(902))
    for _ in range(5):
        client_as(users["secretary_a"]).post(reverse("members:create"), form(town, elsewhere.id_number))
    data = {
        **form(town, own.id_number, "本村党员"),
        "organization": town["branch_a1"].pk,
        "phone": "13900001111",
        "version": own.version,  # the edit form's hidden version (no lost update)
    }
    response = client_as(users["secretary_a"]).post(reverse("members:edit", args=[own.pk]), data)
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.phone == "13900001111"
