"""The fixed shape of the demo town 竖新镇: places, units and the pools names are drawn from.

Villages and communities are the town's real ones (the seed names 竖河; the rest are public
place names); units and people are synthetic. Everything a user reads is natural Chinese.
"""

from dataclasses import dataclass

TOWN = "竖新镇"
ROOT_NAME = "中共竖新镇委员会"
ADDRESS_PREFIX = "上海市崇明区竖新镇"
# 310230 is the code of the former 崇明县: everyone born before the 2016 change carries it.
ID_REGION = "310230"

GRIDS = ("第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格", "第七网格")
CHAINS = ("蔬菜链", "水果链", "稻米链", "花卉链", "民宿链")
LIAISON_GROUPS = ("第一指导联络组", "第二指导联络组", "第三指导联络组", "第四指导联络组")


@dataclass(frozen=True)
class VillageSpec:
    """One village or community: its grid, how its Party organization is built, its size."""

    name: str
    grid: int  # 1..7
    community: bool
    form: str  # "committee" (村党委), "general_branch" (党总支) or "branch" (党支部)
    branches: int  # branches under a committee or general branch
    weight: int  # relative number of members


VILLAGES = (
    VillageSpec("竖河村", 1, False, "committee", 4, 165),
    VillageSpec("竖新居委", 1, True, "general_branch", 2, 80),
    VillageSpec("竖南村", 1, False, "general_branch", 2, 76),
    VillageSpec("仙桥村", 1, False, "general_branch", 3, 112),
    VillageSpec("大椿村", 2, False, "general_branch", 3, 118),
    VillageSpec("大新居委", 2, True, "branch", 0, 38),
    VillageSpec("椿南村", 2, False, "general_branch", 2, 78),
    VillageSpec("前卫村", 3, False, "general_branch", 3, 114),
    VillageSpec("新光村", 3, False, "general_branch", 2, 74),
    VillageSpec("惠民村", 3, False, "general_branch", 2, 72),
    VillageSpec("堡北村", 4, False, "general_branch", 3, 108),
    VillageSpec("响哃村", 4, False, "general_branch", 3, 104),
    VillageSpec("大东村", 4, False, "general_branch", 2, 78),
    VillageSpec("油桥村", 5, False, "general_branch", 3, 100),
    VillageSpec("跃进村", 5, False, "general_branch", 2, 72),
    VillageSpec("明强村", 5, False, "branch", 0, 40),
    VillageSpec("界东村", 6, False, "general_branch", 2, 76),
    VillageSpec("新征村", 6, False, "general_branch", 3, 105),
    VillageSpec("永兴村", 6, False, "branch", 0, 36),
    VillageSpec("前进村", 7, False, "general_branch", 3, 112),
    VillageSpec("东新村", 7, False, "general_branch", 3, 100),
    VillageSpec("春风村", 7, False, "general_branch", 2, 74),
    VillageSpec("新建居委", 7, True, "branch", 0, 34),
)

# The two commercial street districts and the villages/communities they run through.
STREETS = {"竖河商业街区": ("竖河村", "竖新居委"), "大新商业街区": ("大新居委", "大椿村")}

# "一核十村": the ten villages with a village-level service site; the rest get a point.
SITE_VILLAGES = ("竖河村", "竖新居委", "仙桥村", "大椿村", "前卫村", "堡北村", "油桥村", "新征村", "界东村", "前进村")


@dataclass(frozen=True)
class UnitSpec:
    """A non-village unit and the branch (or committee) it hosts."""

    name: str
    kind: str  # Unit.Kind value
    parent: str  # key of the organization it sits under: "root", "jiguan" or "liangxin"
    weight: int  # relative number of members in its branch
    village: str = ""  # where it is, when not the town centre
    chain: str = ""  # the industry chain it belongs to (emerging sector)
    org_name: str = ""  # when the branch is not simply "<unit>党支部"
    point: bool = False  # hosts a service point


GOVERNMENT = "竖新镇人民政府"
JIGUAN_COMMITTEE = "竖新镇机关党委"
LIANGXIN_COMMITTEE = "竖新镇两新组织综合党委"
JIGUAN_BRANCHES = ("竖新镇机关第一党支部", "竖新镇机关第二党支部", "竖新镇机关第三党支部")

UNITS = (
    UnitSpec("竖新镇社区事务受理服务中心", "institution", "jiguan", 14),
    UnitSpec("竖新镇农业服务中心", "institution", "jiguan", 16),
    UnitSpec("竖新镇城市建设管理事务中心", "institution", "jiguan", 12, org_name="竖新镇城建中心党支部"),
    UnitSpec("竖新镇社区卫生服务中心", "institution", "root", 44, point=True),
    UnitSpec("上海市崇明区竖新中学", "school", "root", 30, org_name="竖新中学党支部", point=True),
    UnitSpec("上海市崇明区竖新小学", "school", "root", 24, org_name="竖新小学党支部"),
    UnitSpec("上海市崇明区竖新幼儿园", "school", "root", 10, org_name="竖新幼儿园党支部"),
    UnitSpec("上海竖新经济发展有限公司", "enterprise", "liangxin", 16, point=True),
    UnitSpec("上海竖新集体资产经营管理有限公司", "enterprise", "liangxin", 9),
    UnitSpec("上海竖新老白酒酒业有限公司", "enterprise", "liangxin", 8, village="大椿村"),
    UnitSpec("上海竖新糕点食品有限公司", "enterprise", "liangxin", 6, village="竖河村"),
    UnitSpec("上海大椿米业有限公司", "enterprise", "liangxin", 7, village="大椿村", chain="稻米链", point=True),
    UnitSpec("上海竖河物流有限公司", "enterprise", "liangxin", 5, village="竖河村"),
    UnitSpec("上海仙桥生态农业有限公司", "enterprise", "liangxin", 6, village="仙桥村", chain="蔬菜链"),
    UnitSpec("上海瀛洲建筑工程有限公司", "enterprise", "liangxin", 12),
    UnitSpec("上海竖新机械制造有限公司", "enterprise", "liangxin", 9, village="新征村"),
    UnitSpec("上海竖新服饰有限公司", "enterprise", "liangxin", 5, village="跃进村"),
    UnitSpec("上海前卫农家乐旅游发展有限公司", "enterprise", "liangxin", 7, village="前卫村", chain="民宿链", point=True),
    UnitSpec("上海竖新民宿管理有限公司", "enterprise", "liangxin", 4, village="仙桥村", chain="民宿链"),
    UnitSpec("上海惠民物业管理有限公司", "enterprise", "liangxin", 5, village="惠民村"),
    UnitSpec("上海竖新电子科技有限公司", "enterprise", "liangxin", 6, village="界东村"),
    UnitSpec("上海堡北水产养殖有限公司", "enterprise", "liangxin", 4, village="堡北村"),
    UnitSpec("上海瀛洲花卉园艺有限公司", "enterprise", "liangxin", 5, village="前进村", chain="花卉链", point=True),
    UnitSpec("上海竖新供销合作社有限公司", "enterprise", "liangxin", 8),
    UnitSpec("上海明强家庭农场有限公司", "enterprise", "liangxin", 3, village="明强村", chain="水果链"),
    UnitSpec("上海竖新燃气服务有限公司", "enterprise", "liangxin", 4),
    UnitSpec("上海大新商贸有限公司", "enterprise", "liangxin", 4, village="大新居委"),
    UnitSpec("上海竖河蔬菜专业合作社", "enterprise", "liangxin", 6, village="竖河村", chain="蔬菜链", point=True),
    UnitSpec("上海仙桥柑橘专业合作社", "enterprise", "liangxin", 5, village="仙桥村", chain="水果链", point=True),
    UnitSpec("上海大椿稻米专业合作社", "enterprise", "liangxin", 5, village="大椿村", chain="稻米链"),
    UnitSpec("上海前卫花卉专业合作社", "enterprise", "liangxin", 4, village="前卫村", chain="花卉链"),
    UnitSpec("上海新征农机专业合作社", "enterprise", "liangxin", 4, village="新征村", chain="稻米链"),
    UnitSpec("竖新镇社会组织服务中心", "social_org", "liangxin", 5),
    UnitSpec("竖新镇志愿者协会", "social_org", "liangxin", 6),
    UnitSpec("竖新镇老年协会", "social_org", "liangxin", 7),
    UnitSpec("竖河商业街区商户联合会", "social_org", "liangxin", 8, village="竖河村", org_name="竖河商业街区联合党支部"),
    UnitSpec("大新商业街区商户联合会", "social_org", "liangxin", 6, village="大新居委", org_name="大新商业街区联合党支部"),
)

# The red sites the seed names and a few town-wide places; each hosts a service point.
EXTRA_POINTS = (
    ("竖河大烧杀遗址党群服务点", "竖河村"),
    ("施家河沿地下党斗争史展览馆党群服务点", "仙桥村"),
    ("海界宅事件展览馆党群服务点", "界东村"),
    ("红色书吧（前卫村）", "前卫村"),
    ("初心讲堂（大椿村）", "大椿村"),
    ("竖新镇新时代文明实践所党群服务点", ""),
    ("竖新镇退役军人服务站党群服务点", ""),
)

# Community street names and the county-seat roads where staff of town units live.
COMMUNITY_ROADS = {"竖新居委": "竖新路", "大新居委": "大新路", "新建居委": "新建路"}
CITY_ROADS = ("八一路", "人民路", "鳌山路", "东门路", "西门路", "南门路", "北门路", "翠竹路", "崇明大道")

# Common surnames of Chongming, roughly in order of frequency; weights fall off gently.
SURNAMES = (
    "施", "黄", "陆", "张", "顾", "沈", "龚", "朱", "倪", "陈", "杨", "徐", "宋", "秦", "蔡", "季",
    "郁", "茅", "成", "樊", "姚", "俞", "唐", "周", "王", "袁", "钱", "吴", "范", "邱",
)  # fmt: skip
SURNAME_WEIGHTS = tuple(round(100 / (1 + i * 0.18)) for i in range(len(SURNAMES)))

# Given names follow the fashions of the decade a person was born in.
GIVEN_NAMES = {
    ("M", 1930): "根林 金林 福林 德明 德兴 金根 福兴 永昌 耀祖 阿三 根发 国民 志刚 保林 和平 龙根 兴华 仁德 家驹 明德",
    ("F", 1930): "秀英 桂英 凤英 月英 菊英 兰英 金娣 杏娣 彩娣 秀珍 美英 阿妹 梅英 玉英 巧英 雪英",
    ("M", 1955): "建国 国强 卫国 建华 志明 国平 建平 跃进 卫东 红兵 永明 国庆 建新 志强 德华 新民 文龙 伟民",
    ("F", 1955): "红英 丽华 美娟 月琴 菊芳 秀兰 爱华 卫红 建英 玉芳 惠芳 雪芳 桂芳 春花 彩萍 金花 兰芳",
    ("M", 1970): "海峰 伟 勇 军 斌 华 明 刚 建军 卫华 振华 海兵 忠 晓东 建忠 志华 国华 春华 国兴",
    ("F", 1970): "红梅 丽 芳 萍 燕 敏 静 丽娟 雪梅 海燕 春燕 晓红 美华 秋萍 建芳 琴 慧 卫琴",
    ("M", 1985): "磊 俊 杰 超 鹏 涛 浩 晨 亮 斌斌 俊杰 晓峰 海涛 志伟 建峰 宇 云峰 文杰",
    ("F", 1985): "婷 莉 洁 颖 琳 佳 倩 晶 雯 燕青 佳琪 晓燕 丽萍 婷婷 怡 蕾 佳颖 晓丽",
    ("M", 1995): "浩然 宇轩 子豪 俊豪 思远 嘉诚 一鸣 天宇 子健 逸飞 晨阳 博文 家豪 子轩 宇航 梓豪",
    ("F", 1995): "欣怡 佳怡 子涵 诗涵 梦瑶 雨婷 思琪 佳慧 欣然 可欣 雨欣 婧怡 文静 晓雯 梓萱 诗雨",
}

ETHNICITIES = ("回族", "满族", "蒙古族", "壮族", "土家族")
MOBILE_PREFIXES = (
    "133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159",
    "177", "180", "181", "186", "187", "189", "199",
)  # fmt: skip
