"""The brief's sentences, written from its figures in the article's order and manner.

Each paragraph is a list of segments: plain text, or a figure (its key and how it reads), so the
page links each figure to its records while the Word document and the editable text read the
same words. A clause whose figure is zero is left out rather than saying "0"; a section with
nothing to say says so.

The exact style writes the numbers; the publicity style (宣传稿) rounds as the article does —
"400余次", "近60家", "超70个", "百余名" — and the brief says that its numbers are rounded.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PUBLICITY_NOTE = "注：本稿为宣传稿口径，文中数字为约数，准确数字见附表。"
NOTHING = "本期暂无相关记录。"

# Sections in the article's order.
SECTIONS = (
    ("theory", "理论武装与组织生活"),
    ("positions", "阵地建设"),
    ("linkage", "上下联动"),
    ("pioneers", "头雁培优与先锋队伍"),
    ("reform", "自我革新"),
    ("emerging", "新兴领域攻坚"),
)


def rounded(value: int | float, *, unit: str = "") -> str:
    """A count as the article writes it: two significant figures and 余/近; rates as 超N%.

    Below ten a number is exact; a round number stays as it is (70 → "70"); within the last
    fifth of a step it reads "近" the next (58 → "近60"); otherwise "余" (412 → "400余",
    116 → "110余"); 101–109 read "百余".
    """
    if unit == "%":
        whole = int(value)
        return f"{value:g}" if value == whole else f"超{whole}"
    n = int(value)
    if n < 10:
        return str(n)
    step = 10 ** max(1, len(str(n)) - 2)
    floor, rest = divmod(n, step)
    floor *= step
    if rest == 0:
        return str(n)
    if step - rest <= step / 5:
        return f"近{floor + step}"
    if floor == 100 and step == 10:
        return "百余"
    return f"{floor}余"


def shown(value: int | float, unit: str, style: str) -> str:
    if style == "publicity":
        return rounded(value, unit=unit)
    if unit == "%":
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class Segment:
    text: str
    key: str = ""


Figures = Mapping[str, Mapping[str, Any]]


class _Writer:
    def __init__(self, figures: Figures, style: str) -> None:
        self.figures = figures
        self.style = style
        self.segments: list[Segment] = []

    def v(self, key: str) -> int | float:
        return self.figures.get(key, {}).get("value", 0) or 0

    def text(self, text: str) -> None:
        self.segments.append(Segment(text))

    def num(self, key: str) -> None:
        figure = self.figures.get(key, {})
        self.segments.append(Segment(shown(self.v(key), figure.get("unit", ""), self.style), key))

    def clause(self, before: str, key: str, after: str) -> None:
        self.text(before)
        self.num(key)
        self.text(after)


def _theory(w: _Writer) -> None:
    parts: list[tuple[str | None, str, str]] = []
    if w.v("trainings"):
        parts.append(("举办基层党组织书记培训、党员集中轮训和党务工作者培训练兵等", "trainings", "期"))
    if w.v("training_attendances"):
        parts.append(("参训", "training_attendances", "人次"))
    if w.v("meetings_held"):
        parts.append(("严格落实“三会一课”和主题党日制度，召开“三会一课”和主题党日", "meetings_held", "次"))
    if w.v("discussions"):
        parts.append(("以党支部、党小组为单位，开展交流研讨", "discussions", "次"))
    if w.v("warning_education"):
        parts.append(("开展警示教育现场教学", "warning_education", "批次"))
    if w.v("home_study_visits"):
        parts.append(("针对年老体弱党员，坚持“送学上门”", "home_study_visits", "次，确保党员一个“不掉队”"))
    _join(w, parts)


def _positions(w: _Writer) -> None:
    parts: list[tuple[str | None, str, str]] = []
    if w.v("positions"):
        parts.append(("推动党群服务阵地体系建设，建有党群服务阵地", "positions", "个"))
    if w.v("chain_stations"):
        parts.append(("其中产业链党群服务站", "chain_stations", "个"))
    if w.v("red_sites"):
        parts.append(("深挖红色文化资源，串联红色点位", "red_sites", "处"))
    if w.v("red_activities"):
        parts.append(("开展“我为红色阵地代言”等红色阵地活动", "red_activities", "场"))
    _join(w, parts)


def _linkage(w: _Writer) -> None:
    parts: list[tuple[str | None, str, str]] = []
    if w.v("plans_filed"):
        parts.append(("完成基层党组织工作计划备案", "plans_filed", "份"))
    if w.v("liaison_groups"):
        w_parts: list[tuple[str | None, str, str]] = [("组建", "liaison_groups", "个指导联络组")]
        if w.v("liaison_organizations"):
            if w.v("liaison_units"):
                w_parts.append(("分片对", "liaison_units", "家单位的"))
                w_parts.append((None, "liaison_organizations", "个基层党组织进行指导联系"))
            else:
                w_parts.append(("分片对", "liaison_organizations", "个基层党组织进行指导联系"))
        parts.extend(w_parts)
    if w.v("assemblies_held"):
        parts.append(("应列席党员大会和主题党日", "assemblies_held", "次"))
        parts.append(("实际列席", "assemblies_attended", "次"))
    if w.v("grades_weak"):
        parts.append(("对晋位升级等次为“较好”及以下的", "grades_weak", "个基层党组织"))
        parts.append(("指导制定“一支部一方案”", "rectification_plans", "份并督促落实整改"))
    _join(w, parts)


def _pioneers(w: _Writer) -> None:
    parts: list[tuple[str | None, str, str]] = []
    if w.v("reserve_candidates"):
        parts.append(("后备人员库在库", "reserve_candidates", "人"))
    if w.v("mentoring_agreements"):
        parts.append(("与镇领导班子成员签订带教协议", "mentoring_agreements", "份"))
    if w.v("projects"):
        parts.append(("推动党员在", "projects", "个和美乡村试点项目中发挥示范带头作用"))
    if w.v("opinions"):
        parts.append(("通过议事厅听取意见建议", "opinions", "条"))
    if w.v("mediation_cases"):
        parts.append(("依托“老娘舅”工作室协调解决矛盾纠纷", "mediation_cases", "件"))
    _join(w, parts)


def _reform(w: _Writer) -> None:
    if not w.v("problems") and not w.v("mechanisms"):
        return
    w.clause("共计自查自纠问题", "problems", "个")
    if w.v("problems_immediate"):
        w.clause("，其中即知即改", "problems_immediate", "个")
    if w.v("problems_closed"):
        w.clause("，已整改销号", "problems_closed", "个")
    if w.v("mechanisms"):
        w.clause("，建立或落实长效机制防止问题再次发生", "mechanisms", "个")
    w.text("。")


def _emerging(w: _Writer) -> None:
    parts: list[tuple[str | None, str, str]] = []
    if w.v("campaign_teams"):
        parts.append(("组建", "campaign_teams", "支“三人行”攻坚走访队伍"))
    if w.v("campaign_visits"):
        parts.append(("开展走访", "campaign_visits", "次"))
    if w.v("entities_verified"):
        parts.append(("精准校核新兴领域主体", "entities_verified", "家"))
    if w.v("entities_new"):
        parts.append(("其中新发现", "entities_new", "家"))
    if w.v("service_cards"):
        parts.append(("首次走访派发“新连心”服务卡", "service_cards", "张"))
    if w.v("org_coverage_rate") or w.v("work_coverage_rate"):
        parts.append(("新兴领域党的组织覆盖率达", "org_coverage_rate", "%"))
        parts.append(("工作覆盖率达", "work_coverage_rate", "%"))
    _join(w, parts)


def _join(w: _Writer, parts: list[tuple[str | None, str, str]]) -> None:
    """Clauses joined by "，" and closed by "。"; a clause whose lead is None runs on from the last."""
    for index, (before, key, after) in enumerate(parts):
        w.clause("" if before is None else before if index == 0 else f"，{before}", key, after)
    if parts:
        w.text("。")


WRITERS = {
    "theory": _theory,
    "positions": _positions,
    "linkage": _linkage,
    "pioneers": _pioneers,
    "reform": _reform,
    "emerging": _emerging,
}


@dataclass(frozen=True)
class Paragraph:
    section: str
    heading: str
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


def paragraphs(figures: Figures, *, style: str = "exact") -> list[Paragraph]:
    """The brief's paragraphs in the article's order (`figures`: KEY → {"value", "unit", ...})."""
    out = []
    for section, heading in SECTIONS:
        writer = _Writer(figures, style)
        WRITERS[section](writer)
        segments = writer.segments or [Segment(NOTHING)]
        out.append(Paragraph(section=section, heading=heading, segments=tuple(segments)))
    return out


def brief_text(figures: Figures, *, style: str = "exact") -> str:
    """The plain text the town edits: each section's heading and paragraph, and the publicity note."""
    lines = [f"{p.heading}。{p.text}" for p in paragraphs(figures, style=style)]
    if style == "publicity":
        lines.append(PUBLICITY_NOTE)
    return "\n\n".join(lines)
