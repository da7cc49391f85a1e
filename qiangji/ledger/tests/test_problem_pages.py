"""Problem pages: the list (filters, overdue, query count, export), register with duplicate
suggestions, the detail page and its files, allowed and denied per role."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from qiangji import factories as f
from qiangji.ledger.models import Problem, ProblemAttachment, ProblemEvent
from qiangji.ledger.services import problem_submit

LIST = "/ledger/problems/"
NEW = "/ledger/problems/new/"
SIMILAR = "/ledger/problems/similar/"
DESCRIPTION = "党员活动室长期闲置，群众反映开放时间不固定"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def new(register, today):
    """new(**overrides) → a problem registered today (the pages read the real date)."""

    def make(**data):
        return register(today=today, **data)

    return make


def _form(town, owner, today, **overrides):
    data = {
        "source": Problem.Source.HOTLINE,
        "organization": town["branch_a1"].pk,
        "village": "",
        "category": "阵地建设",
        "description": "村口宣传栏破损多日无人修理",
        "external_ref": "12345-2026-0001",
        "owner": owner.pk,
        "deadline": (today + dt.timedelta(days=20)).isoformat(),
    }
    data.update(overrides)
    return data


# The list ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status,sees",
    [
        ("town_admin", 200, True),
        ("liaison", 200, True),
        ("secretary_a", 200, True),
        ("secretary_b", 200, False),
        ("member", 404, False),
        ("visitor", 404, False),
    ],
)
def test_list_per_role(role, status, sees, new, users, client_as):
    problem = new()
    response = client_as(users[role]).get(LIST)
    assert response.status_code == status
    if status == 200:
        assert (problem.number in response.content.decode()) is sees


def test_list_anonymous_is_sent_to_login(new, client_as):
    new()
    response = client_as(None).get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_list_marks_overdue_rows_with_their_days(new, users, client_as, today):
    late = new(description="村务公开栏内容三个月未更新")
    Problem.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=4))
    on_time = new()
    html = client_as(users["town_admin"]).get(LIST).content.decode()
    assert html.count("已超期4天") == 1
    assert html.count('class="table-danger"') == 1
    row = html[html.index('class="table-danger"') :]
    assert late.number in row[: row.index("</tr>")]
    assert on_time.number in html


def test_list_filters(new, users, client_as, today, town):
    a = new(source=Problem.Source.HOTLINE, external_ref="GD-1", description="路灯不亮影响群众夜间出行")
    b = new(organization=town["branch_b"], owner=users["secretary_b"], description="企业党支部活动记录不全")
    c = new(description="党费收缴记录不完整，存在漏记")
    Problem.objects.filter(pk=c.pk).update(deadline=today - dt.timedelta(days=1))
    Problem.objects.filter(pk=b.pk).update(state=Problem.State.CLOSED)
    client = client_as(users["town_admin"])

    def numbers(**params):
        page = client.get(LIST, params).context["page"]
        return sorted(p.number for p in page)

    assert numbers() == sorted([a.number, b.number, c.number])
    assert numbers(status="open") == sorted([a.number, c.number])
    assert numbers(status="overdue") == [c.number]
    assert numbers(status="closed") == [b.number]
    assert numbers(source="hotline") == [a.number]
    assert numbers(org=town["branch_b"].pk) == [b.number]
    assert numbers(org=town["village_a"].pk) == sorted([a.number, c.number])
    assert numbers(q="GD-1") == [a.number]
    assert numbers(q="党费") == [c.number]
    assert numbers(mine="1") == []
    assert client_as(users["secretary_b"]).get(LIST, {"mine": "1"}).context["page"].object_list == [Problem.objects.get(pk=b.pk)]


def test_list_filter_by_invisible_organization_is_404(new, users, client_as, town):
    new()
    assert client_as(users["secretary_b"]).get(LIST, {"org": town["branch_a1"].pk}).status_code == 404


def test_list_htmx_returns_only_the_table(new, users, client_as):
    problem = new()
    response = client_as(users["town_admin"]).get(LIST, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert problem.number in html
    assert "<html" not in html
    assert 'id="problem-filters"' not in html


def test_list_query_count_does_not_grow_with_rows(new, users, client_as, django_assert_num_queries):
    new()
    client = client_as(users["secretary_a"])
    client.get(LIST)
    # session, user, scope (grants, liaison, member), count, rows, organization choices, inbox bell
    with django_assert_num_queries(9):
        client.get(LIST)
    for i in range(5):
        new(description=f"第{i}个问题：会议记录不规范")
    with django_assert_num_queries(9):
        response = client.get(LIST)
    assert len(response.context["page"]) == 6


def test_export_lists_the_filtered_problems(new, users, client_as, today):
    problem = new(description='=HYPERLINK("x") 宣传栏破损', category="阵地建设")
    response = client_as(users["town_admin"]).get(LIST + "export/", {"status": "open"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("挂号编号", "问题来源", "外部编号", "党组织")
    assert len(rows) == 2
    assert rows[1][0] == problem.number
    assert rows[1][5] == '\'=HYPERLINK("x") 宣传栏破损'
    assert rows[1][6] == "一支部书记"


def test_export_denied_to_member(new, users, client_as):
    new()
    assert client_as(users["member"]).get(LIST + "export/").status_code == 404


# Register ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 200), ("member", 404), ("visitor", 404)],
)
def test_register_page_per_role(role, status, users, client_as):
    assert client_as(users[role]).get(NEW).status_code == status


def test_register_page_offers_only_organizations_the_user_supervises(users, client_as, town):
    form = client_as(users["secretary_b"]).get(NEW).context["form"]
    assert list(form.fields["organization"].queryset) == [town["branch_b"]]
    assert sorted(form.fields["owner"].queryset.values_list("username", flat=True)) == ["admin", "sec_b"]


def test_register_creates_the_problem_with_files(users, client_as, town, owner, today):
    photo = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg")
    scan = SimpleUploadedFile("工单.pdf", b"%PDF-1.4 order", content_type="application/pdf")
    data = _form(town, owner, today, files=[photo, scan])
    response = client_as(users["town_admin"]).post(NEW, data)
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ledger/problems/{problem.pk}/"
    assert (problem.source, problem.organization, problem.category, problem.external_ref) == (
        "hotline",
        town["branch_a1"],
        "阵地建设",
        "12345-2026-0001",
    )
    assert (problem.owner, problem.deadline, problem.state, problem.registered_by) == (
        owner,
        today + dt.timedelta(days=20),
        Problem.State.REGISTERED,
        users["town_admin"],
    )
    assert problem.number == f"{today.year}-0001"
    assert sorted(problem.attachments.values_list("name", "is_evidence")) == [("工单.pdf", False), ("现场照片.jpg", False)]
    assert list(problem.events.values_list("action", "to_state")) == [("register", "registered")]


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"description": "  "}, "description", "问题描述未填写"),
        ({"source": ""}, "source", "问题来源未填写"),
        ({"deadline": ""}, "deadline", "整改期限未填写"),
        ({"deadline": "2020-01-01"}, "deadline", "整改期限不能早于挂号日期"),
    ],
)
def test_register_bad_input_writes_nothing(overrides, field, message, users, client_as, town, owner, today):
    response = client_as(users["town_admin"]).post(NEW, _form(town, owner, today, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Problem.objects.count() == 0
    assert ProblemEvent.objects.count() == 0


def test_register_refuses_an_owner_who_cannot_act_for_the_organization(users, client_as, town, today):
    data = _form(town, users["secretary_b"], today)
    response = client_as(users["town_admin"]).post(NEW, data)
    assert response.context["form"].errors["owner"] == ["公司书记不是东村第一党支部或其上级党组织的书记、联络组成员或镇管理员。"]
    assert Problem.objects.count() == 0


def test_register_refuses_a_bad_file(users, client_as, town, owner, today):
    bad = SimpleUploadedFile("脚本.exe", b"MZ", content_type="application/octet-stream")
    response = client_as(users["town_admin"]).post(NEW, _form(town, owner, today, files=[bad]))
    assert response.context["form"].errors["files"][0].startswith("不支持的文件类型“.exe”")
    assert Problem.objects.count() == 0


def test_register_refuses_an_organization_outside_the_scope(users, client_as, town, today):
    data = _form(town, users["secretary_b"], today)
    response = client_as(users["secretary_b"]).post(NEW, data)
    assert "organization" in response.context["form"].errors
    assert Problem.objects.count() == 0


def test_duplicate_suggested_at_submit_then_confirmed(new, users, client_as, town, owner, today):
    earlier = new(description=DESCRIPTION)
    client = client_as(users["town_admin"])
    data = _form(town, owner, today, description="群众反映党员活动室长期闲置，开放时间不固定", external_ref="")
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert [p.number for p, _ in response.context["similar"]] == [earlier.number]
    assert "仍然登记为新问题" in html
    assert Problem.objects.count() == 1

    response = client.post(NEW, {**data, "confirm": "1"})
    assert response.status_code == 302
    assert Problem.objects.count() == 2


def test_no_duplicate_suggested_for_another_organization(new, users, client_as, town, today):
    new(description=DESCRIPTION)
    data = _form(town, users["secretary_b"], today, organization=town["branch_b"].pk, description=DESCRIPTION, external_ref="")
    response = client_as(users["town_admin"]).post(NEW, data)
    assert response.status_code == 302
    assert Problem.objects.count() == 2


def test_similar_fragment_while_typing(new, users, client_as, town):
    earlier = new(description=DESCRIPTION)
    client = client_as(users["town_admin"])
    same = client.get(SIMILAR, {"description": "活动室长期闲置开放时间不固定", "organization": town["branch_a1"].pk})
    assert [p.number for p, _ in same.context["similar"]] == [earlier.number]
    assert earlier.number in same.content.decode()
    other = client.get(SIMILAR, {"description": "活动室长期闲置开放时间不固定", "organization": town["branch_b"].pk})
    assert other.context["similar"] == []
    assert other.content.decode().strip() == ""


def test_similar_fragment_shows_nothing_the_user_cannot_see(new, users, client_as, town):
    new(description=DESCRIPTION)
    response = client_as(users["secretary_b"]).get(SIMILAR, {"description": DESCRIPTION, "organization": town["branch_a1"].pk})
    assert response.context["similar"] == []


def test_similar_fragment_denied_to_member(users, client_as):
    assert client_as(users["member"]).get(SIMILAR, {"description": DESCRIPTION}).status_code == 404


# Detail and files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [("town_admin", 200), ("liaison", 200), ("secretary_a", 200), ("secretary_b", 404), ("member", 404), ("visitor", 404)],
)
def test_detail_per_role(role, status, new, users, client_as):
    problem = new()
    assert client_as(users[role]).get(f"/ledger/problems/{problem.pk}/").status_code == status


def test_detail_anonymous_is_sent_to_login(new, client_as):
    problem = new()
    assert client_as(None).get(f"/ledger/problems/{problem.pk}/")["Location"].startswith("/accounts/login/")


def test_member_who_owns_a_problem_sees_it_and_its_owner_steps(new, users, client_as):
    problem = new(owner=users["member"])
    response = client_as(users["member"]).get(f"/ledger/problems/{problem.pk}/")
    assert response.status_code == 200
    assert [a["name"] for a in response.context["actions"]] == ["start", "analyse", "dispute"]


def test_detail_offers_only_the_allowed_steps(new, users, client_as, owner):
    problem = new()
    admin = client_as(users["town_admin"]).get(f"/ledger/problems/{problem.pk}/").context
    assert [a["name"] for a in admin["actions"]] == [
        "start",
        "analyse",
        "close_immediate",
        "reassign",
        "postpone",
        "update",
        "merge",
        "withdraw",
    ]
    liaison = client_as(users["liaison"]).get(f"/ledger/problems/{problem.pk}/").context
    assert [a["name"] for a in liaison["actions"]] == ["close_immediate", "reassign", "postpone", "update", "merge", "withdraw"]
    assert liaison["measure_form"] is None
    mine = client_as(owner).get(f"/ledger/problems/{problem.pk}/").context
    assert [a["name"] for a in mine["actions"]] == ["start", "analyse", "dispute"]
    assert mine["measure_form"] is not None


def test_detail_shows_overdue_badge(new, users, client_as, today):
    problem = new()
    Problem.objects.filter(pk=problem.pk).update(deadline=today - dt.timedelta(days=2))
    html = client_as(users["town_admin"]).get(f"/ledger/problems/{problem.pk}/").content.decode()
    assert "已超期2天" in html


def test_attachment_download_checks_access(new, users, client_as, owner):
    problem = new()
    Problem.objects.filter(pk=problem.pk).update(state=Problem.State.IN_PROGRESS, fix_kind=Problem.FixKind.IMMEDIATE)
    problem.refresh_from_db()
    proof = SimpleUploadedFile("整改后.pdf", b"%PDF-1.4 after", content_type="application/pdf")
    problem_submit(problem=problem, by=owner, evidence="已修复", files=[proof])
    item = ProblemAttachment.objects.get()
    assert item.is_evidence is True
    url = f"/ledger/problems/{problem.pk}/files/{item.pk}/"
    response = client_as(users["liaison"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 after"
    assert client_as(users["secretary_b"]).get(url).status_code == 404
    assert client_as(users["member"]).get(url).status_code == 404
    other = new(description="另一个问题：村务公开不及时")
    assert client_as(users["town_admin"]).get(f"/ledger/problems/{other.pk}/files/{item.pk}/").status_code == 404
    html = client_as(users["town_admin"]).get(f"/ledger/problems/{problem.pk}/").content.decode()
    assert '整改后.pdf</a> <span class="badge text-bg-success">整改佐证</span>' in html


def test_navigation_entry_for_staff_only(users, client_as):
    assert "问题清单" in client_as(users["secretary_a"]).get("/").content.decode()
    assert "问题清单" not in client_as(users["member"]).get("/").content.decode()


def test_an_unrelated_user_sees_nothing(new, client_as):
    problem = new()
    stranger = f.UserFactory(username="stranger")
    assert client_as(stranger).get(f"/ledger/problems/{problem.pk}/").status_code == 404


# Home page to-dos -------------------------------------------------------------------------


def _todos(response):
    return {item.key: (item.count, [link.note for link in item.links]) for item in response.context["todos"]}


def test_home_lists_my_overdue_problems_and_those_awaiting_my_check(new, users, client_as, owner, today):
    late = new(description="村务公开栏内容三个月未更新")
    Problem.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=3))
    waiting = new(description="党费收缴记录不完整")
    Problem.objects.filter(pk=waiting.pk).update(state=Problem.State.AWAITING_CHECK, fix_kind="immediate", evidence="已补记")
    new(description="按期推进中的问题")

    mine = _todos(client_as(owner).get("/"))
    assert mine["problems_overdue"] == (1, [f"{late.number}，已超期3天"])
    assert "problems_to_check" not in mine

    above = _todos(client_as(users["secretary_a"]).get("/"))
    assert above["problems_to_check"] == (1, [f"{waiting.number}，东村第一党支部"])
    assert "problems_overdue" not in above
    assert "problems_to_check" not in _todos(client_as(users["secretary_b"]).get("/"))


def test_home_of_a_member_who_owns_an_overdue_problem(new, users, client_as, today):
    late = new(owner=users["member"])
    Problem.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=1))
    response = client_as(users["member"]).get("/")
    items = response.context["problem_todos"]
    assert [(i.key, i.count, i.more_url) for i in items] == [("problems_overdue", 1, "")]
    assert f'href="/ledger/problems/{late.pk}/"' in response.content.decode()
