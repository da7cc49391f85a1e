"""Red culture pages per role: sites and routes for all signed-in users; editing, photos, codes
and routes for the town; check-ins for members, each seeing only their own."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from qiangji import factories as f
from qiangji.redculture.models import CheckIn, RedActivity, RedSite, Route, SitePhoto
from qiangji.redculture.tests.conftest import PNG

pytestmark = pytest.mark.django_db

ROLES = ["town_admin", "secretary_a", "secretary_b", "liaison", "member", "visitor"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("who", [*ROLES, "anonymous"])
def test_site_list_and_page_per_role(sites, route, users, client_as, who):
    client = client_as(users[who])
    for url in ("/red/sites/", f"/red/sites/{sites['hall'].pk}/", "/red/routes/"):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
        else:
            assert response.status_code == 200
            assert "竖新镇革命历史陈列馆" in response.content.decode()
            assert ("新增点位" in response.content.decode()) is (who == "town_admin" and url == "/red/sites/")


def test_site_list_query_count(sites, users, client_as, django_assert_num_queries):
    client = client_as(users["member"])
    client.get("/red/sites/")
    # session, user, scope (grants, liaison, member), sites, inbox bell
    with django_assert_num_queries(7):
        response = client.get("/red/sites/")
    assert response.content.decode().count("/red/sites/") >= 3


def test_route_list_query_count(route, users, client_as, django_assert_num_queries):
    client = client_as(users["member"])
    client.get("/red/routes/")
    with django_assert_num_queries(8):
        response = client.get("/red/routes/")
    html = response.content.decode()
    assert html.index("烈士墓") < html.index("竖新镇革命历史陈列馆")


def _site_form(**extra):
    return {
        "name": "新四军崇明游击队纪念地",
        "kind": "historic",
        "address": "竖新镇仙桥村",
        "village": "",
        "opening_hours": "全天",
        "description": "抗日战争时期崇明游击队活动旧址",
        "active": "on",
        **extra,
    }


def test_the_town_creates_and_edits_a_site(users, client_as):
    client = client_as(users["town_admin"])
    response = client.post("/red/sites/new/", _site_form())
    site = RedSite.objects.get()
    assert response.status_code == 302 and (site.name, site.kind, site.active) == ("新四军崇明游击队纪念地", "historic", True)
    assert client.post(f"/red/sites/{site.pk}/edit/", _site_form(active="")).status_code == 302
    site.refresh_from_db()
    assert site.active is False


@pytest.mark.parametrize("who", ["secretary_a", "liaison", "member", "visitor"])
def test_only_the_town_edits_sites(sites, users, client_as, who):
    client = client_as(users[who])
    assert client.post("/red/sites/new/", _site_form()).status_code == 404
    assert client.post(f"/red/sites/{sites['hall'].pk}/edit/", _site_form()).status_code == 404
    assert RedSite.objects.count() == 3 and RedSite.objects.get(pk=sites["hall"].pk).name == "竖新镇革命历史陈列馆"


@pytest.mark.parametrize(
    ("extra", "message"), [({"description": "太短"}, "至少10个字"), ({"name": "烈士墓"}, "已有同名点位"), ({"kind": "x"}, "有效")]
)
def test_bad_site_changes_nothing(sites, users, client_as, extra, message):
    response = client_as(users["town_admin"]).post("/red/sites/new/", _site_form(**extra))
    assert response.status_code == 400 and message in response.content.decode()
    assert RedSite.objects.count() == 3


def test_photo_upload_and_public_serving(sites, users, client_as):
    site = sites["hall"]
    upload = SimpleUploadedFile("hall.png", PNG, content_type="image/png")
    response = client_as(users["town_admin"]).post(f"/red/sites/{site.pk}/photos/", {"image": upload, "caption": "陈列馆外景"})
    assert response.status_code == 302
    photo = SitePhoto.objects.get()
    served = Client().get(f"/red/photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert f"/red/photos/{photo.pk}/" in client_as(users["member"]).get(f"/red/sites/{site.pk}/").content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.svg", b"<svg onload='alert(1)'></svg>", "只能上传照片"),
        ("fake.png", b"GIF89a not a png at all", "不是有效的照片"),
        ("doc.pdf", b"%PDF-1.4", "只能上传照片"),
        ("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "不能超过 5 MB"),
    ],
)
def test_bad_photos_are_refused(sites, users, client_as, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = client_as(users["town_admin"]).post(f"/red/sites/{sites['hall'].pk}/photos/", {"image": upload})
    assert response.status_code == 400 and message in response.content.decode()
    assert SitePhoto.objects.count() == 0


@pytest.mark.parametrize("who", ["secretary_a", "member"])
def test_only_the_town_uploads_photos(sites, users, client_as, who):
    upload = SimpleUploadedFile("hall.png", PNG)
    assert client_as(users[who]).post(f"/red/sites/{sites['hall'].pk}/photos/", {"image": upload}).status_code == 404
    assert SitePhoto.objects.count() == 0


def test_qr_code_for_the_town(sites, users, client_as):
    site = sites["hall"]
    client = client_as(users["town_admin"])
    svg = client.get(f"/red/sites/{site.pk}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content and b"<script" not in svg.content
    sheet = client.get(f"/red/sites/{site.pk}/qr/").content.decode()
    assert f"http://testserver/red/checkin/{site.token}/" in sheet
    old = site.token
    assert client.post(f"/red/sites/{site.pk}/qr/reissue/").status_code == 302
    site.refresh_from_db()
    assert site.token != old
    assert client_as(users["member"]).get(f"/red/checkin/{old}/").status_code == 404


@pytest.mark.parametrize("who", ["secretary_a", "liaison", "member"])
def test_qr_is_the_towns(sites, users, client_as, who):
    client = client_as(users[who])
    site = sites["hall"]
    token = site.token
    assert client.get(f"/red/sites/{site.pk}/qr.svg").status_code == 404
    assert client.get(f"/red/sites/{site.pk}/qr/").status_code == 404
    assert client.post(f"/red/sites/{site.pk}/qr/reissue/").status_code == 404
    assert RedSite.objects.get(pk=site.pk).token == token


def _stops(*sites):
    return {"name": "竖新红色足迹", "duration": "一天", "description": "", **{f"stop_{i}": s.pk for i, s in enumerate(sites, 1)}}


def test_the_town_orders_a_route(sites, route, users, client_as):
    client = client_as(users["town_admin"])
    assert client.post("/red/routes/new/", _stops(sites["hall"], sites["grave"])).status_code == 302
    new = Route.objects.get(name="竖新红色足迹")
    assert [s.site.name for s in new.stops.all()] == ["竖新镇革命历史陈列馆", "烈士墓"]
    response = client.post(f"/red/routes/{route.pk}/edit/", {**_stops(sites["hall"], sites["grave"]), "name": route.name})
    assert response.status_code == 302
    assert [s.site.name for s in route.stops.all()] == ["竖新镇革命历史陈列馆", "烈士墓"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda s: _stops(s["hall"]), "至少包含两个点位"),
        (lambda s: _stops(s["hall"], s["hall"]), "只能出现一次"),
        (lambda s: {**_stops(s["hall"], s["grave"]), "name": ""}, "路线名称未填写"),
    ],
)
def test_bad_route_changes_nothing(sites, route, users, client_as, data, message):
    response = client_as(users["town_admin"]).post("/red/routes/new/", data(sites))
    assert response.status_code == 400 and message in response.content.decode()
    assert list(Route.objects.values_list("name", flat=True)) == ["竖新红色研学一日游"]
    response = client_as(users["town_admin"]).post(f"/red/routes/{route.pk}/edit/", data(sites))
    assert response.status_code == 400
    route.refresh_from_db()
    assert route.name == "竖新红色研学一日游" and [s.site.name for s in route.stops.all()] == ["烈士墓", "竖新镇革命历史陈列馆"]


@pytest.mark.parametrize("who", ["secretary_a", "liaison", "member"])
def test_only_the_town_edits_routes(sites, route, users, client_as, who):
    client = client_as(users[who])
    assert client.post("/red/routes/new/", _stops(sites["hall"], sites["grave"])).status_code == 404
    assert client.post(f"/red/routes/{route.pk}/edit/", _stops(sites["hall"], sites["grave"])).status_code == 404
    assert Route.objects.count() == 1


def _activity(**extra):
    return {
        "kind": "staged_lecture",
        "title": "情景党课《渡江》",
        "held_on": "2026-07-01",
        "organization": "",
        "participants": "35",
        "description": "",
        **extra,
    }


def test_activities_recorded_by_the_town_and_the_organizing_secretary(sites, town, users, client_as, freeze_day):
    freeze_day("2026-11-25")  # the activity was held on 1 July 2026; none may be recorded before its day
    url = f"/red/sites/{sites['hall'].pk}/activities/"
    assert client_as(users["town_admin"]).post(url, _activity()).status_code == 302
    assert (
        client_as(users["secretary_a"]).post(url, _activity(organization=town["branch_a1"].pk, kind="spokesperson")).status_code
        == 302
    )
    rows = list(RedActivity.objects.order_by("id").values_list("kind", "organization__name", "participants"))
    assert rows == [("staged_lecture", None, 35), ("spokesperson", "东村第一党支部", 35)]
    html = client_as(users["member"]).get(f"/red/sites/{sites['hall'].pk}/").content.decode()
    assert "情景党课《渡江》" in html and "记录活动" not in html


@pytest.mark.parametrize(
    ("who", "extra", "status"),
    [
        ("secretary_a", {}, 403),  # a secretary records for their own organization only
        ("secretary_a", {"organization": "branch_b"}, 400),
        ("town_admin", {"held_on": "2099-01-01"}, 400),
        ("town_admin", {"participants": "-1"}, 400),
        ("member", {}, 404),
        ("liaison", {}, 404),
    ],
)
def test_activity_refusals_change_nothing(sites, town, users, client_as, who, extra, status):
    if extra.get("organization"):
        extra = {**extra, "organization": town[extra["organization"]].pk}
    response = client_as(users[who]).post(f"/red/sites/{sites['hall'].pk}/activities/", _activity(**extra))
    assert response.status_code == status
    assert RedActivity.objects.count() == 0


def test_checkin_needs_login_and_keeps_next(sites):
    token = sites["hall"].token
    response = Client().get(f"/red/checkin/{token}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/red/checkin/{token}/"


def test_a_member_checks_in_once_a_day_and_sees_it(sites, users, client_as):
    client = client_as(users["member"])
    url = f"/red/checkin/{sites['hall'].token}/"
    page = client.get(url).content.decode()
    assert "竖新镇革命历史陈列馆" in page and "打卡</button>" in page
    response = client.post(url, {"note": "重温入党誓词"})
    assert response.status_code == 302 and response["Location"] == "/red/mine/"
    assert client.post(url, {"note": ""}).status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.member, checkin.site, checkin.on, checkin.note) == (
        users["member"].member,
        sites["hall"],
        timezone.localdate(),
        "重温入党誓词",
    )
    mine = client.get("/red/mine/").content.decode()
    assert "竖新镇革命历史陈列馆" in mine and "重温入党誓词" in mine


@pytest.mark.parametrize("who", ["town_admin", "secretary_a", "visitor"])
def test_non_members_get_a_clear_message(sites, users, client_as, who):
    client = client_as(users[who])
    url = f"/red/checkin/{sites['hall'].token}/"
    page = client.get(url)
    assert page.status_code == 200 and "没有关联党员信息" in page.content.decode()
    assert client.post(url, {"note": ""}).status_code == 403
    assert CheckIn.objects.count() == 0
    mine = client.get("/red/mine/")
    assert mine.status_code == 200 and "没有关联党员信息" in mine.content.decode()


def test_closed_site_and_bad_token(sites, users, client_as):
    client = client_as(users["member"])
    url = f"/red/checkin/{sites['closed'].token}/"
    assert "暂不开放" in client.get(url).content.decode()
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.get("/red/checkin/not-a-token/").status_code == 404
    assert client.post(f"/red/checkin/{sites['hall'].token}/", {"note": "长" * 301}).status_code == 400
    assert CheckIn.objects.count() == 0


def test_my_checkins_are_mine_only(sites, town, users, client_as, django_assert_num_queries):
    other = f.member(organization=town["branch_a2"], name="另一位党员")
    CheckIn.objects.create(member=other, site=sites["grave"], on=dt.date(2026, 7, 1), note="别人的感想")
    for day in (1, 2, 3):
        CheckIn.objects.create(member=users["member"].member, site=sites["hall"], on=dt.date(2026, 6, day), note=f"第{day}次")
    client = client_as(users["member"])
    client.get("/red/mine/")
    # session, user, scope (grants, liaison, member), count, page, inbox bell
    with django_assert_num_queries(8):
        html = client.get("/red/mine/").content.decode()
    assert "第1次" in html and "第3次" in html
    assert "别人的感想" not in html and "烈士墓" not in html
    for word in ("排名", "积分", "名次"):
        assert word not in html


def test_the_modules_address_leads_to_the_site_list(users, client_as):
    response = client_as(users["member"]).get("/red/")
    assert (response.status_code, response["Location"]) == (302, "/red/sites/")
