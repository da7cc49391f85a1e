import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from qiangji.demo import names
from qiangji.demo.seed import demo_root, other_data_present, reset_town, seed_town, town_counts


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}")


class Command(BaseCommand):
    help = (
        "生成演示镇（竖新镇）：村居、网格、产业链、商区、单位、党组织、党员、阵地、指导联络组、各角色演示账号，"
        "以及本年度的组织生活、培训和工作计划备案。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="随机种子：同一种子生成同一个演示镇（默认 2026）")
        parser.add_argument("--members", type=int, default=3000, help="党员人数（默认 3000；测试可用 200）")
        parser.add_argument("--reset", action="store_true", help="先删除已有的演示数据，再重新生成")
        parser.add_argument("--today", type=_date, default=None, help="以该日期计算届期提醒（默认今天）")

    def handle(self, *args, seed: int, members: int, reset: bool, today: dt.date | None, **options) -> None:
        today = today or timezone.localdate()
        if members < 0:
            raise CommandError("党员人数不能为负数")
        if other_data_present():
            raise CommandError("数据库中已有演示镇以外的党组织数据：为免混淆，不写入演示数据。请使用空数据库。")
        exists = demo_root() is not None
        if exists and not reset:
            counts = town_counts(today)
            self.stdout.write(
                f"演示镇已存在（{names.ROOT_NAME}：党组织 {counts['organizations']} 个，党员 {counts['members']} 名），"
                "未重复生成。如需重建，请加 --reset。"
            )
            return
        with transaction.atomic():  # a failed rebuild leaves the old demo town in place
            if exists:
                reset_town()
                self.stdout.write("已删除原有演示数据。")
            result = seed_town(seed=seed, members=members, today=today)
        c = town_counts(today)
        lines = [
            f"演示镇已生成（随机种子 {seed}，用时 {result.seconds:.1f} 秒）：",
            f"  村居 {c['villages']} 个（村 {c['village_only']}、居委 {c['communities']}），网格 {c['grids']} 个，"
            f"产业链 {c['chains']} 条，商业街区 {c['streets']} 个",
            f"  单位 {c['units']} 家，基层党组织 {c['organizations']} 个（另有党小组 {c['groups']} 个）",
            f"  党员 {c['members']} 名（预备党员 {c['probationary']}，流动党员 {c['mobile']}，年老体弱 {c['frail']}）",
            f"  党群服务阵地 {c['positions']} 个，指导联络组 {c['liaison_groups']} 个，演示账号 {c['accounts']} 个",
            f"  {today.year}年组织生活：已召开会议 {c['meetings_held']} 次（出席登记 {c['meeting_attendances']} 条），"
            f"计划召开 {c['meetings_scheduled']} 次；培训 {c['trainings']} 个（出勤登记 {c['training_attendances']} 条）；"
            f"工作计划备案 {c['plans']} 份",
            f"  届期提醒（以 {today:%Y-%m-%d} 计）：已届满 {c['expired']} 个，1个月内届满 {c['ends_1m']} 个，"
            f"6个月内届满 {c['ends_6m']} 个",
            "  问题清单：问题 {problems} 个（未销号 {open}），长效机制 {mechanisms} 个，{year}年晋位升级评定 {grades} 个，"
            "整改方案 {plans} 份，待受理群众反映 {reports} 条".format(year=today.year, **ledger_counts()),
            campaign_line(),
            pillars_line(),
            brief_line(),
            "演示账号：python manage.py demo_logins",
        ]
        self.stdout.write("\n".join(lines))


def ledger_counts() -> dict[str, int]:
    from qiangji.ledger.models import Grade, Mechanism, Problem, PublicReport, RectificationPlan

    return {
        "problems": Problem.objects.count(),
        "open": Problem.objects.open().count(),
        "mechanisms": Mechanism.objects.count(),
        "grades": Grade.objects.count(),
        "plans": RectificationPlan.objects.count(),
        "reports": PublicReport.objects.filter(state=PublicReport.State.PENDING).count(),
    }


def campaign_line() -> str:
    from qiangji.demo.campaign import campaign_counts

    c = campaign_counts()
    return (
        f"  新连心攻坚：走访队 {c['teams']} 支（队员 {c['members']} 名），"
        f"在册主体 {c['active']} 个（已注销/歇业 {c['closed']}），底数批次 {c['batches']} 个，"
        f"走访 {c['visits']} 次（待审核 {c['submitted']}），服务卡 {c['cards']} 张，"
        f"组织覆盖率 {c['org_rate']}%、工作覆盖率 {c['work_rate']}%，有话说留言 {c['voice']} 条，"
        f"一日一汇总 {c['daily']} 份、一周一分析 {c['weekly']} 份"
    )


def pillars_line() -> str:
    """The reserve pools, mediation, course batches, the consultation hall and red culture."""
    from qiangji.council.models import Opinion, Project
    from qiangji.mediation.models import MediationCase
    from qiangji.positions.models import CourseBatch, CourseDelivery
    from qiangji.redculture.models import CheckIn, RedSite
    from qiangji.reserve.models import Candidate

    return (
        f"  头雁培优与阵地：后备人选 {Candidate.objects.count()} 名，调解案件 {MediationCase.objects.count()} 件，"
        f"下沉课程 {CourseBatch.objects.count()} 批（送课 {CourseDelivery.objects.count()} 场），"
        f"议事项目 {Project.objects.count()} 个（群众意见 {Opinion.objects.count()} 条），"
        f"红色阵地 {RedSite.objects.count()} 处（打卡 {CheckIn.objects.count()} 次）"
    )


def brief_line() -> str:
    """The issued annual brief and the figures its reader looks for first."""
    from qiangji.briefs.models import WorkBrief

    brief = WorkBrief.objects.filter(status=WorkBrief.Status.ISSUED).order_by("-issued_at", "-pk").first()
    if brief is None:
        return "  工作简报：尚未签发"
    f = {key: figure["value"] for key, figure in brief.figures.items()}
    return (
        f"  工作简报：已签发《{brief.title}》，召开“三会一课”和主题党日 {f['meetings_held']} 次，"
        f"送学上门 {f['home_study_visits']} 次，自查自纠问题 {f['problems']} 个，走访 {f['campaign_visits']} 次"
    )
