"""The demo town's carriers' own bodies: a committee on each of the 14 carriers, the ten roles (十员)
in each grid, and what people said on the voice channel (我在链条/商区/网格有话说).

All of it goes through the campaign's services (services/carriers.py, services/voice.py), as the
town admin would enter it on the pages.
"""

import datetime as dt
import random
from typing import Any

from qiangji.campaign.models import CarrierKind, Entity, GridRole, VoiceMessage
from qiangji.campaign.services.carriers import committee_create, committee_default_name, committee_seat_add, grid_role_add
from qiangji.campaign.services.visit_problems import responsible_organization, responsible_owner
from qiangji.campaign.services.voice import voice_answer, voice_post, voice_to_problem
from qiangji.demo import names
from qiangji.orgs.models import Chain, Grid, Organization, Street

DUTIES = ("主任", "副主任", "委员")
UNITS = ("镇农业服务中心", "镇经济发展办公室", "镇市场监管所", "镇党建办", "镇社区事务受理服务中心", "区农业农村委驻镇工作组")
# Ten roles, who usually holds each, and how many a grid has (two instructors give work coverage).
ROLE_UNITS = {
    GridRole.Role.INSTRUCTOR: "镇党建办",
    GridRole.Role.LIAISON: "镇两新组织综合党委",
    GridRole.Role.INFORMATION: "村居委会",
    GridRole.Role.PUBLICITY: "镇宣传办",
    GridRole.Role.MEDIATOR: "老娘舅工作室",
    GridRole.Role.SECURITY: "镇安全生产办公室",
    GridRole.Role.SERVICE: "镇社区事务受理服务中心",
    GridRole.Role.SUPERVISOR: "镇纪委",
    GridRole.Role.LEGAL: "崇明区法律援助中心",
    GridRole.Role.VOLUNTEER: "竖新镇志愿者协会",
}

# (carrier kind, index among its kind, what was said, the town's answer or "" / "problem")
VOICE = (
    (
        "chain",
        0,
        "合作社冷库用电负荷不够，夏季蔬菜预冷经常跳闸，希望协调供电部门增容。",
        "已联系供电所现场查看，拟于下月完成变压器增容。",
    ),
    (
        "chain",
        1,
        "柑橘上市季节用工紧张，能否组织村里富余劳动力对接采摘？",
        "镇就业服务站已建立采摘用工对接群，请合作社负责人入群登记用工需求。",
    ),
    (
        "chain",
        2,
        "稻米烘干设备排队时间长，希望链上几家合作社共用烘干中心。",
        "",
    ),
    (
        "chain",
        3,
        "花卉大棚周边沟渠堵塞，下雨后积水严重，已影响苗木生长。",
        "problem",
    ),
    (
        "chain",
        4,
        "民宿消防设施标准不清楚，希望组织一次集中培训和上门指导。",
        "镇安全生产办公室将于本月组织民宿消防专题培训，并安排上门检查指导。",
    ),
    (
        "street",
        0,
        "竖河商业街停车位太少，周末游客车辆乱停影响商户经营。",
        "已会同城建中心规划在街区北侧增设临时停车场。",
    ),
    (
        "street",
        1,
        "大新路部分路灯不亮，晚上商户收摊后出行不便。",
        "",
    ),
    (
        "grid",
        0,
        "希望网格党建指导员多来店里走走，讲讲小微企业扶持政策。",
        "第一网格党建指导员已排定每月走访计划，政策资料将同步送达。",
    ),
    (
        "grid",
        2,
        "新开的家庭农场不知道怎么办理农产品合格证，希望有人指导。",
        "镇农业服务中心将安排农技人员上门指导合格证开具。",
    ),
    (
        "grid",
        3,
        "村里年轻人外出打工多，合作社想吸收党员回乡创业，有什么政策支持？",
        "",
    ),
    (
        "grid",
        5,
        "希望在网格内设一个党群服务点，方便个体户参加组织生活。",
        "已纳入明年党群服务点建设计划。",
    ),
    (
        "grid",
        6,
        "电商直播培训名额太少，很多民宿老板报不上名。",
        "",
    ),
)


def seed_carriers(
    *, rng: random.Random, by: Any, orgs: dict[str, Organization], people: Any, day: dt.date, instructors: dict[int, list[Any]]
) -> tuple[int, int]:
    """A committee with 5–7 seats on every carrier, and the ten roles in every grid; returns how
    many. A grid's two instructors are people with accounts (`instructors`, by grid id): their
    posts are linked to them, named after them, and are what entity_assign_instructor offers."""
    carriers = [
        *((CarrierKind.CHAIN, c) for c in Chain.objects.filter(name__in=names.CHAINS).order_by("id")),
        *((CarrierKind.STREET, s) for s in Street.objects.filter(name__in=names.STREETS).order_by("id")),
        *((CarrierKind.GRID, g) for g in Grid.objects.filter(name__in=names.GRIDS).order_by("number")),
    ]
    support = {
        "竖河商业街区": orgs.get("竖河商业街区联合党支部"),
        "大新商业街区": orgs.get("大新商业街区联合党支部"),
    }
    liangxin = orgs.get(names.LIANGXIN_COMMITTEE)
    committees = 0
    for kind, carrier in carriers:
        organization = support.get(carrier.name) or liangxin
        if kind == CarrierKind.GRID:
            first_village = next(v.name for v in names.VILLAGES if names.GRIDS[v.grid - 1] == carrier.name)
            organization = Organization.objects.filter(village__name=first_village).order_by("depth", "id").first()
        committee = committee_create(
            by=by,
            kind=kind,
            carrier_id=carrier.pk,
            data={
                "name": committee_default_name(kind, carrier),
                "established_on": day - dt.timedelta(days=rng.randint(0, 30)),
                "organization": organization,
                "duties": "每季度召开一次委员会会议，研究载体内主体的党建、服务和发展事项；委员分片联系主体，收集意见建议。",
            },
        )
        seats = rng.randint(5, 7)
        for i in range(seats):
            duty = DUTIES[0] if i == 0 else DUTIES[1] if i <= (2 if seats == 7 else 1) else DUTIES[2]
            committee_seat_add(by=by, committee=committee, data={"name": people(), "duty": duty, "unit": rng.choice(UNITS)})
        committees += 1
    roles = 0
    for grid in Grid.objects.filter(name__in=names.GRIDS).order_by("number"):
        accounts = iter(instructors.get(grid.pk, ()))
        for role, unit in ROLE_UNITS.items():
            for _ in range(2 if role == GridRole.Role.INSTRUCTOR else 1):
                # A name is drawn for every post, linked or not, so that the names drawn after
                # these (and the demo's figures) stay what they were.
                name = people()
                user = next(accounts) if role == GridRole.Role.INSTRUCTOR else None
                data = {"role": role, "name": "" if user else name, "user": user, "unit": unit}
                grid_role_add(by=by, grid=grid, data=data)
                roles += 1
    return committees, roles


def seed_voice(*, rng: random.Random, by: Any, clock: Any, today: dt.date, team_members: dict[int, list[Any]]) -> tuple[int, int]:
    """Twelve messages over the last five weeks: most answered, one made a ledger problem. Every
    third names the entity it is about: a team member of its grid left it for the entity's owner
    (naming an entity needs a signed-in user who sees it); the others are anonymous."""
    carriers = {
        CarrierKind.CHAIN: list(Chain.objects.filter(name__in=names.CHAINS).order_by("id")),
        CarrierKind.STREET: list(Street.objects.filter(name__in=names.STREETS).order_by("id")),
        CarrierKind.GRID: list(Grid.objects.filter(name__in=names.GRIDS).order_by("number")),
    }
    lookup = {"chain": "chains", "street": "street", "grid": "village__grid"}
    problems = 0
    for i, (kind, index, content, answer) in enumerate(VOICE):
        carrier = carriers[kind][index]
        day = today - dt.timedelta(days=34 - i * 3)
        entity = Entity.objects.active().filter(**{lookup[kind]: carrier}).order_by("id").first() if i % 3 == 0 else None
        poster = rng.choice(team_members[entity.village.grid_id]) if entity else None
        data = {"content": content, "author_name": people_name(rng) if i % 2 else "", "entity": entity.pk if entity else None}
        with clock.at(day):
            message = voice_post(kind=kind, carrier_id=carrier.pk, data=data, client_key=f"demo-{i}", by=poster)
        if answer == "problem":
            # Turned into a problem today, so the ledger's numbers keep the order of registration.
            with clock.at(today):
                organization = responsible_organization(entity, entity.village_id if entity else None)
                owner = responsible_owner(organization, by)
                voice_to_problem(
                    message=message,
                    by=by,
                    organization=organization,
                    owner=owner,
                    deadline=today + dt.timedelta(days=30),
                    category="新兴领域",
                    today=today,
                )
            problems += 1
        elif answer:
            with clock.at(min(day + dt.timedelta(days=rng.randint(1, 3)), today)):
                voice_answer(message=message, by=by, answer=answer)
    return VoiceMessage.objects.count(), problems


def people_name(rng: random.Random) -> str:
    return rng.choice(names.SURNAMES[:12]) + rng.choice(("先生", "女士", "老板", "师傅"))
