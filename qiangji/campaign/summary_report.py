"""The words of a summary: the same sentences and tables for the page and the Word document,
written from the stored figures in the tone of the town's own reports."""

import datetime as dt
from typing import Any

from qiangji.campaign.models import Summary
from qiangji.campaign.services.summaries import BEHIND_SHARE


def _day(value: Any, *, year: bool = False) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"


def as_of(summary: Summary) -> dt.date:
    """The last day the figures count: the period's end, or the day a current period was written."""
    value = (summary.figures or {}).get("as_of")
    return dt.date.fromisoformat(value) if value else summary.end


def _number(value: float) -> str:
    return f"{value:g}"


def period_label(summary: Summary, *, year: bool = False) -> str:
    """ "11月24日" for a day; "11月17日至11月23日" for a week (years shown when asked or crossed)."""
    if summary.kind == Summary.Kind.DAILY:
        return _day(summary.start, year=year)
    both = year or summary.start.year != summary.end.year
    return f"{_day(summary.start, year=both)}至{_day(summary.end, year=both)}"


def summary_title(summary: Summary) -> str:
    return f"{period_label(summary, year=True)}“新连心”{summary.get_kind_display()}"


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value}%"


def change_words(delta: float | None) -> str:
    """ "较上期提高1.5个百分点" / "下降" / "持平"; empty when there is nothing to compare."""
    if delta is None:
        return ""
    if delta > 0:
        return f"较上期提高{delta}个百分点"
    if delta < 0:
        return f"较上期下降{-delta}个百分点"
    return "与上期持平"


def change_short(delta: float | None) -> str:
    if delta is None:
        return "—"
    return f"+{delta}" if delta > 0 else f"{delta}"


def headline(summary: Summary) -> str:
    """The opening sentence: who visited how many, and what the visits found."""
    f = summary.figures
    weekly = summary.kind == Summary.Kind.WEEKLY
    visits, register, found = f["visits"], f["register"], f["findings"]
    if visits["total"]:
        opening = f"全镇{visits['teams']}支“三人行”队伍走访主体{visits['total']}{'家次' if weekly else '家'}"
    else:
        opening = f"全镇“三人行”队伍{'本周' if weekly else '当日'}未开展走访"
    parts = [
        opening,
        f"校核{register['verified']}家",
        f"新发现主体{register['new']}家",
        f"更正信息{register['corrected']}家",
    ]
    if register["closed"]:
        parts.append(f"核实注销歇业{register['closed']}家")
    parts.append(f"发现党员{found['party_members']}名")
    if found["wants_party_org"]:
        parts.append(f"{found['wants_party_org']}家主体有建立党组织意愿")
    if found["care_packages"] or found["service_cards"]:
        parts.append(f"发放暖心加油包{found['care_packages']}份、新连心服务卡{found['service_cards']}张")
    counted = period_label(summary)
    if summary.kind == Summary.Kind.WEEKLY and as_of(summary) < summary.end:
        # A week still under way speaks of the days counted so far.
        counted = f"{_day(summary.start)}至{_day(as_of(summary))}"
    return f"{counted}，" + "，".join(parts) + "。"


def care_sentence(summary: Summary) -> str:
    """三送三问: how many care visits delivered each send, how many asks were answered."""
    care = summary.figures.get("care")  # summaries made before care visits had their own form
    if not care or not care["visits"]:
        return ""
    sends = "、".join(f"{s['label']}{s['visits']}家次" for s in care["sends"])
    asks = "、".join(a["label"] for a in care["asks"])
    text = f"开展三送三问回访{care['visits']}家次"
    if sends:
        text += f"，其中{sends}"
    if asks:
        text += f"；{asks}共回答{care['asks_answered']}项"
    return text + "。"


def coverage_sentence(summary: Summary) -> str:
    town = summary.figures["coverage"]["town"]
    change = summary.figures["coverage"].get("change") or {}
    if not town["total"]:
        return f"截至{_day(as_of(summary))}，底数中暂无在册主体。"
    text = (
        f"截至{_day(as_of(summary))}，全镇在册主体{town['total']}家，组织覆盖{town['org']}家、工作覆盖{town['work']}家，"
        f"综合覆盖率{rate(town['covered_rate'])}"
    )
    words = change_words(change.get("covered_rate"))
    return text + (f"，{words}" if words else "") + f"；尚未覆盖{town['total'] - town['covered']}家。"


def tasks_sentence(summary: Summary) -> str:
    f = summary.figures
    problems = f["problems"]
    registered = sum(1 for item in problems["items"] if item.get("problem"))
    text = f"走访中发现问题{problems['count']}个"
    if problems["count"]:
        text += f"，其中已登记到问题清单{registered}个" if registered else "，尚未登记到问题清单"
    tasks = f["tasks"]
    return text + f"；截至{_day(as_of(summary))}，待办走访任务{tasks['open']}个，其中超期{tasks['overdue']}个。"


NAMED_TEAMS = 5


def behind_sentence(summary: Summary) -> str:
    behind = summary.figures.get("behind")
    if behind is None:
        return ""
    share = f"{round(BEHIND_SHARE * 100)}%"
    if not behind["teams"] and not behind["grids"]:
        return f"本周各队伍走访量均不低于各队中位数的{share}，各网格覆盖率均不低于全镇的{share}，没有明显滞后。"
    parts = []
    teams = behind["teams"]
    if teams:
        # The sentence names the few most behind; the table below the text lists them all.
        named = "；".join(f"{t['name']}（{'，'.join(t['reasons'])}）" for t in teams[:NAMED_TEAMS])
        more = f"等{len(teams)}支" if len(teams) > NAMED_TEAMS else ""
        rule = ""
        if "team_median" in behind:
            median = _number(behind["team_median"])
            rule = f"（走访量低于各队中位数{median}家次的{share}，即不足{_number(behind['team_threshold'])}家次）"
        parts.append(f"进度滞后的队伍{rule}：{named}{more}")
    if behind["grids"]:
        rule = ""
        if behind.get("grid_threshold") is not None:
            rule = f"（覆盖率低于全镇{behind['town_rate']}%的{share}，即不足{behind['grid_threshold']}%）"
        named = "；".join(f"{g['name']}（{'，'.join(g['reasons'])}）" for g in behind["grids"])
        parts.append(f"需要关注的网格{rule}：{named}")
    return "。".join(parts) + "。"


def behind_rule(summary: Summary) -> str:
    """The threshold the lists below it were measured against, in words."""
    behind = summary.figures.get("behind") or {}
    if "team_median" not in behind:
        return ""
    share = f"{round(BEHIND_SHARE * 100)}%"
    text = f"滞后标准：队伍走访量低于各队中位数{_number(behind['team_median'])}家次的{share}"
    if behind.get("grid_threshold") is not None:
        text += f"；网格覆盖率低于全镇{behind['town_rate']}%的{share}"
    return text + "。"


def paragraphs(summary: Summary) -> list[str]:
    """The report's text, paragraph by paragraph."""
    lines = [headline(summary), coverage_sentence(summary), tasks_sentence(summary)]
    care = care_sentence(summary)
    if care:
        lines.append(care)
    if summary.kind == Summary.Kind.WEEKLY:
        lines.append(behind_sentence(summary))
    return lines


def grid_rows(summary: Summary) -> list[dict[str, Any]]:
    """Each grid's visits and tasks beside its coverage at the end of the period."""
    coverage = summary.figures["coverage"]
    rates = {r["id"]: r for r in coverage["carriers"]["grid"]}
    changes = coverage.get("carrier_change") or {}
    rows = []
    for g in summary.figures["grids"]:
        cov = rates.get(g["id"], {})
        delta = (changes.get(f"grid:{g['id']}") or {}).get("covered_rate")
        rows.append({**g, "total": cov.get("total", 0), "covered_rate": cov.get("covered_rate"), "change": delta})
    return rows


def carrier_rows(summary: Summary) -> list[dict[str, Any]]:
    """The "5+2+7" table: every carrier's coverage at the end of the period, chains first."""
    coverage = summary.figures["coverage"]
    changes = coverage.get("carrier_change") or {}
    rows = []
    for kind, label in (("chain", "产业链"), ("street", "商业街区"), ("grid", "网格")):
        for r in coverage["carriers"].get(kind, []):
            delta = (changes.get(f"{kind}:{r['id']}") or {}).get("covered_rate")
            rows.append({**r, "kind_label": label, "change": delta})
    return rows
