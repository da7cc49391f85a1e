"""Importing the organization tree from a spreadsheet, through OrganizationForm.

Rows may come in any order (a branch listed before its general branch): they are processed
parents first, and each row is written as it is checked, so a child finds the parent created
from an earlier row. The preview runs the same writes and rolls them back.
"""

from typing import Any

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.spreadsheets import FormImporter, ImportContext, RowInvalid, SourceRow, columns
from qiangji.core.text import clean_text
from qiangji.orgs.forms import OrganizationForm
from qiangji.orgs.models import Organization, Unit, Village
from qiangji.orgs.services import organization_create, organization_update

KIND_SYNONYMS = {
    "基层党委": Organization.Kind.COMMITTEE,
    "党总支部": Organization.Kind.GENERAL_BRANCH,
    "总支": Organization.Kind.GENERAL_BRANCH,
    "联合党支部": Organization.Kind.BRANCH,
    "支部": Organization.Kind.BRANCH,
    "小组": Organization.Kind.GROUP,
}
# How a new unit's kind is guessed from its name; anything else is "other".
UNIT_KIND_SUFFIXES = (
    (("村", "村委会", "村民委员会"), Unit.Kind.VILLAGE),
    (("居委", "居委会", "社区", "居民委员会"), Unit.Kind.COMMUNITY),
    (("公司", "厂", "合作社", "农场", "民宿"), Unit.Kind.ENTERPRISE),
    (("学校", "中学", "小学", "幼儿园"), Unit.Kind.SCHOOL),
    (("协会", "商会", "服务社"), Unit.Kind.SOCIAL_ORG),
)


def org_name(value: Any) -> str:
    """Organization names are stored without spaces (OrganizationForm.clean_name)."""
    return clean_text(value).replace(" ", "")


class OrganizationImporter(FormImporter):
    """党组织 rows: 组织名称 is the natural key; an unknown 所在单位 is created, an unknown
    所在村居 or 上级组织 makes the row invalid."""

    kind = "organizations"
    label = "党组织"
    model = Organization
    form_class = OrganizationForm
    roles = (TOWN_ADMIN,)
    simulate = True
    duplicate_label = "组织名称"
    summary_columns = ("name", "kind", "parent", "village", "unit")
    columns = (
        columns.text("name", "组织名称", aliases=("党组织名称", "党组织全称", "名称"), required=True),
        columns.choice(
            "kind", "组织类别", Organization.Kind.choices, extra=KIND_SYNONYMS, aliases=("组织类型", "党组织类别", "类别")
        ),
        columns.text("parent", "上级组织", aliases=("上级党组织", "上级党组织名称")),
        columns.text("village", "所在村居", aliases=("村居", "所在村（居）", "所在村")),
        columns.text("unit", "所在单位", aliases=("单位名称", "所在单位名称")),
        columns.date("founded_on", "成立日期", aliases=("成立时间",)),
        columns.date("term_start", "任期开始", aliases=("本届任期开始", "换届日期", "本届换届时间", "换届时间")),
        columns.date("term_end", "届满日期", aliases=("任期届满日期", "本届届满日期", "届满时间")),
        columns.flag("has_committee", "是否设支委会", aliases=("设支部委员会", "是否设支部委员会", "设支委会")),
    )

    def key(self, values: dict[str, Any]) -> str | None:
        return org_name(values["name"]) if values.get("name") else None

    def prepare(self, rows: list[SourceRow], ctx: ImportContext) -> list[SourceRow]:
        """Parents first: a depth-first walk from each row up to the rows naming its parent."""
        by_name: dict[str, SourceRow] = {}
        for row in rows:
            by_name.setdefault(org_name(row.values.get("name", "")), row)
        ctx.cache["names_in_file"] = set(by_name)
        ordered: list[SourceRow] = []
        state: dict[int, str] = {}

        def visit(row: SourceRow, trail: list[SourceRow]) -> None:
            if state.get(row.number) == "done":
                return
            if state.get(row.number) == "open":
                cycle = trail[trail.index(row) :]
                numbers = "、".join(f"第{r.number}行" for r in sorted(cycle, key=lambda r: r.number))
                for member in cycle:
                    member.errors.append(("parent", f"上级组织形成循环（{numbers}）"))
                return
            state[row.number] = "open"
            parent = by_name.get(org_name(row.values.get("parent", "")))
            if parent is not None and parent is not row:
                visit(parent, [*trail, row])
            state[row.number] = "done"
            ordered.append(row)

        for row in rows:
            visit(row, [])
        return ordered

    def find(self, values: dict[str, Any], ctx: ImportContext) -> Organization | None:
        name = org_name(values.get("name", ""))
        if not name:
            return None
        existing = Organization.objects.filter(name=name).first()
        if existing is not None and not ctx.unrestricted and not get_scope(ctx.user).covers(existing.path, "manage"):
            raise RowInvalid(f"已有同名党组织“{name}”，且不在您的管理范围内", field="name")
        return existing

    def resolve(self, values: dict[str, Any], instance: Any, ctx: ImportContext) -> dict[str, Any]:
        data = dict(values)
        errors: list[tuple[str | None, str]] = []
        if values.get("parent"):
            name = org_name(values["parent"])
            parent = Organization.objects.filter(name=name).first()
            if name == org_name(values.get("name", "")):
                errors.append(("parent", "上级组织不能是本组织"))
            elif parent is None:
                in_file = name in ctx.cache.get("names_in_file", ())
                errors.append(("parent", f"上级组织“{name}”{'所在行有误，未能导入' if in_file else '不存在'}"))
            elif parent.dissolved_on:
                errors.append(("parent", f"上级组织“{name}”已撤销"))
            elif parent.kind == Organization.Kind.GROUP:
                errors.append(("parent", f"上级组织“{name}”是党小组，党小组下不能再设党组织"))
            elif instance is not None and parent.path.startswith(instance.path):
                errors.append(("parent", f"上级组织“{name}”是本组织的下级组织"))
            elif not self._parents(ctx).filter(pk=parent.pk).exists():
                errors.append(("parent", f"上级组织“{name}”不在您的管理范围内"))
            data["parent"] = parent
        if values.get("village"):
            village = Village.objects.filter(name=org_name(values["village"])).first()
            if village is None:
                errors.append(("village", f"所在村居“{org_name(values['village'])}”不存在"))
            data["village"] = village
        if errors:
            raise RowInvalid(errors=errors)
        if values.get("unit"):
            # A unit is not personal data and districts list units the town has not seen yet;
            # within the row's savepoint, so an invalid row leaves no unit behind.
            data["unit"] = _unit_for(org_name(values["unit"]), village=data.get("village"))
        return data

    def _parents(self, ctx: ImportContext) -> Any:
        if ctx.unrestricted:
            return Organization.objects.active()
        return Organization.objects.for_user(ctx.user, "manage").active()

    def form_kwargs(self, instance: Organization | None, ctx: ImportContext) -> dict[str, Any]:
        return {"allow_root": ctx.unrestricted, "parents": self._parents(ctx), "check_version": False}

    def create(self, data: dict[str, Any], ctx: ImportContext) -> Organization:
        return organization_create(by=ctx.user, data=data, source=ctx.source, batch=ctx.batch)

    def update(self, instance: Organization, data: dict[str, Any], ctx: ImportContext) -> Organization:
        return organization_update(organization=instance, by=ctx.user, data=data, source=ctx.source, batch=ctx.batch)


def _unit_for(name: str, *, village: Village | None) -> Unit:
    unit = Unit.objects.filter(name=name).first()
    if unit is not None:
        return unit
    kind = next((k for suffixes, k in UNIT_KIND_SUFFIXES if name.endswith(suffixes)), Unit.Kind.OTHER)
    return Unit.objects.create(name=name, kind=kind, village=village)
