"""Work plans over the API: the list, filing (JSON or with a file) through the page's form and
service, the not-filed list by liaison group, and every role's access."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qiangji.plans.models import WorkPlan
from qiangji.plans.services import workplan_file, workplan_return

YEAR = 2026
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
ROLES = ("town_admin", "liaison", "secretary_a", "secretary_b", "member", "visitor")
UNAUTHENTICATED = {"detail": "请先登录，或在请求头中提供有效的接口令牌（Authorization: Bearer 令牌）。"}
NOT_FOUND = {"detail": "对象不存在，或您无权访问。"}
INVALID = "提交的数据有误，请按提示修改。"
NOTHING = "请填写计划内容或上传计划文件。"
NOT_A_CHOICE = "选择一个有效的选项： 该选择不在可用的选项中。"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def call(users, api_as):
    """call(role, method, path, body=None, params=None, files=None): the API with the role's token;
    `files` makes the POST multipart (with `body` as its other fields)."""

    def make(role, method, path, body=None, params=None, files=None):
        client = api_as(users.get(role))
        if files is not None:
            return client.client.post("/api/v1/plans" + path, data={**body, **files}, headers=client.headers)
        return client.request(method, "/plans" + path, body, params=params)

    return make


def state():
    return list(
        WorkPlan.objects.order_by("id").values_list("organization_id", "year", "title", "text", "file", "status", "filed_by_id")
    )


@pytest.fixture
def plans(users, town):
    """东村第二党支部 and the company branch have filed; the company's was returned."""
    a2 = workplan_file(
        organization=town["branch_a2"], year=YEAR, by=users["secretary_a"], title="东村二支部计划", text="一、学习"
    )
    b = workplan_file(organization=town["branch_b"], year=YEAR, by=users["secretary_b"], title="公司支部计划", text="一、生产")
    workplan_return(plan=b, by=users["town_admin"], comment="请补充主题党日安排")
    return {"a2": a2, "b": b}


@pytest.mark.parametrize(
    ("role", "status", "titles"),
    [
        ("town_admin", 200, ["东村二支部计划", "公司支部计划"]),
        ("liaison", 200, ["东村二支部计划"]),
        ("secretary_a", 200, ["东村二支部计划"]),
        ("secretary_b", 200, ["公司支部计划"]),
        ("member", 403, None),
        ("visitor", 403, None),
        ("anonymous", 401, None),
    ],
)
def test_list_per_role(call, plans, role, status, titles):
    response = call(role, "get", "")
    assert response.status_code == status
    if titles is not None:
        assert [p["title"] for p in response.json()["items"]] == titles
    elif status == 403:
        assert response.json() == {"detail": "只有镇党委、指导联络组和党组织书记可以查看工作计划。"}


def test_list_filters_and_exact_values(call, plans, town, users):
    body = call("town_admin", "get", "", params={"year": YEAR, "status": "returned"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    filed_at = item.pop("filed_at")
    # JSON carries milliseconds.
    assert dt.datetime.fromisoformat(filed_at) == plans["b"].filed_at.replace(
        microsecond=plans["b"].filed_at.microsecond // 1000 * 1000
    )
    assert item == {
        "id": plans["b"].pk,
        "organization": town["branch_b"].pk,
        "organization_name": "竖新镇某某公司党支部",
        "year": YEAR,
        "title": "公司支部计划",
        "text": "一、生产",
        "status": "returned",
        "status_label": "已退回",
        "comment": "请补充主题党日安排",
        "file_name": "",
        "file_url": None,
        "filed_by": "公司书记",
        "version": 2,  # filed, then returned
    }
    assert call("town_admin", "get", "", params={"year": YEAR - 1}).json()["count"] == 0
    assert [p["title"] for p in call("town_admin", "get", "", params={"organization": town["village_a"].pk}).json()["items"]] == [
        "东村二支部计划"
    ]
    assert call("secretary_b", "get", "", params={"organization": town["village_a"].pk}).json()["count"] == 0
    bad = call("town_admin", "get", "", params={"status": "draft"})
    assert (bad.status_code, bad.json()["errors"]) == (422, {"status": ["“draft”不是有效的选项，可选：filed、returned。"]})


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("town_admin", 200),
        ("liaison", 200),
        ("secretary_a", 200),
        ("secretary_b", 404),
        ("member", 404),
        ("visitor", 404),
        ("anonymous", 401),
    ],
)
def test_one_plan_per_role(call, plans, role, status):
    assert call(role, "get", f"/{plans['a2'].pk}").status_code == status


def test_secretary_files_then_files_again(call, town, users):
    body = {"organization": town["branch_a1"].pk, "year": YEAR, "title": " 一支部计划 ", "text": "一、三会一课", "version": 0}
    first = call("secretary_a", "post", "", body)
    assert first.status_code == 201
    plan = WorkPlan.objects.get()
    assert (first.json()["id"], first.json()["title"], first.json()["status"]) == (plan.pk, "一支部计划", "filed")
    assert (plan.organization, plan.year, plan.text, plan.filed_by) == (
        town["branch_a1"],
        YEAR,
        "一、三会一课",
        users["secretary_a"],
    )
    again = call("secretary_a", "post", "", {**body, "text": "一、三会一课；二、主题党日", "version": 1})
    assert again.status_code == 200 and again.json()["id"] == plan.pk
    assert state() == [
        (town["branch_a1"].pk, YEAR, "一支部计划", "一、三会一课；二、主题党日", "", "filed", users["secretary_a"].pk)
    ]


def test_filing_again_after_a_return_files_it(call, plans, town):
    body = {"organization": town["branch_b"].pk, "year": YEAR, "title": "公司支部计划", "text": "一、生产；二、主题党日"}
    body["version"] = WorkPlan.objects.get(pk=plans["b"].pk).version
    response = call("secretary_b", "post", "", body)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["comment"]) == ("filed", "")


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        ("liaison", 403, {"detail": "您没有备案工作计划的权限。"}),
        ("member", 403, {"detail": "您没有备案工作计划的权限。"}),
        ("visitor", 403, {"detail": "您没有备案工作计划的权限。"}),
        ("secretary_b", 422, {"detail": INVALID, "errors": {"organization": [NOT_A_CHOICE]}}),
        ("anonymous", 401, UNAUTHENTICATED),
    ],
)
def test_others_may_not_file_and_nothing_changes(call, town, plans, role, status, expected):
    before = state()
    body = {"organization": town["branch_a1"].pk, "year": YEAR, "title": "计划", "text": "一、学习", "version": 0}
    response = call(role, "post", "", body)
    assert (response.status_code, response.json()) == (status, expected)
    assert state() == before


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"text": "  "}, {"__all__": [NOTHING]}),
        ({"year": 1999}, {"year": ["确保该值大于或等于2000。"]}),
        ({"title": ""}, {"title": ["标题未填写"]}),
        ({"organization": "group"}, {"organization": [NOT_A_CHOICE]}),
        ({"file": "plan.pdf"}, {"file": ["不支持该字段。"]}),
    ],
)
def test_bad_input_is_422_in_chinese_and_nothing_changes(call, town, change, errors):
    body = {"organization": town["branch_a1"].pk, "year": YEAR, "title": "计划", "text": "一、学习", "version": 0, **change}
    if body["organization"] == "group":
        body["organization"] = town["group_a1"].pk  # a Party group files no plan of its own
    response = call("secretary_a", "post", "", body)
    assert (response.status_code, response.json()) == (422, {"detail": INVALID, "errors": errors})
    assert state() == []


def test_upload_files_a_plan_with_its_file_and_the_file_can_be_downloaded(call, town, users):
    fields = {"organization": town["branch_a1"].pk, "year": YEAR, "title": "一支部计划", "version": 0}
    response = call("secretary_a", "post", "/upload", fields, files={"file": SimpleUploadedFile("计划.pdf", PDF)})
    assert response.status_code == 201
    plan = WorkPlan.objects.get()
    assert (response.json()["file_name"], response.json()["file_url"], response.json()["text"]) == (
        "计划.pdf",
        f"/api/v1/plans/{plan.pk}/file",
        "",
    )
    download = call("liaison", "get", f"/{plan.pk}/file")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert call("secretary_b", "get", f"/{plan.pk}/file").status_code == 404


def test_a_plan_without_a_file_has_nothing_to_download(call, plans):
    assert (call("town_admin", "get", f"/{plans['a2'].pk}/file").json()) == NOT_FOUND


@pytest.mark.parametrize(
    ("files", "errors"),
    [
        (
            {"file": SimpleUploadedFile("计划.pdf", b"MZ\x90\x00not a pdf")},
            {"file": ["文件内容与扩展名不符，请上传原始文件。"], "__all__": [NOTHING]},
        ),
        (
            {"file": SimpleUploadedFile("计划.exe", PDF)},
            {"file": ["只能上传PDF、Word（doc/docx）或WPS文件。"], "__all__": [NOTHING]},
        ),
        ({}, {"file": ["文件未填写"]}),
    ],
)
def test_a_bad_upload_is_422_and_nothing_changes(call, town, files, errors):
    fields = {"organization": town["branch_a1"].pk, "year": YEAR, "title": "一支部计划", "version": 0}
    response = call("secretary_a", "post", "/upload", fields, files=files)
    assert (response.status_code, response.json()) == (422, {"detail": INVALID, "errors": errors})
    assert state() == []


def test_the_town_sees_who_has_not_filed_by_liaison_group(call, plans, town):
    body = call("town_admin", "get", "/not-filed", params={"year": YEAR}).json()

    def org(key, status="not_filed", label="未备案", comment=""):
        o = town[key]
        return {
            "id": o.pk,
            "name": o.name,
            "kind": o.kind,
            "kind_label": o.get_kind_display(),
            "status": status,
            "status_label": label,
            "comment": comment,
        }

    assert body == {
        "year": YEAR,
        "organization_count": 5,
        "filed_count": 1,
        "groups": [
            {"group": "第一指导联络组", "organizations": [org("village_a"), org("branch_a1")]},
            {
                "group": "未分配指导联络组",
                "organizations": [org("town"), org("branch_b", "returned", "已退回", "请补充主题党日安排")],
            },
        ],
    }


@pytest.mark.parametrize(
    ("role", "status", "groups"),
    [
        ("liaison", 200, ["第一指导联络组"]),
        ("secretary_a", 403, None),
        ("secretary_b", 403, None),
        ("member", 403, None),
        ("visitor", 403, None),
        ("anonymous", 401, None),
    ],
)
def test_not_filed_per_role(call, plans, role, status, groups):
    response = call(role, "get", "/not-filed", params={"year": YEAR})
    assert response.status_code == status
    if groups is not None:
        assert [g["group"] for g in response.json()["groups"]] == groups
    elif status == 403:
        assert response.json() == {"detail": "只有镇党委和指导联络组可以查看未备案情况。"}


def test_not_filed_year_out_of_range_is_422(call):
    response = call("town_admin", "get", "/not-filed", params={"year": 1999})
    assert response.status_code == 422
    assert response.json()["errors"]["year"][0].startswith("年份应在 2000 至 ")
