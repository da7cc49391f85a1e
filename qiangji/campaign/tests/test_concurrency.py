"""Two people editing one entity of the register: an edit based on an old read is refused with
what the register holds now, and the change made in between (by hand or by an approved visit)
stays. The register has no edit endpoint in the API; its covers are state moves, locked."""

import pytest

from qiangji.campaign.models import Entity, EntityChange
from qiangji.campaign.services.register import entity_apply

STALE = "保存失败：这条记录在您打开后已被 {who} 于 2026-11-25 10:00 修改，以下是现在的内容，请核对后再保存。"


@pytest.fixture
def shop(entity, freeze_day):
    freeze_day("2026-11-25")
    return entity(name="竖新镇新开咖啡馆", employees=4, phone="13600001111")


def test_the_edit_page_carries_the_version(shop, users, client_as):
    Entity.objects.filter(pk=shop.pk).update(version=5)
    body = client_as(users["town_admin"]).get(f"/campaign/entities/{shop.pk}/edit/").content.decode()
    assert '<input type="hidden" name="version" value="5" id="id_version">' in body


def test_a_stale_page_edit_is_refused_and_the_first_stays(shop, places, users, client_as, form_post):
    url = f"/campaign/entities/{shop.pk}/edit/"
    a, b = client_as(users["town_admin"]), client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    assert b.post(url, form_post(b.get(url).context["form"], employees="12", phone="")).status_code == 302

    response = a.post(url, form_post(a_form, person_in_charge="陈店主", phone=""))

    form = response.context["form"]
    assert form.non_field_errors() == [STALE.format(who="镇管理员")]
    shown = dict(form.stale.shown)
    assert (shown["主体名称"], shown["从业人员数"], shown["负责人"], shown["联系电话"]) == (
        "竖新镇新开咖啡馆",
        "12",
        "王负责",
        "136****1111",
    )
    shop.refresh_from_db()
    assert (shop.employees, shop.person_in_charge, shop.phone, shop.version) == (12, "王负责", "13600001111", 2)
    assert list(EntityChange.objects.filter(entity=shop).values_list("field", "old", "new")) == [("employees", "4", "12")]


def test_an_edit_opened_before_a_visit_wrote_the_register_is_refused(shop, users, client_as, form_post):
    url = f"/campaign/entities/{shop.pk}/edit/"
    a = client_as(users["town_admin"])
    a_form = a.get(url).context["form"]
    # An approved visit writes the register through the same service (visit_review → entity_apply).
    entity_apply(entity=Entity.objects.get(pk=shop.pk), values={"party_members": 2}, by=users["visitor"], note="走访核实")

    response = a.post(url, form_post(a_form, party_members="0", phone=""))

    assert response.context["form"].non_field_errors() == [STALE.format(who="走访队员")]
    shop.refresh_from_db()
    assert (shop.party_members, shop.version) == (2, 2)
