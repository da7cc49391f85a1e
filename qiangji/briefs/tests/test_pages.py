"""Pages of the work brief: draft, edit, issue, drill-downs, exports; allow/deny per role."""

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from qiangji.briefs.models import WorkBrief
from qiangji.briefs.selectors import FIGURES
from qiangji.briefs.services import brief_create, brief_issue
from qiangji.briefs.tests.conftest import END, EXPECTED, START
from qiangji.core.models import ChangeRecord
from qiangji.ledger.models import Problem
from qiangji.orglife.models import Meeting

CREATE = {"start": "2026-01-01", "end": "2026-06-30", "style": "exact", "title": ""}


@pytest.fixture
def draft(world, users, town):
    return brief_create(by=users["town_admin"], start=START, end=END, organization=town["town"])


def _snapshot(brief):
    brief.refresh_from_db()
    return (brief.text, brief.figures, brief.generated_text, brief.status, brief.version)


def test_the_town_drafts_a_brief_from_the_figures(client_as, users, town, world):
    response = client_as(users["town_admin"]).post("/briefs/new/", {**CREATE, "organization": town["town"].pk})
    brief = WorkBrief.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/briefs/{brief.pk}/"
    assert brief.title == "竖新镇党委2026年1月1日至2026年6月30日基层党建工作简报"
    assert brief.status == "draft" and brief.created_by == users["town_admin"]
    assert {k: f["value"] for k, f in brief.figures.items()} == {k: v[0] for k, v in EXPECTED.items()}
    assert brief.text == brief.generated_text
    assert "共计自查自纠问题3个，其中即知即改2个，已整改销号1个，建立或落实长效机制防止问题再次发生1个。" in brief.text
    assert "针对年老体弱党员，坚持“送学上门”3次，确保党员一个“不掉队”" in brief.text
    assert "组建1个指导联络组，分片对1家单位的3个基层党组织进行指导联系" in brief.text
    assert "新兴领域党的组织覆盖率达33.3%，工作覆盖率达66.7%" in brief.text


def test_a_publicity_brief_rounds_and_says_so(users, town, world, client_as):
    brief = brief_create(by=users["town_admin"], start=START, end=END, organization=town["town"], style="publicity")
    assert brief.text.endswith("注：本稿为宣传稿口径，文中数字为约数，准确数字见附表。")
    assert "组织覆盖率达超33%" in brief.text
    body = client_as(users["town_admin"]).get(f"/briefs/{brief.pk}/").content.decode()
    assert "宣传稿" in body


def test_a_bad_range_is_refused_in_chinese_and_nothing_is_made(client_as, users, town, world):
    response = client_as(users["town_admin"]).post(
        "/briefs/new/", {**CREATE, "end": "2025-01-01", "organization": town["town"].pk}
    )
    assert response.status_code == 400
    assert "结束日期不能早于开始日期。" in response.content.decode()
    assert not WorkBrief.objects.exists()


def test_a_secretary_drafts_for_their_subtree_only(client_as, users, town, world):
    client = client_as(users["secretary_a"])
    response = client.post("/briefs/new/", {**CREATE, "organization": town["town"].pk})
    assert response.status_code == 400 and not WorkBrief.objects.exists()
    response = client.post("/briefs/new/", {**CREATE, "organization": town["village_a"].pk})
    brief = WorkBrief.objects.get()
    assert response.status_code == 302 and brief.organization == town["village_a"]
    assert brief.figures["problems"]["value"] == EXPECTED["problems"][1]


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("secretary_a", 200), ("liaison", 403), ("member", 404), ("visitor", 404), ("anonymous", 302)],
)
def test_who_may_open_the_draft_form(client_as, users, role, status, world):
    assert client_as(users[role]).get("/briefs/new/").status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("secretary_a", 404), ("secretary_b", 404), ("liaison", 404), ("member", 404), ("visitor", 404)],
)
def test_who_sees_a_town_brief(client_as, users, draft, role, status):
    for path in ("", "word/", "excel/"):
        assert client_as(users[role]).get(f"/briefs/{draft.pk}/{path}").status_code == status


@pytest.mark.parametrize(("role", "count"), [("town_admin", 2), ("secretary_a", 1), ("secretary_b", 0), ("liaison", 1)])
def test_the_list_shows_each_role_its_own_briefs(client_as, users, town, draft, role, count):
    brief_create(by=users["secretary_a"], start=START, end=END, organization=town["village_a"])
    response = client_as(users[role]).get("/briefs/")
    assert response.status_code == 200 and len(response.context["page"].object_list) == count


def test_the_list_has_a_pinned_number_of_queries(client_as, users, town, world, django_assert_num_queries):
    for _ in range(3):
        brief_create(by=users["town_admin"], start=START, end=END, organization=town["town"])
    client = client_as(users["town_admin"])
    client.get("/briefs/")
    with django_assert_num_queries(8):
        client.get("/briefs/")
    brief_create(by=users["town_admin"], start=START, end=END, organization=town["village_a"])
    with django_assert_num_queries(8):
        client.get("/briefs/")


def test_the_town_edits_then_issues_and_later_records_change_nothing(client_as, users, town, draft):
    client = client_as(users["town_admin"])
    response = client.post(f"/briefs/{draft.pk}/", {"title": "竖新镇上半年工作简报", "text": "改写后的正文。", "version": 1})
    assert response.status_code == 302
    assert client.post(f"/briefs/{draft.pk}/issue/", {"version": 2}).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.issued_by, draft.text, draft.title) == (
        "issued",
        users["town_admin"],
        "改写后的正文。",
        "竖新镇上半年工作简报",
    )
    frozen = _snapshot(draft)

    Meeting.objects.create(organization=town["branch_a1"], kind="lecture", date=dt.date(2026, 6, 1), status="held", topic="补记")
    Problem.objects.update(registered_on=dt.date(2026, 6, 1))
    # Refreshing, editing and issuing again are refused; the brief is as issued.
    assert client.post(f"/briefs/{draft.pk}/refresh/", {"version": 3}).status_code == 302
    assert client.post(f"/briefs/{draft.pk}/", {"title": "再改", "text": "再改", "version": 3}).status_code == 403
    assert client.post(f"/briefs/{draft.pk}/issue/", {"version": 3}).status_code == 302
    assert _snapshot(draft) == frozen
    body = client.get(f"/briefs/{draft.pk}/").content.decode()
    assert "已签发" in body and "改写后的正文。" in body
    reasons = list(ChangeRecord.objects.filter(object_id=draft.pk).order_by("pk").values_list("action", "reason"))
    assert reasons == [("create", ""), ("update", ""), ("update", "签发")]


def test_refreshing_a_draft_follows_the_records(users, town, draft, client_as):
    Meeting.objects.create(organization=town["branch_a1"], kind="lecture", date=dt.date(2026, 6, 1), status="held", topic="补记")
    assert client_as(users["town_admin"]).post(f"/briefs/{draft.pk}/refresh/", {"version": 1}).status_code == 302
    draft.refresh_from_db()
    assert draft.figures["meetings_held"]["value"] == EXPECTED["meetings_held"][0] + 1
    assert "召开“三会一课”和主题党日5次" in draft.text


def test_a_stale_edit_is_refused_and_the_first_stays(client_as, users, draft):
    client = client_as(users["town_admin"])
    assert client.post(f"/briefs/{draft.pk}/", {"title": "第一", "text": "第一稿", "version": 1}).status_code == 302
    response = client.post(f"/briefs/{draft.pk}/", {"title": "第二", "text": "第二稿", "version": 1})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert (draft.title, draft.text, draft.version) == ("第一", "第一稿", 2)


@pytest.mark.parametrize("role", ["secretary_a", "liaison", "member", "visitor"])
def test_others_cannot_edit_or_issue_a_town_brief(client_as, users, draft, role):
    before = _snapshot(draft)
    client = client_as(users[role])
    assert client.post(f"/briefs/{draft.pk}/", {"title": "x", "text": "y", "version": 1}).status_code == 404
    assert client.post(f"/briefs/{draft.pk}/issue/", {"version": 1}).status_code == 404
    assert _snapshot(draft) == before


def test_a_liaison_member_reads_but_cannot_issue_the_groups_brief(client_as, users, world):
    brief = brief_create(by=users["town_admin"], start=START, end=END, group=world["group"])
    before = _snapshot(brief)
    client = client_as(users["liaison"])
    assert client.get(f"/briefs/{brief.pk}/").status_code == 200
    assert client.post(f"/briefs/{brief.pk}/issue/", {"version": 1}).status_code == 403
    assert _snapshot(brief) == before


def test_issue_service_refuses_one_who_does_not_manage_the_part(users, draft):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        brief_issue(by=users["secretary_a"], brief=draft)
    assert _snapshot(draft)[3] == "draft"


def test_the_word_document_reads_back_with_its_figures(client_as, users, draft):
    brief_issue(by=users["town_admin"], brief=draft)
    response = client_as(users["town_admin"]).get(f"/briefs/{draft.pk}/word/")
    assert response.status_code == 200
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0] == draft.title
    assert any(t.startswith("理论武装与组织生活。") for t in texts) and "附表：主要数据" in texts
    title_run = doc.paragraphs[0].runs[0]
    body_run = next(p for p in doc.paragraphs if p.text.startswith("理论武装")).runs[0]
    east_asian = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    assert title_run._element.rPr.rFonts.get(east_asian) == "方正小标宋简体"
    assert body_run._element.rPr.rFonts.get(east_asian) == "仿宋_GB2312"
    table = doc.tables[0]
    read = {row.cells[2].text: row.cells[3].text for row in table.rows[1:]}
    assert len(read) == len(FIGURES)
    assert read["送学上门"] == "3" and read["自查自纠问题"] == "3" and read["组织覆盖率"] == "33.3"


def test_the_excel_holds_the_figures(client_as, users, draft):
    response = client_as(users["town_admin"]).get(f"/briefs/{draft.pk}/excel/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "类别", "指标", "数值", "单位")
    values = {r[2]: r[3] for r in rows[1:]}
    assert len(values) == len(FIGURES) and values["召开“三会一课”和主题党日"] == 4


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_drill_down_page_lists_as_many_rows_as_the_figure(client_as, users, town, world, key):
    query = {"from": "2026-01-01", "to": "2026-06-30", "organization": town["village_a"].pk, "per_page": 100}
    response = client_as(users["town_admin"]).get(f"/briefs/figures/{key}/", query)
    assert response.status_code == 200
    figure = next(f for f in FIGURES if f.key == key)
    if not figure.is_rate:
        assert len(response.context["rows"]) == response.context["count"] == EXPECTED[key][1]


def test_the_live_page_links_each_figure_to_its_records(client_as, users, town, world):
    response = client_as(users["town_admin"]).get("/briefs/figures/", {"from": "2026-01-01", "to": "2026-06-30"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="/briefs/figures/home_study_visits/?from=2026-01-01&amp;to=2026-06-30&amp;organization=' in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-13-01"}, "开始日期格式应为YYYY-MM-DD。"),
        ({"from": "2026-06-01", "to": "2026-01-01"}, "结束日期不能早于开始日期。"),
        ({"organization": "abc"}, "党组织编号应为正整数。"),
    ],
)
def test_bad_filters_answer_in_chinese(client_as, users, world, query, message):
    response = client_as(users["town_admin"]).get("/briefs/figures/", query)
    assert response.status_code == 400 and message in response.content.decode()


def test_an_organization_outside_scope_is_a_404(client_as, users, town, world):
    client = client_as(users["secretary_b"])
    assert client.get("/briefs/figures/", {"organization": town["village_a"].pk}).status_code == 404
    assert client.get("/briefs/figures/problems/", {"organization": town["village_a"].pk}).status_code == 404
    assert client.get("/briefs/figures/nonsense/").status_code == 404
