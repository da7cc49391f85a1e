"""Importing members from the national roster (全国党员信息库) export, through MemberForm.

A member is found by the keyed hash of their ID number, so importing the same roster twice
changes nothing. New members are written in bulk, with their history rows and their personal
data encrypted and hashed exactly as `member_build` does for a single member.
"""

from typing import Any

from django.core.exceptions import ValidationError

from qiangji.core.access import SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.crypto import keyed_hash, mask_address, mask_id_number, mask_phone
from qiangji.core.history import change_record
from qiangji.core.models import ChangeRecord
from qiangji.core.spreadsheets import FormImporter, ImportContext, RowInvalid, SourceRow, columns
from qiangji.core.spreadsheets.lookups import preloaded
from qiangji.core.text import clean_text
from qiangji.core.validators import normalize_id_number
from qiangji.members.forms import MemberForm
from qiangji.members.models import Member
from qiangji.members.services import member_build, member_update
from qiangji.orgs.models import Organization

Education = Member.Education
EDUCATION_SYNONYMS = {
    "博士": Education.POSTGRADUATE,
    "博士研究生": Education.POSTGRADUATE,
    "硕士": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "中专": Education.SECONDARY_VOCATIONAL,
    "中技": Education.SECONDARY_VOCATIONAL,
    "技校": Education.SECONDARY_VOCATIONAL,
    "职高": Education.SECONDARY_VOCATIONAL,
    "普通高中": Education.HIGH_SCHOOL,
    "小学": Education.PRIMARY,
}
Post = Member.PartyPost
POST_SYNONYMS = {
    "党支部书记": Post.SECRETARY,
    "支部书记": Post.SECRETARY,
    "党总支书记": Post.SECRETARY,
    "党委书记": Post.SECRETARY,
    "党支部副书记": Post.DEPUTY_SECRETARY,
    "支部委员": Post.COMMITTEE_MEMBER,
    "组织委员": Post.COMMITTEE_MEMBER,
    "宣传委员": Post.COMMITTEE_MEMBER,
    "纪检委员": Post.COMMITTEE_MEMBER,
    "党小组组长": Post.GROUP_LEADER,
    "小组长": Post.GROUP_LEADER,
}
_CHUNK = 500


def _id_key(raw: Any) -> str | None:
    """The ID number as stored (18 characters, upper-case X), or its raw text when invalid."""
    if not raw:
        return None
    try:
        return normalize_id_number(raw)
    except ValidationError:
        return str(raw).upper()


class MemberImporter(FormImporter):
    """党员 rows: 公民身份号码 is the natural key; 所在党组织 must already exist and be one the
    importing user manages; moving an existing member is a transfer, not an import."""

    kind = "members"
    label = "党员"
    model = Member
    form_class = MemberForm
    roles = (TOWN_ADMIN, SECRETARY)
    duplicate_label = "身份证号"
    personal_fields = ("id_number", "phone", "address")
    summary_columns = ("name", "id_number", "organization", "status")
    columns = (
        columns.text("name", "姓名", required=True),
        columns.choice("gender", "性别", Member.Gender.choices, extra={"男性": "M", "女性": "F"}),
        columns.code(
            "id_number",
            "公民身份号码",
            aliases=("身份证号", "身份证号码", "公民身份证号码", "身份证"),
            required=True,
            mask=mask_id_number,
        ),
        columns.text("ethnicity", "民族"),
        columns.date("birth_date", "出生日期"),
        columns.choice("education", "学历", Education.choices, extra=EDUCATION_SYNONYMS, aliases=("文化程度", "最高学历")),
        columns.date("joined_on", "入党日期", aliases=("入党时间",)),
        columns.date("full_member_on", "转正日期", aliases=("转正时间",)),
        columns.choice(
            "status", "人员类别", Member.Status.choices, extra={"正式": "full", "预备": "probationary"}, aliases=("党员类别",)
        ),
        columns.text("organization", "所在党组织", aliases=("所在支部", "党组织名称", "所在党支部"), required=True),
        columns.code("phone", "联系电话", aliases=("手机号码", "手机号", "手机", "联系方式"), mask=mask_phone),
        columns.text("address", "家庭住址", aliases=("家庭地址", "住址", "现居住地"), mask=mask_address),
        columns.choice("party_post", "党内职务", Post.choices, extra=POST_SYNONYMS),
        columns.flag("is_frail", "是否年老体弱", aliases=("年老体弱",)),
        columns.flag("is_mobile", "是否流动党员", aliases=("流动党员",)),
    )

    def key(self, values: dict[str, Any]) -> str | None:
        return _id_key(values.get("id_number"))

    def prepare(self, rows: list[SourceRow], ctx: ImportContext) -> list[SourceRow]:
        """One query per 500 ID numbers and one for the organizations, not several per row."""
        hashes = sorted({keyed_hash(k) for row in rows if (k := _id_key(row.values.get("id_number")))})
        existing: dict[str, Member] = {}
        for start in range(0, len(hashes), _CHUNK):
            chunk = hashes[start : start + _CHUNK]
            for member in Member.objects.filter(id_number_hash__in=chunk).select_related("organization"):
                existing[member.id_number_hash] = member
        ctx.cache["members"] = existing
        ctx.cache["organizations"] = {
            name: (pk, path, dissolved)
            for pk, name, path, dissolved in Organization.objects.values_list("pk", "name", "path", "dissolved_on")
        }
        ctx.cache["new"] = []
        return rows

    def _manages(self, ctx: ImportContext, path: str) -> bool:
        return ctx.unrestricted or get_scope(ctx.user).covers(path, "manage")

    def find(self, values: dict[str, Any], ctx: ImportContext) -> Member | None:
        number = _id_key(values.get("id_number"))
        member = ctx.cache["members"].get(keyed_hash(number)) if number else None
        # A member outside the user's organizations is not theirs to change; the form then
        # answers "该身份证号已登记为其他党员", as it does on the page.
        if member is not None and not self._manages(ctx, member.organization.path):
            return None
        return member

    def resolve(self, values: dict[str, Any], instance: Member | None, ctx: ImportContext) -> dict[str, Any]:
        data = dict(values)
        if values.get("organization"):
            name = clean_text(values["organization"]).replace(" ", "")
            found = ctx.cache["organizations"].get(name)
            if found is None:
                raise RowInvalid(f"所在党组织“{name}”不存在", field="organization")
            pk, path, dissolved = found
            if dissolved:
                raise RowInvalid(f"所在党组织“{name}”已撤销", field="organization")
            if not self._manages(ctx, path):
                raise RowInvalid(f"所在党组织“{name}”不在您的管理范围内", field="organization")
            if instance is not None and instance.organization_id != pk:
                raise RowInvalid(
                    f"该党员现属“{instance.organization.name}”，与表中所在党组织不一致；调整组织关系请办理转接",
                    field="organization",
                )
            data["organization"] = pk
        return data

    def form_kwargs(self, instance: Member | None, ctx: ImportContext) -> dict[str, Any]:
        if "choices" not in ctx.cache:
            # The form's own choices (all active organizations for the system, the user's
            # otherwise), loaded once for the whole file.
            scoped = (
                Organization.objects.active() if ctx.unrestricted else Organization.objects.for_user(ctx.user, "manage").active()
            )
            ctx.cache["choices"] = preloaded(scoped)
        return {"organizations": ctx.cache["choices"]}

    def create(self, data: dict[str, Any], ctx: ImportContext) -> Member:
        member = member_build(data=data)
        ctx.cache["new"].append(member)
        return member

    def update(self, instance: Member, data: dict[str, Any], ctx: ImportContext) -> Member:
        return member_update(member=instance, by=ctx.user, data=data, source=ctx.source, batch=ctx.batch)

    def flush(self, ctx: ImportContext) -> None:
        """The bulk path of `member_create`: the members, then one history row for each."""
        members: list[Member] = ctx.cache.get("new", [])
        if not members:
            return
        Member.objects.bulk_create(members, batch_size=_CHUNK)
        records = [
            change_record(
                instance=m, user=ctx.user, action=ChangeRecord.Action.CREATE, before=None, source=ctx.source, batch=ctx.batch
            )
            for m in members
        ]
        ChangeRecord.objects.bulk_create(records, batch_size=1000)
        ctx.cache["new"] = []
