"""Work plans: filing (text and/or a checked file), who has not filed by liaison group, export,
returning a plan, and each role's access."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from qiangji import factories as f
from qiangji.core.errors import DomainError
from qiangji.notifications.models import Notification
from qiangji.plans.models import WorkPlan
from qiangji.plans.services import workplan_file, workplan_return

YEAR = 2026
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def plan_for(org, by, **extra):
    return workplan_file(organization=org, year=YEAR, by=by, title=f"{org.name}{YEAR}年工作计划", text="一、学习", **extra)


def blocks(response):
    return [(b.name, [r.organization.name for r in b.rows]) for b in response.context["blocks"]]


def test_the_town_sees_who_has_not_filed_by_liaison_group_and_the_rest_apart(client_as, users, town):
    plan_for(town["branch_a2"], users["secretary_a"])
    response = client_as(users["town_admin"]).get(reverse("plans:index"), {"year": YEAR})
    assert response.status_code == 200
    assert blocks(response) == [
        ("第一指导联络组", ["东村党总支", "东村第一党支部"]),
        ("未分配指导联络组", ["竖新镇党委", "竖新镇某某公司党支部"]),
    ]
    assert response.context["filed_count"] == 1
    assert len(response.context["rows"]) == 5  # the Party group files no plan of its own
    # The filed list names who filed (备案人).
    filed_row = (
        f"<td>{users['secretary_a']}</td>"
        f"<td>{WorkPlan.objects.get().filed_at.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d}</td>"
    )
    assert filed_row in response.content.decode()


def test_a_returned_plan_counts_as_not_filed(users, town):
    plan = plan_for(town["branch_b"], users["secretary_b"])
    workplan_return(plan=plan, by=users["town_admin"], comment="请补充主题党日安排")
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.RETURNED
    note = Notification.objects.get(recipient=users["secretary_b"])
    assert note.title == f"竖新镇某某公司党支部{YEAR}年工作计划被退回"
    assert note.body == "退回意见：请补充主题党日安排"
    assert note.link == reverse("plans:detail", args=[plan.pk])


@pytest.mark.parametrize(
    "role, expected",
    [
        ("liaison", [("第一指导联络组", ["东村党总支", "东村第一党支部", "东村第二党支部"])]),
        ("secretary_a", [("第一指导联络组", ["东村党总支", "东村第一党支部", "东村第二党支部"])]),
        ("secretary_b", [("第二指导联络组", ["竖新镇某某公司党支部"])]),
    ],
)
def test_liaison_and_secretaries_see_their_own_organizations(client_as, users, town, role, expected):
    f.liaison_group(name="第二指导联络组", users=[], organizations=[town["branch_b"]])
    response = client_as(users[role]).get(reverse("plans:index"), {"year": YEAR})
    assert blocks(response) == expected


@pytest.mark.parametrize("role", ["member", "visitor"])
def test_members_and_visitors_have_no_plans_pages(client_as, users, town, role):
    plan = plan_for(town["branch_a1"], users["secretary_a"])
    client = client_as(users[role])
    for url in (reverse("plans:index"), reverse("plans:export"), reverse("plans:create"), reverse("plans:terms")):
        assert client.get(url).status_code == 404
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client_as, users):
    assert client_as(None).get(reverse("plans:index")).status_code == 302


def test_secretary_files_a_plan_with_text_and_a_pdf(client_as, users, town):
    client = client_as(users["secretary_a"])
    response = client.post(
        reverse("plans:create"),
        {
            "organization": town["branch_a1"].pk,
            "year": YEAR,
            "title": "2026年工作计划",
            "text": "全年计划",
            "file": SimpleUploadedFile("计划.pdf", PDF, content_type="application/pdf"),
        },
    )
    plan = WorkPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    assert (plan.organization, plan.year, plan.title, plan.text, plan.file_name, plan.filed_by) == (
        town["branch_a1"],
        YEAR,
        "2026年工作计划",
        "全年计划",
        "计划.pdf",
        users["secretary_a"],
    )
    download = client.get(reverse("plans:download", args=[plan.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert client_as(users["secretary_b"]).get(reverse("plans:download", args=[plan.pk])).status_code == 404
    assert client_as(users["liaison"]).get(reverse("plans:download", args=[plan.pk])).status_code == 200


def test_a_new_file_replaces_the_old_one_on_disk(users, town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = plan_for(town["branch_b"], users["secretary_b"], file=SimpleUploadedFile("一稿.pdf", PDF))
    old = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        second = plan_for(town["branch_b"], users["secretary_b"], file=SimpleUploadedFile("二稿.pdf", PDF + b"%2"))
    assert second.file_name == "二稿.pdf"
    assert not second.file.storage.exists(old)
    assert second.file.read() == PDF + b"%2"


def test_filing_again_replaces_the_plan_and_clears_a_return(users, town):
    plan = plan_for(town["branch_b"], users["secretary_b"])
    workplan_return(plan=plan, by=users["town_admin"], comment="请修改")
    again = workplan_file(organization=town["branch_b"], year=YEAR, by=users["secretary_b"], title="修改稿", text="二稿")
    assert again.pk == plan.pk
    assert (again.status, again.comment, again.title, again.text) == (WorkPlan.Status.FILED, "", "修改稿", "二稿")
    assert WorkPlan.objects.count() == 1


@pytest.mark.parametrize(
    "upload, error",
    [
        (None, "请填写计划内容或上传计划文件。"),
        (SimpleUploadedFile("计划.exe", b"MZ\x90\x00"), "只能上传PDF、Word（doc/docx）或WPS文件。"),
        (SimpleUploadedFile("计划.pdf", b"<html>not a pdf"), "文件内容与扩展名不符，请上传原始文件。"),
    ],
)
def test_bad_input_files_nothing(client_as, users, town, upload, error):
    data = {"organization": town["branch_a1"].pk, "year": YEAR, "title": "计划", "text": ""}
    if upload is not None:
        data["file"] = upload
    response = client_as(users["secretary_a"]).post(reverse("plans:create"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert WorkPlan.objects.count() == 0


def test_a_file_over_the_limit_is_refused(client_as, users, town, settings):
    settings.PLAN_MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("a.pdf", PDF + b" " * (1024 * 1024))
    data = {"organization": town["branch_a1"].pk, "year": YEAR, "title": "计划", "file": big}
    response = client_as(users["secretary_a"]).post(reverse("plans:create"), data)
    assert response.context["form"].errors["file"] == ["文件不能超过1MB。"]
    assert WorkPlan.objects.count() == 0


def test_a_secretary_cannot_file_for_another_organization_or_a_party_group(client_as, users, town):
    client = client_as(users["secretary_b"])
    response = client.post(
        reverse("plans:create"), {"organization": town["branch_a1"].pk, "year": YEAR, "title": "x", "text": "y"}
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert client.get(reverse("plans:create"), {"org": town["branch_a1"].pk}).status_code == 404
    with pytest.raises(DomainError):
        workplan_file(organization=town["branch_a1"], year=YEAR, by=users["secretary_b"], title="x", text="y")
    with pytest.raises(DomainError):
        workplan_file(organization=town["group_a1"], year=YEAR, by=users["secretary_a"], title="x", text="y")
    assert WorkPlan.objects.count() == 0


def test_liaison_cannot_file(client_as, users, town):
    assert client_as(users["liaison"]).get(reverse("plans:create")).status_code == 404


def test_only_the_town_returns_a_plan(client_as, users, town):
    plan = plan_for(town["branch_a1"], users["secretary_a"])
    response = client_as(users["secretary_a"]).post(reverse("plans:return", args=[plan.pk]), {"comment": "不行"}, follow=True)
    assert "只有镇党委管理员可以退回工作计划" in response.content.decode()
    assert client_as(users["liaison"]).post(reverse("plans:return", args=[plan.pk]), {"comment": "不行"}).status_code == 404
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.FILED
    client_as(users["town_admin"]).post(reverse("plans:return", args=[plan.pk]), {"comment": "补充"})
    plan.refresh_from_db()
    assert (plan.status, plan.comment, plan.returned_by) == (WorkPlan.Status.RETURNED, "补充", users["town_admin"])


def test_export_lists_the_not_filed_by_group(client_as, users, town):
    plan = plan_for(town["branch_a1"], users["secretary_a"])
    workplan_return(plan=plan, by=users["town_admin"], comment="=请补充")
    response = client_as(users["town_admin"]).get(reverse("plans:export"), {"year": YEAR})
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["指导联络组", "党组织", "组织类别", "状态", "退回意见"],
        ["第一指导联络组", "东村党总支", "党总支", "未备案", None],
        ["第一指导联络组", "东村第一党支部", "党支部", "已退回", "'=请补充"],
        ["第一指导联络组", "东村第二党支部", "党支部", "未备案", None],
        ["未分配指导联络组", "竖新镇党委", "党委", "未备案", None],
        ["未分配指导联络组", "竖新镇某某公司党支部", "党支部", "未备案", None],
    ]


def test_index_query_count_does_not_grow_with_organizations(client_as, users, town, django_assert_num_queries):
    client = client_as(users["town_admin"])
    # session, user, scope (3), organizations, plans, liaison groups, the bell's unread count.
    with django_assert_num_queries(9):
        client.get(reverse("plans:index"), {"year": YEAR})
    for i in range(12):
        org = f.organization(name=f"新支部{i}", parent=town["village_a"])
        plan_for(org, users["town_admin"])
    with django_assert_num_queries(9):
        response = client.get(reverse("plans:index"), {"year": YEAR})
    assert response.context["filed_count"] == 12
