"""Importing members from the national roster (全国党员信息库) export, through MemberForm.

A member is found by the keyed hash of their ID number, so importing the same roster twice
changes nothing. New members are written in bulk, with their history rows and their personal
data encrypted and hashed exactly as `member_build` does for a single member.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from qiangji.core.access import SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.crypto import keyed_hash, keyed_hashes, mask_address, mask_id_number, mask_phone
from qiangji.core.history import change_record, snapshot
from qiangji.core.models import ChangeRecord
from qiangji.core.spreadsheets import FormImporter, ImportContext, RowInvalid, SourceRow, columns
from qiangji.core.spreadsheets.bulk import insert
from qiangji.core.spreadsheets.lookups import chunked, preloaded
from qiangji.core.text import clean_text
from qiangji.core.validators import normalize_id_number
from qiangji.members.forms import MemberForm
from qiangji.members.models import Member
from qiangji.members.services import FIELDS, member_build, name_initials
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


def _id_key(raw: Any) -> str | None:
    """The ID number as stored (18 characters, upper-case X), or its raw text when invalid."""
    if not raw:
        return None
    try:
        return normalize_id_number(raw)
    except ValidationError:
        return str(raw).upper()


def _valid_id(raw: Any) -> str | None:
    try:
        return normalize_id_number(raw)
    except ValidationError:
        return None


class MemberImporter(FormImporter):
    """党员 rows: 公民身份号码 is the natural key; 所在党组织 must already exist and be one the
    importing user manages; moving an existing member is a transfer, not an import."""

    kind = "members"
    label = "党员"
    model = Member
    form_class = MemberForm
    guards_versions = True
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
        """Everything the rows need, loaded once per file: the existing members by the keyed hash
        of their ID number (one query per chunk of hashes, ID numbers not decrypted: the file
        gives them), the organizations the file names, and the form's choices among them."""
        ids: dict[Any, tuple[str, str] | None] = {}
        names: set[str] = set()
        for row in rows:
            raw = row.values.get("id_number")
            if raw and raw not in ids:
                number = _valid_id(raw)
                ids[raw] = (number, keyed_hash(number)) if number else None
            found = ids.get(raw) if raw else None
            row.set_key(found[0] if found else _id_key(raw))  # what key() would say
            if row.values.get("organization"):
                names.add(_org_name(row.values["organization"]))
        numbers = {found[1]: found[0] for found in ids.values() if found}
        # During a key rotation a member's stored hash may still be under the old hash key:
        # look for every configured key's hash, keep the member under the current one.
        current = {old: digest for digest, number in numbers.items() for old in keyed_hashes(number)}
        existing: dict[str, Member] = {}
        for chunk in chunked(sorted(current)):
            for member in Member.objects.filter(id_number_hash__in=chunk).defer("id_number").order_by():
                digest = current[member.id_number_hash]
                member.id_number = numbers[digest]
                existing[digest] = member
        organizations: dict[int, Organization] = {}
        for chunk in chunked(sorted(names)):
            organizations.update((o.pk, o) for o in Organization.objects.filter(name__in=chunk).order_by())
        theirs = {m.organization_id for m in existing.values()} - organizations.keys()
        for chunk in chunked(sorted(theirs)):
            organizations.update((o.pk, o) for o in Organization.objects.filter(pk__in=chunk).order_by())
        for member in existing.values():
            member.organization = organizations[member.organization_id]
        by_name = {o.name: o for o in organizations.values()}
        # The form's own choices (all active organizations for the system, those the user
        # manages otherwise), loaded for the organizations the file names only.
        scoped = Organization.objects.active() if ctx.unrestricted else Organization.objects.for_user(ctx.user, "manage").active()
        ctx.cache.update(
            ids=ids,
            members=existing,
            id_hashes={h: m.pk for h, m in existing.items()},
            organizations=by_name,
            choices=preloaded(scoped, pks=[o.pk for o in by_name.values()]),
            current=preloaded(Organization.objects.all(), objects=organizations.values()),
            new=[],
            changed=[],
        )
        return rows

    def _manages(self, ctx: ImportContext, path: str) -> bool:
        return ctx.unrestricted or get_scope(ctx.user).covers(path, "manage")

    def find(self, values: dict[str, Any], ctx: ImportContext) -> Member | None:
        found = ctx.cache["ids"].get(values.get("id_number"))
        member = ctx.cache["members"].get(found[1]) if found else None
        # A member outside the user's organizations is not theirs to change; the form then
        # answers "该身份证号已登记为其他党员", as it does on the page.
        if member is not None and not self._manages(ctx, member.organization.path):
            return None
        return member

    def resolve(self, values: dict[str, Any], instance: Member | None, ctx: ImportContext) -> dict[str, Any]:
        data = dict(values)
        if values.get("organization"):
            name = _org_name(values["organization"])
            found = ctx.cache["organizations"].get(name)
            if found is None:
                raise RowInvalid(f"所在党组织“{name}”不存在", field="organization")
            if found.dissolved_on:
                raise RowInvalid(f"所在党组织“{name}”已撤销", field="organization")
            if not self._manages(ctx, found.path):
                raise RowInvalid(f"所在党组织“{name}”不在您的管理范围内", field="organization")
            if instance is not None and instance.organization_id != found.pk:
                raise RowInvalid(
                    f"该党员现属“{instance.organization.name}”，与表中所在党组织不一致；调整组织关系请办理转接",
                    field="organization",
                )
            data["organization"] = found.pk
        return data

    def form_kwargs(self, instance: Member | None, ctx: ImportContext) -> dict[str, Any]:
        return {
            "organizations": ctx.cache["choices"],
            "current_organizations": ctx.cache["current"],
            "id_hashes": ctx.cache["id_hashes"],
            "check_version": False,
        }

    def create(self, data: dict[str, Any], ctx: ImportContext) -> Member:
        member = member_build(data=data)
        ctx.cache["new"].append(member)
        self._flush_when_full(ctx)
        return member

    def update(self, instance: Member, data: dict[str, Any], ctx: ImportContext) -> Member:
        """`member_update` for many: the same fields set and derived, written by `flush`."""
        before = snapshot(instance)
        old = {name: getattr(instance, name) for name in UPDATABLE}
        for key, value in data.items():
            if key in UPDATABLE:
                setattr(instance, key, value)
        instance.name_initials = name_initials(instance.name)
        instance.id_number_hash = keyed_hash(instance.id_number)
        changed = [name for name in UPDATABLE if getattr(instance, name) != old[name]]
        if changed:
            ctx.cache["changed"].append((instance, before, changed))
            self._flush_when_full(ctx)
        return instance

    def _flush_when_full(self, ctx: ImportContext) -> None:
        """Write in chunks (still in the commit's one transaction): the history rows built for
        a chunk need not all be held at once."""
        if len(ctx.cache["new"]) + len(ctx.cache["changed"]) >= _FLUSH_ROWS:
            self.flush(ctx)

    def flush(self, ctx: ImportContext) -> None:
        """The bulk paths of `member_create` and `member_update`: the members, then one history
        row for each, in the transaction of the commit."""
        new: list[Member] = ctx.cache.get("new", [])
        changed: list[tuple[Member, dict[str, Any], list[str]]] = ctx.cache.get("changed", [])
        records = []
        if new:
            insert(new)
            records += [
                change_record(
                    instance=m, user=ctx.user, action=ChangeRecord.Action.CREATE, before=None, source=ctx.source, batch=ctx.batch
                )
                for m in new
            ]
        if changed:
            now = timezone.now()
            groups: dict[tuple[str, ...], list[Member]] = {}
            for member, before, fields in changed:
                member.updated_at = now
                # A page opened before the import must not write its old values back over it.
                member.version = F("version") + 1
                groups.setdefault(tuple(fields), []).append(member)
                after = snapshot(member)
                record = change_record(
                    instance=member,
                    user=ctx.user,
                    action=ChangeRecord.Action.UPDATE,
                    before=before,
                    after=after,
                    source=ctx.source,
                    batch=ctx.batch,
                )
                # A change hidden by the mask (138****5678 → 138****5678) is still a change.
                for name in fields:
                    if name in after and name not in record.changes:
                        record.changes[name] = [before.get(name), after[name]]
                records.append(record)
            for fields, members in groups.items():
                # Members changed in the same columns go together: one UPDATE per batch.
                Member.objects.bulk_update(members, [*_derived(fields), "updated_at", "version"], batch_size=_UPDATE_BATCH)
        insert(records)
        ctx.cache["new"], ctx.cache["changed"] = [], []


# What an import may change on an existing member: everything but the organization (a transfer).
UPDATABLE = tuple(name for name in FIELDS if name != "organization")
_UPDATE_BATCH = 200
_FLUSH_ROWS = 5000


def _derived(fields: tuple[str, ...]) -> list[str]:
    """The columns to write for these changed fields, with what member_update derives from them."""
    extra = (["name_initials"] if "name" in fields else []) + (["id_number_hash"] if "id_number" in fields else [])
    return [*fields, *extra]


def _org_name(value: Any) -> str:
    return clean_text(value).replace(" ", "")
