"""User text is text, by every way text comes in: the public no-login forms, the API, a district
sheet imported row by row, a visit's facts. Each stores the payload as typed, and every page and
htmx fragment that shows it prints it escaped, never as markup (test_user_text_is_text.py crawls
all pages with the payload planted in every column)."""

import datetime as dt
import io
import json
import re
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from qiangji import factories as f
from qiangji.accounts.models import RoleGrant
from qiangji.campaign.models import ChecklistItem, Entity, VisitTask, VisitTeam, VoiceMessage
from qiangji.core.models import ImportBatch
from qiangji.core.spreadsheets.registry import get_importer
from qiangji.core.spreadsheets.services import import_batch_commit, import_batch_upload
from qiangji.core.validators import credit_check_char
from qiangji.council.models import Opinion, Project
from qiangji.council.services import bulletin_publish
from qiangji.ledger.models import Problem, PublicReport
from qiangji.members.models import Member
from qiangji.orglife.models import Meeting
from qiangji.orgs.models import Chain, Organization
from tests.workbooks import xlsx_bytes

PAYLOAD = '"><img src=x onerror=alert(1)> <div hx-post="/accounts/" hx-trigger="load">{{7*7}}</div>'
RAW = ("<img src=x onerror", '<div hx-post="/accounts/"')
# Names lose their spaces when typed; a slash separates attributes as well as a space does.
NAME = '"><img/src=x/onerror=alert(1)><div/hx-post="/accounts/"/hx-trigger="load">{{7*7}}</div>'
RAW_NAME = ("<img/src=x", '<div/hx-post="/accounts/"')
HX = {"HX-Request": "true"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def shows_no_markup(response) -> None:
    assert response.status_code == 200
    assert not [m for m in RAW if m in response.content.decode()]


def shows_as_text(response, *, whole: bool = True, text: str = PAYLOAD, raw: tuple[str, ...] = RAW) -> str:
    """The page answered and carries the payload escaped (a list may shorten it), never as markup."""
    assert response.status_code == 200
    body = response.content.decode()
    for marker in raw:
        assert marker not in body
    assert escape(text if whole else text[:20]) in body
    return body


def credit_code(seq: int) -> str:
    first17 = f"92310151MA{seq:07d}"
    return first17 + credit_check_char(first17)


# The public side ---------------------------------------------------------------------------------


def test_public_report_is_text_on_the_towns_pages(town, users, client_as):
    response = Client().post(
        "/ledger/report/",
        {"description": PAYLOAD, "village": "", "name": "王阿姨", "phone": "", "website": ""},
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code == 302
    report = PublicReport.objects.get()
    assert report.description == PAYLOAD
    admin = client_as(users["town_admin"])
    shows_as_text(admin.get("/ledger/reports/"), whole=False)
    shows_as_text(admin.get("/ledger/reports/", headers=HX), whole=False)
    shows_as_text(admin.get(f"/ledger/reports/{report.pk}/"))


def test_council_opinion_is_text_for_the_organization(town, users, client_as):
    project = Project.objects.create(name="东村和美乡村建设", organization=town["village_a"], description="河道整治")
    body = "河道整治已完成，村道硬化进行中。"
    bulletin = bulletin_publish(project=project, by=users["secretary_a"], title="进度通报", body=body)
    response = Client(REMOTE_ADDR="10.1.2.3").post(
        f"/council/hall/bulletins/{bulletin.pk}/",
        {"content": PAYLOAD, "author_name": "张阿姨", "phone": "", "website": ""},
    )
    assert response.status_code == 302
    assert Opinion.objects.get().content == PAYLOAD
    for user in (users["town_admin"], users["secretary_a"]):
        shows_as_text(client_as(user).get(f"/council/projects/{project.pk}/"))


def test_campaign_voice_is_text_for_the_town(town, users, client_as):
    chain = Chain.objects.create(name="蔬菜链")
    response = Client().post(
        f"/campaign/voice/chain/{chain.pk}/",
        {"content": PAYLOAD, "author_name": "", "workplace": "", "website": ""},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302
    message = VoiceMessage.objects.get()
    assert message.content == PAYLOAD
    admin = client_as(users["town_admin"])
    shows_as_text(admin.get("/campaign/voice/messages/"), whole=False)
    shows_as_text(admin.get("/campaign/voice/messages/", headers=HX), whole=False)
    shows_as_text(admin.get(f"/campaign/voice/messages/{message.pk}/"))


# A signed-in page form ---------------------------------------------------------------------------


def test_an_organization_named_with_markup_is_text_wherever_it_is_named(town, users, client_as):
    """A name typed into a page form shows up in the tree, its page, the breadcrumbs and the other
    forms' choices: as text everywhere."""
    client = client_as(users["secretary_a"])
    data = {"name": NAME, "kind": "branch", "parent": town["village_a"].pk, "term_start": "", "term_end": ""}
    response = client.post("/orgs/new/", data)
    created = Organization.objects.get(name=NAME)
    assert response.status_code == 302 and response["Location"] == f"/orgs/{created.pk}/"
    for url in (f"/orgs/{created.pk}/", f"/orgs/{created.pk}/edit/", "/orgs/", "/members/new/", "/ledger/problems/new/"):
        shows_as_text(client.get(url), text=NAME, raw=RAW_NAME)


def test_an_address_is_text_when_revealed(town, users, client_as):
    """Encrypted columns are not planted by the crawl; the address shown in full after 查看完整信息
    (the htmx fragment and the whole page) is text too."""
    member = f.member(organization=town["branch_a1"], name="张党员")
    member.address = PAYLOAD
    member.save()
    client = client_as(users["secretary_a"])
    shows_no_markup(client.get(f"/members/{member.pk}/"))
    shows_as_text(client.post(f"/members/{member.pk}/reveal/", headers=HX))
    shows_as_text(client.post(f"/members/{member.pk}/reveal/"))


# The API -----------------------------------------------------------------------------------------


def test_a_problem_registered_through_the_api_is_text_on_its_pages(town, users, api_as, client_as):
    owner = f.UserFactory(username="sec_a1", display_name="一支部书记")
    f.grant(owner, RoleGrant.Role.SECRETARY, town["branch_a1"], title="书记")
    response = api_as(users["town_admin"]).post(
        "/problems",
        {
            "source": "hotline",
            "organization": town["branch_a1"].pk,
            "description": PAYLOAD,
            "external_ref": "12345-0001",
            "owner": owner.pk,
            "deadline": "2099-12-31",
        },
    )
    assert response.status_code == 201, response.json()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    problem = Problem.objects.get()
    assert problem.description == PAYLOAD
    for user in (users["town_admin"], owner):
        client = client_as(user)
        shows_as_text(client.get(f"/ledger/problems/{problem.pk}/"))
        shows_as_text(client.get("/ledger/problems/"), whole=False)
        shows_as_text(client.get("/ledger/problems/", headers=HX), whole=False)


# A district sheet and the visit that checks it ----------------------------------------------------


@pytest.fixture
def team(town, users):
    grid = town["village_a"].village.grid
    made = VisitTeam.objects.create(name="第一网格三人行一队", grid=grid, leader=users["visitor"])
    made.members.set([users["visitor"]])
    return made


def district_sheet(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["主体名称", "统一社会信用代码", "主体类型", "所在村居", "经营地址", "负责人", "联系电话", "从业人员数"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_imported_district_row_is_text_in_the_visit_forms_help(team, users, client_as, tmp_path):
    """The visit form says each fact's current value in its help text: a row of the district's
    sheet must not become markup there (nor on the task and batch pages)."""
    path = tmp_path / "底数.xlsx"
    path.write_bytes(district_sheet([["新开民宿", credit_code(1), "民宿", "东村", PAYLOAD, PAYLOAD[:30], "", 3]]))
    call_command("import_entities", str(path), "--full", "--json", stdout=io.StringIO())
    task = VisitTask.objects.get()
    visitor = client_as(users["visitor"])
    form = shows_as_text(visitor.get(f"/campaign/tasks/{task.pk}/visit/"))
    assert escape(f"现为：{PAYLOAD}") in form
    shows_as_text(visitor.get(f"/campaign/tasks/{task.pk}/"))
    admin = client_as(users["town_admin"])
    shows_as_text(admin.get(f"/campaign/batches/{task.record.batch_id}/"))


def test_a_visits_facts_are_text_on_the_review_pages(team, users, api_as, client_as, tmp_path):
    path = tmp_path / "底数.xlsx"
    path.write_bytes(district_sheet([["新开民宿", credit_code(2), "民宿", "东村", "东村8号", "钱老板", "", 3]]))
    call_command("import_entities", str(path), "--full", "--json", stdout=io.StringIO())
    task = VisitTask.objects.get()
    response = api_as(users["visitor"]).post(
        f"/visit-tasks/{task.pk}/visits",
        {
            "client_uuid": str(uuid.uuid4()),
            "visited_on": "2026-11-21",
            "checklist": [str(pk) for pk in ChecklistItem.objects.filter(active=True).values_list("pk", flat=True)],
            "facts": {"address": PAYLOAD, "person_in_charge": PAYLOAD[:30]},
            "needs": PAYLOAD,
            "problems": PAYLOAD,
            "card_number": "XLX-0101",
            "notes": PAYLOAD,
        },
    )
    assert response.status_code == 201, response.json()
    visit = task.visits.get()
    assert (visit.facts["address"], visit.needs) == (PAYLOAD, PAYLOAD)
    admin = client_as(users["town_admin"])
    shows_as_text(admin.get(f"/campaign/visits/{visit.pk}/"))
    shows_no_markup(admin.get("/campaign/review/"))
    shows_no_markup(admin.get("/campaign/review/", headers=HX))
    # Approving writes the facts into the register; the entity's pages and its history show them.
    assert admin.post(f"/campaign/visits/{visit.pk}/review/", {"action": "approve", "comment": ""}).status_code in (200, 302)
    entity = Entity.objects.get()
    assert entity.address == PAYLOAD
    shows_as_text(admin.get(f"/campaign/entities/{entity.pk}/"))
    shows_as_text(admin.get(f"/campaign/entities/{entity.pk}/edit/"))


# The page's own machinery --------------------------------------------------------------------------


def test_every_page_configures_htmx_defensively(db):
    """No eval (hx-on, js: values), no requests to other hosts, no scripts from responses, no
    inline indicator styles (the CSP allows no inline style), no page copies kept in localStorage."""
    body = Client().get("/accounts/login/").content.decode()
    metas = re.findall(r"<meta name=\"htmx-config\" content='([^']*)'>", body)
    assert [json.loads(m) for m in metas] == [
        {
            "includeIndicatorStyles": False,
            "allowEval": False,
            "allowScriptTags": False,
            "selfRequestsOnly": True,
            "historyCacheSize": 0,
        }
    ]
    assert "hx-on" not in body


ROOT = Path(__file__).resolve().parents[1]
# Markup built in code from escaped parts (format_html escapes every argument); reviewed files only.
FORMAT_HTML_FILES = {"qiangji/home/templatetags/qj.py", "qiangji/accounts/forms.py"}


def test_no_template_or_code_marks_data_safe():
    """Autoescaping is never switched off: no |safe, |safeseq or autoescape off in a template, no
    mark_safe or SafeString in code, and format_html only where its arguments are reviewed."""
    templates = sorted(ROOT.glob("templates/**/*.html"))
    assert len(templates) > 100
    unsafe = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off|\bhx-on")
    assert [str(t.relative_to(ROOT)) for t in templates if unsafe.search(t.read_text())] == []
    code = [p for p in ROOT.glob("qiangji/**/*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    marked = re.compile(r"\bmark_safe\b|\bSafeString\b|\bSafeText\b|is_safe\s*=\s*True|\bhx-on")
    assert [str(p.relative_to(ROOT)) for p in code if marked.search(p.read_text())] == []
    assert {str(p.relative_to(ROOT)) for p in code if "format_html" in p.read_text()} == FORMAT_HTML_FILES
    scripts = sorted(ROOT.glob("static/js/*.js"))
    html_sinks = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function")
    assert [p.name for p in scripts if html_sinks.search(p.read_text())] == []


@pytest.mark.parametrize("target", ["/\\evil.example/", "//evil.example/", "javascript:alert(1)", "https://evil.example/"])
def test_the_home_study_forms_way_back_stays_on_this_site(target, town, users, client_as):
    member = f.member(organization=town["branch_a1"], name="张党员")
    response = client_as(users["secretary_a"]).get(f"/orglife/home-study/visit/{member.pk}/", {"next": target})
    assert response.status_code == 200
    assert response.context["back"] == f"/orglife/home-study/{town['branch_a1'].pk}/"


def test_help_text_markup_built_in_code_stays_markup(users, client_as):
    """The password rules are a list made by format_html from escaped parts: the template prints
    help texts without |safe, and this one still comes out as a list, not as escaped tags."""
    body = client_as(users["town_admin"]).get("/accounts/users/new/").content.decode()
    assert '<div class="form-text"><ul><li>' in body
    assert "<p>首次登录时须由本人修改。</p></div>" in body
    assert "&lt;ul&gt;" not in body and "&lt;p&gt;" not in body


# Every importer: a sheet carrying the payload in its cells --------------------------------------

SHORT = '"><b hx-get="/accounts/" hx-trigger="load">x'  # fits a name column (50 characters)
RAW_SHORT = ('<b hx-get="/accounts/"', "<bhx-get")  # names lose their spaces


def _valid_rows(kind: str, users) -> tuple[list[list], Any]:
    """A header and one valid row with markup in its free text, and where the record shows."""
    if kind == "members":
        id_number = f.fake_id_number(birth=dt.date(1980, 1, 2), seq=71)
        rows = [
            ["姓名", "公民身份号码", "所在党组织", "入党日期", "人员类别"],
            [SHORT, id_number, "东村第一党支部", dt.date(2025, 7, 1), "预备党员"],
        ]
        return rows, lambda batch: f"/members/{Member.objects.get(name__contains='hx-get').pk}/"
    if kind == "organizations":
        rows = [["组织名称", "组织类别", "上级组织", "所在单位"], [SHORT, "党支部", "东村党总支", SHORT]]
        return rows, lambda batch: f"/orgs/{Organization.objects.get(name__contains='hx-get').pk}/"
    if kind == "meetings":
        rows = [
            ["党组织", "会议类型", "日期", "地点", "主题"],
            ["东村第一党支部", "主题党日", dt.date(2026, 3, 5), PAYLOAD, PAYLOAD],
        ]
        return rows, lambda batch: f"/orglife/{Meeting.objects.get(topic__contains='hx-post').pk}/"
    if kind == "problems":
        rows = [
            ["工单编号", "来源", "受理时间", "诉求内容", "所属村居", "责任单位", "责任人"],
            ["20260520001", "12345热线", dt.date(2026, 11, 20), PAYLOAD, "东村", "东村第一党支部", users["secretary_a"].username],
        ]
        return rows, lambda batch: f"/ledger/problems/{Problem.objects.get(external_ref='20260520001').pk}/"
    rows = [
        ["主体名称", "统一社会信用代码", "主体类型", "所在村居", "经营地址", "负责人"],
        [SHORT, credit_code(7), "民宿", "东村", PAYLOAD, SHORT],
    ]
    # A district row becomes a register record to verify; the batch's own page lists it.
    return rows, lambda batch: get_importer(kind).committed_page(batch)


@pytest.mark.parametrize("kind", ["members", "organizations", "meetings", "problems", "entities"])
def test_every_importer_shows_a_sheets_markup_as_text(kind, town, users, client_as, settings, tmp_path, freeze_day):
    """The valid row's record, the preview (summaries and reasons quoting cells), and the error
    file of a row whose every cell is the payload: text everywhere, never markup or a formula."""
    freeze_day("2026-11-25")
    settings.MEDIA_ROOT = tmp_path
    importer = get_importer(kind)
    header, valid = _valid_rows(kind, users)
    hostile = [PAYLOAD] * len(header[0])
    data = xlsx_bytes([header[0], header[1], hostile])
    admin = client_as(users["town_admin"])

    # The district list says whether it is the full register; a partial one marks nothing gone.
    options = {"list": "partial"} if kind == "entities" else None
    batch = import_batch_upload(user=users["town_admin"], kind=kind, file_name="表格.xlsx", data=data, options=options)

    preview = admin.get(f"/imports/{batch.pk}/")
    body = preview.content.decode()
    assert preview.status_code == 200 and not [m for m in RAW + RAW_SHORT if m in body]
    assert escape(SHORT) in body or escape(PAYLOAD[:20]) in body
    errors = admin.get(f"/imports/{batch.pk}/errors.xlsx")
    assert errors.status_code == 200, importer.kind
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content) if errors.streaming else errors.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert PAYLOAD in {c.value for c in cells} and not [c for c in cells if c.data_type == "f"]

    committed = import_batch_commit(batch=ImportBatch.objects.get(pk=batch.pk), by=users["town_admin"])
    assert committed.counts["invalid"] == 1, list(committed.rows.values_list("messages", flat=True))
    assert committed.counts.get("new", 0) + committed.counts.get("changed", 0) >= 1
    page = admin.get(valid(committed))
    body = page.content.decode()
    assert page.status_code == 200 and not [m for m in RAW + RAW_SHORT if m in body]
    assert "&lt;b" in body or "&lt;img src=x onerror" in body
