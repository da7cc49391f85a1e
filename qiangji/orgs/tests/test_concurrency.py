"""Two people editing one organization: the later save based on an old read is refused with what
the organization holds now (page and API), and the earlier save stays."""

import pytest
from django.urls import reverse

from qiangji.core.models import ChangeRecord
from qiangji.orgs.models import Organization
from qiangji.orgs.services import organization_update

STALE = "保存失败：这条记录在您打开后已被 镇管理员 于 2026-11-25 10:00 修改，以下是现在的内容，请核对后再保存。"


@pytest.fixture(autouse=True)
def _day(freeze_day):
    freeze_day("2026-11-25")


def test_a_stale_page_edit_is_refused_and_the_first_save_stays(client_as, users, town, form_post):
    a2 = town["branch_a2"]
    url = reverse("orgs:edit", args=[a2.pk])
    a, b = client_as(users["secretary_a"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert a.get(url).content.decode().count(f'name="version" value="{a2.version}"') == 1
    assert b.post(url, form_post(b.get(url).context["form"], name="东村第二支部")).status_code == 302

    response = a.post(url, form_post(a_form, term_end="2027-06-30"))

    form = response.context["form"]
    assert (response.status_code, form.non_field_errors()) == (200, [STALE])
    shown = dict(form.stale.shown)
    assert (shown["组织名称"], shown["上级组织"], shown["届满日期"]) == ("东村第二支部", "东村党总支", "—")
    assert "东村第二支部" in response.content.decode()
    a2.refresh_from_db()
    assert (a2.name, a2.term_end) == ("东村第二支部", None)
    assert ChangeRecord.objects.filter(content_type__model="organization", object_id=a2.pk).count() == 1


def test_a_stale_edit_cannot_move_an_organization_back(client_as, users, town, form_post):
    """B moves A1 under the town; A's form, opened before, must not put it back."""
    a1 = town["branch_a1"]
    url = reverse("orgs:edit", args=[a1.pk])
    a = client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    organization_update(organization=Organization.objects.get(pk=a1.pk), by=users["town_admin"], data={"parent": town["town"]})

    response = a.post(url, form_post(a_form, name="东村一支部"))

    assert dict(response.context["form"].stale.shown)["上级组织"] == "竖新镇党委"
    a1.refresh_from_db()
    assert (a1.name, a1.parent_id, a1.path) == ("东村第一党支部", town["town"].pk, f"{town['town'].path}{a1.pk}/")


def test_a_stale_api_patch_answers_409_with_the_current_values(api_as, users, town):
    a2 = town["branch_a2"]
    a, b = api_as(users["secretary_a"]), api_as(users["town_admin"])
    read = a.get(f"/organizations/{a2.pk}").json()
    assert read["version"] == a2.version
    assert b.patch(f"/organizations/{a2.pk}", {"name": "东村第二支部", "version": read["version"]}).status_code == 200

    response = a.patch(f"/organizations/{a2.pk}", {"term_end": "2027-06-30", "version": read["version"]})

    assert response.status_code == 409
    assert response.json() == {
        "detail": STALE,
        "current": {
            "name": "东村第二支部",
            "kind": "branch",
            "parent": town["village_a"].pk,
            "unit": None,
            "village": a2.village_id,
            "founded_on": None,
            "term_start": None,
            "term_end": None,
            "has_committee": False,
            "dissolved_on": None,
            "version": read["version"] + 1,
        },
    }
    a2.refresh_from_db()
    assert (a2.name, a2.term_end, a2.version) == ("东村第二支部", None, read["version"] + 1)


def test_an_api_patch_without_a_version_answers_422_and_changes_nothing(api_as, users, town):
    a2 = town["branch_a2"]
    response = api_as(users["secretary_a"]).patch(f"/organizations/{a2.pk}", {"name": "改名"})
    assert (response.status_code, response.json()["errors"]) == (422, {"version": ["版本号未填写"]})
    a2.refresh_from_db()
    assert a2.name == "东村第二党支部"
