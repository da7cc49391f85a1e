"""What the brief's API answers."""

import datetime as dt

from ninja import Field, Schema


class FigureOut(Schema):
    label: str = Field(description="指标名称，如“送学上门”")
    value: float | int = Field(description="数值；覆盖率为百分数，保留一位小数")
    unit: str = Field(description="单位，如“次”“个”“%”")
    section: str = Field(description="所属段落：theory / positions / linkage / pioneers / reform / emerging")


class FiguresOut(Schema):
    start: dt.date
    end: dt.date
    part: str = Field(description="统计范围：党组织名称，或某指导联络组联系的党组织")
    style: str = Field(description="exact 准确数字；publicity 宣传稿（约数）")
    figures: dict[str, FigureOut] = Field(description="键名 → 指标，按简报顺序")
    paragraphs: list[str] = Field(description="按文章顺序生成的各段文字（段名。正文）")
