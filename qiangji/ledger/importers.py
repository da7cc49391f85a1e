"""Importing the 12345 hotline and petition (信访) exports into the problem ledger.

A row is one work order (工单) or petition item, keyed by its source and number (工单编号 /
信访件编号), so importing the same export again changes nothing and a later export of the same
orders updates them (through `problem_update`, and `problem_postpone` for a new deadline) —
never a second problem. Decisions, as the import page and docs/api.md state them:

- the registration date (挂号日期) is the day of the import: the problem enters the ledger
  then. The export's own date (受理时间/登记日期) is kept at the end of the description;
- the deadline (办理时限/整改期限) defaults to the registration date + 30 days; a row without
  one keeps the stored deadline when it is imported again;
- the source (来源/渠道) defaults to the hotline;
- organization (责任单位/党组织) and owner (责任人: username or name) are read for a new
  problem only: once registered, changing them is a step on the problem's page, with a reason.
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN
from qiangji.core.spreadsheets import CHANGED, Checked, FormImporter, ImportContext, RowInvalid, SourceRow, columns
from qiangji.core.spreadsheets.lookups import chunked, preloaded
from qiangji.core.text import clean_text
from qiangji.ledger.forms.problems import ProblemRegisterForm, owner_candidates
from qiangji.ledger.models import Problem
from qiangji.ledger.services import problem_postpone, problem_register, problem_update
from qiangji.ledger.services.problems import UPDATE_FIELDS
from qiangji.orgs.models import Organization, Village

DEFAULT_DAYS = 30
Source = Problem.Source
SOURCE_SYNONYMS = {
    "热线": Source.HOTLINE,
    "12345": Source.HOTLINE,
    "12345热线": Source.HOTLINE,
    "市民热线": Source.HOTLINE,
    "市民服务热线": Source.HOTLINE,
    "信访": Source.PETITION,
    "来信": Source.PETITION,
    "来访": Source.PETITION,
    "网上信访": Source.PETITION,
}


def _name(value: Any) -> str:
    return clean_text(value).replace(" ", "")


def _key(source: Any, ref: Any) -> str:
    return f"{source or Source.HOTLINE}|{ref}"


class ProblemImportForm(ProblemRegisterForm):
    """The register page's form with its choices loaded once per file (organizations, owners,
    villages the file names) and who may own a problem of each organization worked out once."""

    def __init__(
        self,
        *args: Any,
        user: Any,
        instance: Problem | None = None,
        organizations: Any,
        owners: Any,
        villages: Any,
        candidates: dict[int, set[int]],
        **kwargs: Any,
    ) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        self.user, self.instance, self.candidates = user, instance, candidates
        self.fields["organization"].queryset = organizations
        self.fields["owner"].queryset = owners
        self.fields["village"].queryset = villages

    def clean(self) -> dict[str, Any]:
        data = forms.Form.clean(self)
        org, owner = data.get("organization"), data.get("owner")
        if self.instance is None and org is not None and owner is not None and owner.pk not in self.candidates.get(org.pk, ()):
            self.add_error("owner", f"{owner}不是{org.name}或其上级党组织的书记、联络组成员或镇管理员。")
        return data


class ProblemImporter(FormImporter):
    """12345 work orders and petition items: 责任单位 and 责任人 must exist, 工单编号 is the key."""

    kind = "problems"
    label = "问题清单（12345热线、信访）"
    model = Problem
    guards_versions = True
    form_class = ProblemImportForm
    roles = (TOWN_ADMIN,)
    duplicate_label = "来源和工单编号"
    summary_columns = ("external_ref", "source", "organization", "description")
    columns = (
        columns.code(
            "external_ref", "工单编号", aliases=("信访件编号", "信访编号", "工单号", "件号", "受理编号", "编号"), required=True
        ),
        columns.choice("source", "来源", Source.choices, extra=SOURCE_SYNONYMS, aliases=("渠道", "问题来源", "来源渠道")),
        columns.date("received_on", "受理时间", aliases=("登记日期", "受理日期", "来电时间", "信访日期", "登记时间")),
        columns.text(
            "description",
            "诉求内容",
            aliases=("反映内容", "问题描述", "来电内容", "信访内容", "主要诉求", "诉求"),
            required=True,
        ),
        columns.text("village", "所属村居", aliases=("村居", "所在村居", "村（居）", "所属村（居）")),
        columns.text("organization", "责任单位", aliases=("党组织", "责任党组织", "承办单位", "所属党组织"), required=True),
        columns.text("owner", "责任人", aliases=("整改责任人", "承办人")),
        columns.date("deadline", "办理时限", aliases=("整改期限", "办结时限", "期限", "办理期限")),
        columns.text("category", "问题类别", aliases=("类别", "诉求类别", "问题分类")),
    )

    def key(self, values: dict[str, Any]) -> str | None:
        ref = values.get("external_ref")
        return _key(values.get("source"), ref) if ref else None

    def prepare(self, rows: list[SourceRow], ctx: ImportContext) -> list[SourceRow]:
        """What the file names, loaded once: organizations, villages, owners, existing problems."""
        org_names = {_name(r.values["organization"]) for r in rows if r.values.get("organization")}
        village_names = {_name(r.values["village"]) for r in rows if r.values.get("village")}
        owner_names = {_name(r.values["owner"]) for r in rows if r.values.get("owner")}
        refs = {r.values["external_ref"] for r in rows if r.values.get("external_ref")}
        organizations: dict[str, Organization] = {}
        for chunk in chunked(sorted(org_names)):
            organizations.update((o.name, o) for o in Organization.objects.filter(name__in=chunk).order_by("path"))
        villages: dict[str, Village] = {}
        for chunk in chunked(sorted(village_names)):
            villages.update((v.name, v) for v in Village.objects.filter(name__in=chunk))
        people: dict[str, list[Any]] = {}
        User = get_user_model()
        for chunk in chunked(sorted(owner_names)):
            for user in User.objects.filter(Q(username__in=chunk) | Q(display_name__in=chunk), is_active=True).order_by("pk"):
                for label in {user.username, user.display_name} & set(chunk):
                    people.setdefault(label, []).append(user)
        existing: dict[str, Problem] = {}
        for chunk in chunked(sorted(refs)):
            for problem in Problem.objects.filter(external_ref__in=chunk).select_related("organization", "owner"):
                existing[_key(problem.source, problem.external_ref)] = problem
        scoped = Organization.objects.active() if ctx.unrestricted else Organization.objects.for_user(ctx.user).active()
        ctx.cache.update(
            in_scope=set(scoped.filter(pk__in=[o.pk for o in organizations.values()]).values_list("pk", flat=True)),
            organizations=organizations,
            villages=villages,
            people=people,
            existing=existing,
            today=timezone.localdate(),
            choices={
                "organizations": preloaded(scoped, pks=[o.pk for o in organizations.values()]),
                "owners": preloaded(User.objects.filter(is_active=True), pks={u.pk for users in people.values() for u in users}),
                "villages": preloaded(Village.objects.all(), objects=villages.values()),
                "candidates": {o.pk: set(owner_candidates([o]).values_list("pk", flat=True)) for o in organizations.values()},
            },
        )
        return rows

    def find(self, values: dict[str, Any], ctx: ImportContext) -> Problem | None:
        key = self.key(values)
        return ctx.cache["existing"].get(key) if key else None

    def resolve(self, values: dict[str, Any], instance: Problem | None, ctx: ImportContext) -> dict[str, Any]:
        today = ctx.cache["today"]
        if not values.get("external_ref"):
            # The number is what makes a re-import an update: without it every import would add one.
            raise RowInvalid("工单编号未填写", field="external_ref")
        data = {k: v for k, v in values.items() if k not in ("received_on",)}
        data["source"] = values.get("source") or Source.HOTLINE
        received = values.get("received_on")
        if values.get("description") and isinstance(received, dt.date):
            data["description"] = f"{values['description']}\n（受理时间：{received:%Y-%m-%d}）"
        village = _name(values.get("village"))
        if village:
            found = ctx.cache["villages"].get(village)
            if found is None:
                raise RowInvalid(f"村居“{village}”不存在", field="village")
            data["village"] = found.pk
        if instance is not None:
            # Organization and owner of a registered problem change on its page, with a reason.
            data["organization"], data["owner"] = instance.organization_id, instance.owner_id
            deadline = values.get("deadline")
            if isinstance(deadline, dt.date) and deadline != instance.deadline and deadline < today:
                raise RowInvalid("新的办理时限不能早于今天", field="deadline")
            return data
        name = _name(values.get("organization"))
        organization = ctx.cache["organizations"].get(name)
        if organization is None:
            raise RowInvalid(f"责任单位“{name}”不存在", field="organization")
        if organization.pk not in ctx.cache["in_scope"]:
            if organization.dissolved_on:
                raise RowInvalid(f"责任单位“{name}”已撤销，不能登记问题", field="organization")
            raise RowInvalid(f"责任单位“{name}”不在您的管理范围内", field="organization")
        data["organization"] = organization.pk
        owner = _name(values.get("owner"))
        if not owner:
            raise RowInvalid("责任人未填写", field="owner")
        people = ctx.cache["people"].get(owner, [])
        if not people:
            raise RowInvalid(f"责任人“{owner}”不是本平台的用户", field="owner")
        if len(people) > 1:
            raise RowInvalid(f"有{len(people)}个名为“{owner}”的用户，请填写用户名", field="owner")
        data["owner"] = people[0].pk
        deadline = values.get("deadline") or today + dt.timedelta(days=DEFAULT_DAYS)
        if deadline < today:
            raise RowInvalid(f"办理时限{deadline:%Y-%m-%d}早于今天，不能挂号", field="deadline")
        data["deadline"] = deadline
        return data

    def form_kwargs(self, instance: Problem | None, ctx: ImportContext) -> dict[str, Any]:
        return dict(ctx.cache["choices"])

    def form(self, data: dict[str, Any], instance: Problem | None, ctx: ImportContext) -> forms.Form:
        # The form's choice of organization is the user's; a registered problem keeps its own.
        kwargs = self.form_kwargs(instance, ctx)
        if instance is not None:
            kwargs["organizations"] = Organization.objects.filter(pk=instance.organization_id)
            kwargs["owners"] = get_user_model().objects.filter(pk=instance.owner_id)
        return self.form_class(data=data, user=ctx.user, instance=instance, **kwargs)

    def check(self, values: dict[str, Any], ctx: ImportContext) -> Checked:
        checked = super().check(values, ctx)
        problem = checked.instance
        if checked.outcome == CHANGED and problem is not None and not problem.is_open:
            raise RowInvalid(f"问题{problem.number}已{problem.get_state_display()[1:]}，不能通过导入修改")
        return checked

    def create(self, data: dict[str, Any], ctx: ImportContext) -> Problem:
        return problem_register(by=ctx.user, data=data, today=ctx.cache["today"], check_access=not ctx.system)

    def update(self, instance: Problem, data: dict[str, Any], ctx: ImportContext) -> Problem:
        with transaction.atomic():  # the update and the new deadline together or neither
            problem = problem_update(
                problem=instance,
                by=ctx.user,
                data={k: data[k] for k in UPDATE_FIELDS},
                reason="按导入表格更新",
                check_access=not ctx.system,
            )
            if data["deadline"] != problem.deadline:
                problem = problem_postpone(
                    problem=problem,
                    by=ctx.user,
                    deadline=data["deadline"],
                    reason="导入表格中的办理时限已调整",
                    today=ctx.cache["today"],
                    check_access=not ctx.system,
                )
        return problem
