"""A summary as a Word document (python-docx): the same sentences and tables as its page, set in
the fonts an official document uses (方正小标宋/黑体/仿宋, falling back to 宋体 where absent);
charts stay on the page."""

import io
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from qiangji.campaign.models import Summary
from qiangji.campaign.summary_report import (
    carrier_rows,
    change_short,
    grid_rows,
    paragraphs,
    rate,
    summary_title,
)
from qiangji.orgs.models import Organization

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"


def _font(run: Any, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # Word reads East Asian text from its own attribute; without it Chinese falls back to a Latin font.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _heading(doc: Any, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    _font(paragraph.add_run(text), HEADING_FONT, 16)


def _text(doc: Any, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.paragraph_format.line_spacing = Pt(28)
    _font(paragraph.add_run(text), BODY_FONT, 16)


def _table(doc: Any, headers: list[str], rows: list[list[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(header), HEADING_FONT, 11)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, 11)


def summary_docx(summary: Summary, problems: list[dict[str, Any]] | None = None) -> io.BytesIO:
    """The document, ready to send (a BytesIO at position 0); `problems` as the page lists them
    (with their ledger registration as it is now), else as stored."""
    f = summary.figures
    problems = f["problems"]["items"] if problems is None else problems
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(summary_title(summary)), TITLE_FONT, 22)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    town = Organization.objects.filter(parent=None).order_by("pk").values_list("name", flat=True).first() or ""
    _font(sub.add_run(f"{town}　{timezone.localtime(summary.generated_at):%Y年%m月%d日}生成".strip()), BODY_FONT, 14)

    _heading(doc, "一、总体情况")
    for line in paragraphs(summary):
        _text(doc, line)

    _heading(doc, "二、各走访队伍情况")
    _table(
        doc,
        ["走访队伍", "负责网格", "走访", "校核", "待办任务", "超期任务"],
        [[t["name"], t["grid"], t["visits"], t["verified"], t["open"], t["overdue"]] for t in f["teams"]],
    )

    _heading(doc, "三、各网格情况")
    _table(
        doc,
        ["网格", "走访", "在册主体", "覆盖率", "较上期", "待办任务", "超期任务"],
        [
            [g["name"], g["visits"], g["total"], rate(g["covered_rate"]), change_short(g["change"]), g["open"], g["overdue"]]
            for g in grid_rows(summary)
        ],
    )

    _heading(doc, "四、“5+2+7”载体覆盖情况")
    _table(
        doc,
        ["类别", "载体", "在册主体", "组织覆盖率", "工作覆盖率", "覆盖率", "较上期"],
        [
            [
                r["kind_label"],
                r["name"],
                r["total"],
                rate(r["org_rate"]),
                rate(r["work_rate"]),
                rate(r["covered_rate"]),
                change_short(r["change"]),
            ]
            for r in carrier_rows(summary)
        ],
    )

    _heading(doc, "五、走访发现的问题")
    if problems:
        _table(
            doc,
            ["走访日期", "主体", "走访队伍", "问题", "问题清单编号"],
            [[p["visited_on"], p["entity"], p["team"], p["text"], p["problem_number"] or "未登记"] for p in problems],
        )
    else:
        _text(doc, "走访中未发现问题。")

    if summary.kind == Summary.Kind.WEEKLY:
        _heading(doc, "六、每日走访与近8周趋势")
        _table(doc, ["日期", "走访", "校核"], [[d["date"], d["visits"], d["verified"]] for d in f["daily"]])
        doc.add_paragraph()
        _table(
            doc,
            ["周次", "走访", "校核", "周末覆盖率"],
            [[f"{w['start']}至{w['end']}", w["visits"], w["verified"], rate(w["covered_rate"])] for w in f["trend"]],
        )

    out = io.BytesIO()
    doc.save(out)
    out.seek(0)
    return out
