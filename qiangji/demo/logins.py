"""The demo town's accounts: one or more per role, all with one known password.

The password meets settings.AUTH_PASSWORD_VALIDATORS (10+ characters, three character classes);
it is public, so a demo database must never hold real data.
"""

from dataclasses import dataclass

from qiangji.demo import names

DEMO_PASSWORD = "Qiangji@2026"


@dataclass(frozen=True)
class DemoLogin:
    """One demo account: what it is granted, and which member record (if any) is the person."""

    username: str
    role: str  # Chinese role label shown by demo_logins
    note: str
    grants: tuple[tuple[str, str, str], ...] = ()  # (role, organization name, title)
    liaison_group: int | None = None  # index into names.LIAISON_GROUPS
    leader: bool = False
    member_of: str | None = None  # organization whose member record is linked to the account
    member_post: str | None = None  # the post that member holds there ("" = none)
    display_name: str = ""  # for accounts not linked to a member


def _liaison_logins() -> list[DemoLogin]:
    people = (
        ("施振华", "陆晓红", "龚建明"),
        ("黄卫东", "沈丽娟", "朱海峰"),
        ("顾建国", "倪春燕", "陈志伟"),
        ("杨伟民", "徐美华", "宋俊杰"),
    )
    logins = []
    for g, group in enumerate(people):
        for i, person in enumerate(group):
            logins.append(
                DemoLogin(
                    f"lianluo{g + 1}_{i + 1}",
                    "指导联络组成员",
                    f"{names.LIAISON_GROUPS[g]}{'组长' if i == 0 else '成员'}",
                    liaison_group=g,
                    leader=i == 0,
                    display_name=person,
                )
            )
    return logins


# The town party office's administrators: (username, title, name).
_TOWN_ADMINS = (("zhen_admin", "党建办主任", "秦建华"), ("zhen_admin2", "党建办干部", "蔡雯"))

# Who runs a party organization, as its member: (username, organization, title = the role shown,
# party post of that member, what the note adds after "<organization><title>").
_SECRETARIES = (
    ("shuji_shuhe", "竖河村党委", "书记", "secretary", "（村党委，下设4个支部）"),
    ("dangwu_shuhe", "竖河村党委", "党务工作者", "committee_member", ""),
    ("shuji_dachun", "大椿村党总支", "书记", "secretary", ""),
    ("shuji_xianqiao1", "仙桥村第一党支部", "书记", "secretary", ""),
    ("shuji_juwei", "新建居委党支部", "书记", "secretary", ""),
    ("shuji_jiguan", names.JIGUAN_COMMITTEE, "书记", "secretary", ""),
    ("shuji_qiye", "上海竖新经济发展有限公司党支部", "书记", "secretary", ""),
)

DEMO_LOGINS: tuple[DemoLogin, ...] = (
    *(
        DemoLogin(
            username,
            "镇党委管理员",
            "镇党建办，管理全镇",
            grants=(("town_admin", names.ROOT_NAME, title),),
            display_name=name,
        )
        for username, title, name in _TOWN_ADMINS
    ),
    *_liaison_logins(),
    *(
        DemoLogin(
            username,
            title,
            f"{organization}{title}{more}",
            grants=(("secretary", organization, title),),
            member_of=organization,
            member_post=post,
        )
        for username, organization, title, post, more in _SECRETARIES
    ),
    DemoLogin("dangyuan", "党员", "大椿村第一党支部的普通党员", member_of="大椿村第一党支部", member_post=""),
    *(
        DemoLogin(
            f"zoufang{i}",
            "走访队员",
            # The campaign demo (campaign.py) puts zoufang1–3 in 第一网格's first team and zoufang4–6
            # in 第二网格's, zoufang1 and zoufang4 leading.
            f"{names.GRIDS[(i - 1) // 3]}“三人行”走访一队{'队长' if i % 3 == 1 else '队员'}",
            grants=(("visitor", names.ROOT_NAME, "走访队员"),),
            display_name=name,
        )
        for i, name in enumerate(("姚建峰", "季婷", "郁海涛", "成晓燕", "樊磊", "俞佳"), start=1)
    ),
)

# demo_logins prints one account per role, in this order.
ONE_PER_ROLE = ("zhen_admin", "lianluo1_1", "shuji_shuhe", "dangwu_shuhe", "dangyuan", "zoufang1")
