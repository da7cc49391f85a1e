"""GET /api/v1/briefs/figures and `manage.py work_brief`: the same figures and sentences as the page."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from qiangji.briefs.tests.conftest import EXPECTED

RANGE = {"from": "2026-01-01", "to": "2026-06-30"}


def test_the_figures_as_json(api_as, users, town, world):
    response = api_as(users["town_admin"]).get("/briefs/figures", RANGE)
    assert response.status_code == 200
    body = response.json()
    assert {k: f["value"] for k, f in body["figures"].items()} == {k: v[0] for k, v in EXPECTED.items()}
    assert body["figures"]["home_study_visits"] == {"label": "送学上门", "value": 3, "unit": "次", "section": "theory"}
    assert len(body["paragraphs"]) == 6 and body["paragraphs"][0].startswith("理论武装与组织生活。")
    assert (body["start"], body["end"], body["part"], body["style"]) == ("2026-01-01", "2026-06-30", "竖新镇党委", "exact")


def test_a_subtree_and_a_group(api_as, users, town, world):
    village = api_as(users["town_admin"]).get("/briefs/figures", {**RANGE, "organization": town["village_a"].pk}).json()
    assert {k: f["value"] for k, f in village["figures"].items()} == {k: v[1] for k, v in EXPECTED.items()}
    group = api_as(users["liaison"]).get("/briefs/figures", {**RANGE, "group": world["group"].pk}).json()
    assert group["part"] == "第一指导联络组联系的党组织" and group["figures"]["problems"]["value"] == 2


def test_publicity_style_rounds(api_as, users, world):
    body = api_as(users["town_admin"]).get("/briefs/figures", {**RANGE, "style": "publicity"}).json()
    assert "组织覆盖率达超33%" in body["paragraphs"][5]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"from": "2026-02-30"}, {"from": ["开始日期格式应为YYYY-MM-DD。"]}),
        ({"from": "2026-06-01", "to": "2026-01-01"}, {"to": ["结束日期不能早于开始日期。"]}),
        ({"from": "1900-01-01", "to": "2026-01-01"}, {"to": ["统计区间最长五年。"]}),
        ({"organization": "x1"}, {"organization": ["党组织编号应为正整数。"]}),
        ({"organization": "99999999999999999999"}, {"organization": ["党组织编号应为正整数。"]}),
        ({"style": "loud"}, {"style": ["口径应为 exact（准确数字）或 publicity（宣传稿）。"]}),
    ],
)
def test_bad_input_is_a_chinese_422(api_as, users, world, params, errors):
    response = api_as(users["town_admin"]).get("/briefs/figures", params)
    assert response.status_code == 422 and response.json()["errors"] == errors


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_admin", 200), ("secretary_a", 200), ("secretary_b", 404), ("liaison", 200), ("member", 403), ("visitor", 403)],
)
def test_who_may_read_the_villages_figures(api_as, users, town, world, role, status):
    response = api_as(users[role]).get("/briefs/figures", {**RANGE, "organization": town["village_a"].pk})
    assert response.status_code == status


def test_a_missing_organization_or_group_is_a_404(api_as, users, world):
    client = api_as(users["town_admin"])
    assert client.get("/briefs/figures", {"organization": 987654}).status_code == 404
    assert client.get("/briefs/figures", {"group": 987654}).status_code == 404
    assert api_as(users["secretary_a"]).get("/briefs/figures", {"group": world["group"].pk}).status_code == 404
    assert api_as(None).get("/briefs/figures").status_code == 401


def test_the_command_prints_the_json_and_writes_the_word_file(world, town, tmp_path):
    out = io.StringIO()
    path = tmp_path / "brief.docx"
    call_command(
        "work_brief",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--json",
        "--docx",
        str(path),
        stdout=out,
        stderr=io.StringIO(),
    )
    body = json.loads(out.getvalue())
    assert {k: f["value"] for k, f in body["figures"].items()} == {k: v[0] for k, v in EXPECTED.items()}
    doc = Document(str(path))
    read = {row.cells[2].text: row.cells[3].text for row in doc.tables[0].rows[1:]}
    assert read["送学上门"] == "3" and read["交流研讨"] == "2"

    out = io.StringIO()
    call_command(
        "work_brief", "--from", "2026-01-01", "--to", "2026-06-30", "--organization", str(town["village_a"].pk), stdout=out
    )
    assert "共计自查自纠问题2个，其中即知即改1个" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-1-1", "--to", "2026-06-30"], "开始日期格式应为YYYY-MM-DD：2026-1-1"),
        (["--from", "2026-06-30", "--to", "2026-01-01"], "结束日期不能早于开始日期。"),
        (["--from", "2026-01-01", "--to", "2026-06-30", "--organization", "987654"], "没有编号为987654的党组织。"),
    ],
)
def test_the_command_refuses_bad_input_in_chinese(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("work_brief", *args, stdout=io.StringIO())
