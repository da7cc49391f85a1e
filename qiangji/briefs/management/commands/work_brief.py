"""The work brief from the command line: its paragraphs (or the figures as JSON) for a range and
an organization's subtree, read as the whole town; `--docx` also writes it as a Word document."""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiangji.briefs.exports import brief_docx
from qiangji.briefs.models import WorkBrief
from qiangji.briefs.selectors import TownReader, brief_part, figures_payload
from qiangji.briefs.services import default_title
from qiangji.briefs.writing import brief_text, paragraphs
from qiangji.orgs.models import Organization


def _day(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}日期格式应为YYYY-MM-DD：{text}")


class Command(BaseCommand):
    help = "按日期区间和党组织生成工作简报（文字或JSON，可另存Word）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD")
        parser.add_argument("--organization", type=int, help="党组织编号（含下级），默认全镇")
        parser.add_argument("--style", choices=WorkBrief.Style.values, default=WorkBrief.Style.EXACT)
        parser.add_argument("--json", action="store_true", help="输出数据JSON：{figures, paragraphs}")
        parser.add_argument("--docx", metavar="FILE", help="另存为Word文件")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _day(options["start"], "开始"), _day(options["end"], "结束")
        if end < start:
            raise CommandError("结束日期不能早于开始日期。")
        organization = None
        if options["organization"] is not None:
            organization = Organization.objects.filter(pk=options["organization"]).first()
            if organization is None:
                raise CommandError(f"没有编号为{options['organization']}的党组织。")
        reader = TownReader()
        part = brief_part(user=reader, organization=organization)
        figures = figures_payload(start=start, end=end, part=part, user=reader)
        style = options["style"]
        if options["json"]:
            out = {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "part": part.label,
                "figures": {k: {"label": f["label"], "value": f["value"], "unit": f["unit"]} for k, f in figures.items()},
                "paragraphs": [f"{p.heading}。{p.text}" for p in paragraphs(figures, style=style)],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(brief_text(figures, style=style))
        if options["docx"]:
            brief = WorkBrief(
                title=default_title(part_label=part.label, start=start, end=end),
                start=start,
                end=end,
                style=style,
                figures=figures,
                text=brief_text(figures, style=style),
            )
            with open(options["docx"], "wb") as file:
                file.write(brief_docx(brief).getvalue())
            self.stderr.write(f"已写入 {options['docx']}")
