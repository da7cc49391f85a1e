"""Importing the district's base data on emerging-sector entities (新兴领域主体底数), and its
analysis against the register (收集-分析).

Each row goes through `EntityForm` (the manual "add entity" form) and is then classified; nothing
is written to the register (`Entity`): a commit keeps the batch (`EntityBatch`) and one
`BaseRecord` per row, and sends the rows that need it to the teams (services/batches.py).

Classes, per row, in this order (the first that applies):

- **invalid** (有误): no name or no village; a village that is not one of the town's (东村 also
  found as 东村村委会 / 东村村 / 东村居委会); a credit code of the wrong length, with I O S V Z or
  another foreign character, or a wrong check character (GB 32100); a chain or street that does
  not exist; a number that is not a whole number ≥ 0; a cell that cannot be read.
- **duplicate** (疑似重复): the row's credit code, or else its name + address key
  (`models.match_key`), was already given by a valid row above it in the same file (the later
  rows are duplicates: no visit of their own, the first row's record carries it); or the row's
  code finds no entity in the register but its key is that of a register entity whose code is
  different or blank, or — whatever the address — its name is that of a register entity in the
  same village under another code (`duplicate_of` = that entity; a team checks whether it is
  the same one, and an approved visit writes what it found to that entity: never a new one).
- **unchanged** / **changed** (与底数一致 / 信息变更): the code — for a row without one, the
  key — finds a register entity; changed lists the fields whose value in the row differs from
  the register ({field: [old as shown, new value as `entity_apply` takes it, new as shown]}).
  A blank cell means "not given", never "erase".
- **new** (新发现): none of the above.
- **gone** (疑似注销): the batch is a full list and an active register entity is named by no
  row of the file, valid or not (by code, key, or name in its village: an unreadable row still
  shows the entity is there). Full or partial is the uploader's explicit choice, with no default
  (`options["list"]` = "full" / "partial": the upload page's 名单范围, the API's `is_full`, the
  command's `--full` / `--partial`). A full list that would mark more than
  settings.IMPORT_GONE_CONFIRM_SHARE of the active register gone commits only once that number
  is confirmed (`confirmation`).

Importing the same file (same SHA-256) again analyses nothing anew: each row gets the class the
first import gave it, and the commit writes nothing.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qiangji.campaign.forms import EntityForm
from qiangji.campaign.models import BaseRecord, Entity, EntityBatch, match_key
from qiangji.core.access import TOWN_ADMIN
from qiangji.core.crypto import decrypt, mask_phone
from qiangji.core.spreadsheets import (
    INVALID,
    Checked,
    Confirmation,
    FormImporter,
    ImportContext,
    RowInvalid,
    SourceRow,
    UploadChoice,
    columns,
)
from qiangji.core.spreadsheets.lookups import preloaded
from qiangji.core.spreadsheets.rowcheck import RowChecker
from qiangji.core.text import clean_text
from qiangji.core.validators import normalize_credit_code
from qiangji.orgs.models import Chain, Street, Village

Klass = BaseRecord.Klass
NEW, UNCHANGED, CHANGED, DUPLICATE, GONE = (Klass.NEW.value, Klass.UNCHANGED.value, Klass.CHANGED.value,
                                            Klass.DUPLICATE.value, Klass.GONE.value)  # fmt: skip
KIND_SYNONYMS = {
    "企业": "company",
    "公司": "company",
    "有限公司": "company",
    "有限责任公司": "company",
    "个体": "self_employed",
    "个体户": "self_employed",
    "社会组织": "social_org",
    "民办非企业": "social_org",
    "民办非企业单位": "social_org",
    "合作社": "cooperative",
    "专业合作社": "cooperative",
    "农场": "farm",
}
VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "委员会", "村委", "居委")
SEPARATORS = str.maketrans({c: "、" for c in "，,;；/ "})
FULL, PARTIAL = "full", "partial"
LIST_CHOICE = UploadChoice(
    key="list",
    label="名单范围",
    choices=((FULL, "全量名单"), (PARTIAL, "部分名单")),
    help="全量名单：区里下发的完整名单，登记册中未出现在名单中的在册主体将标记为疑似注销；"
    "部分名单（如补报名单）：只比对名单中的主体，不标记疑似注销。",
    required="请选择名单范围：本表是全量名单还是部分名单",
)
FIELD_LABELS = {name: str(Entity._meta.get_field(name).verbose_name) for name in Entity.REGISTER_FIELDS}


def _name(value: Any) -> str:
    return clean_text(value).replace(" ", "")


def _name_part(key: str) -> str:
    """The name half of a `match_key` (name and address squashed, joined by "|")."""
    return key.split("|", 1)[0]


def _code(raw: Any) -> str | None:
    try:
        return normalize_credit_code(raw) if raw else None
    except ValidationError:
        return None


class EntityImporter(FormImporter):
    """新兴领域主体底数: rows checked by EntityForm, classified against the register (see above)."""

    kind = "entities"
    label = "新兴领域主体底数"
    model = BaseRecord
    form_class = EntityForm
    roles = (TOWN_ADMIN,)
    duplicate_label = "统一社会信用代码"
    personal_fields = ("phone",)
    summary_columns = ("name", "credit_code", "village", "address")
    outcomes = (
        (NEW, "新发现"),
        (UNCHANGED, "与底数一致"),
        (CHANGED, "信息变更"),
        (DUPLICATE, "疑似重复"),
        (INVALID, "有误"),
        (GONE, "疑似注销"),
    )
    writes = (NEW, UNCHANGED, CHANGED, DUPLICATE, GONE)
    upload_choices = (LIST_CHOICE,)
    row_records = False  # each row's BaseRecord is its provenance (the batch page shows them)
    columns = (
        columns.text("name", "主体名称", aliases=("企业名称", "单位名称", "市场主体名称", "名称"), required=True),
        columns.code("credit_code", "统一社会信用代码", aliases=("信用代码", "社会信用代码", "统一代码")),
        columns.choice("kind", "主体类型", Entity.Kind.choices, extra=KIND_SYNONYMS, aliases=("类型", "市场主体类型")),
        columns.text("village", "所在村居", aliases=("村居", "村(居)委", "所属村居", "村（居）"), required=True),
        columns.text("address", "经营地址", aliases=("地址", "注册地址", "经营场所")),
        columns.text("person_in_charge", "负责人", aliases=("法定代表人", "经营者", "法人代表")),
        columns.code("phone", "联系电话", aliases=("电话", "手机", "手机号码", "联系方式"), mask=mask_phone),
        columns.code("employees", "从业人员数", aliases=("从业人数", "员工数", "从业人员")),
        columns.code("party_members", "党员人数", aliases=("党员数",)),
        columns.flag("has_party_org", "是否建立党组织", aliases=("是否建立党组织(是/否)", "已建党组织")),
        columns.text("chains", "所属产业链", aliases=("产业链",)),
        columns.text("street", "所属商区", aliases=("商业街区", "所属商业街区", "商区")),
    )

    # Loading -------------------------------------------------------------------------------

    def prepare(self, rows: list[SourceRow], ctx: ImportContext) -> list[SourceRow]:
        """Everything the rows are compared with, loaded once per file (no query per row):
        villages, chains, streets, the register by code and by key with its chains."""
        cache = ctx.cache
        cache["rows"] = {id(row.values): row for row in rows}
        # No choice (a batch uploaded before the choice existed) counts as partial: nothing is
        # marked gone that nobody said was missing.
        cache["is_full"] = ctx.options.get(LIST_CHOICE.key) == FULL
        sha = ctx.file_sha256 or getattr(ctx.batch, "file_sha256", "")
        earlier = EntityBatch.objects.filter(file_sha256=sha).order_by("pk").first() if sha else None
        cache["replay"] = earlier
        if earlier is not None:
            self._load_replay(earlier, ctx)
            return rows
        villages = list(Village.objects.all())
        chains = list(Chain.objects.all())
        streets = list(Street.objects.all())
        cache.update(
            villages={v.name: v for v in villages},
            village_names={v.pk: v.name for v in villages},
            grids={v.pk: v.grid_id for v in villages},
            chains={c.name: c for c in chains},
            chain_names={c.pk: c.name for c in chains},
            streets={s.name: s for s in streets},
            street_names={s.pk: s.name for s in streets},
            found_villages={},
            choices={
                "villages": preloaded(Village.objects.all(), objects=villages),
                "chains": preloaded(Chain.objects.all(), objects=chains),
                "streets": preloaded(Street.objects.all(), objects=streets),
            },
            seen_code={},
            seen_key={},
        )
        fields = ("pk", "credit_code", "key", *(f for f in Entity.REGISTER_FIELDS if f not in ("chains", "phone")))
        known: dict[int, dict[str, Any]] = {}
        by_code: dict[str, int] = {}
        by_key: dict[str, list[int]] = {}
        by_name: dict[tuple[str, int], list[int]] = {}  # (the key's name part, village) → entities
        entities = Entity.objects.order_by("pk").extra(select={"phone_sealed": "phone"})  # decrypted only when compared
        for values in entities.values("status", "phone_sealed", *fields, "village_id", "street_id").iterator(2000):
            values["chains"] = []
            known[values["pk"]] = values
            if values["credit_code"]:
                by_code[values["credit_code"]] = values["pk"]
            by_key.setdefault(values["key"], []).append(values["pk"])
            by_name.setdefault((_name_part(values["key"]), values["village_id"]), []).append(values["pk"])
        for entity_id, chain_id in Entity.chains.through.objects.values_list("entity_id", "chain_id").iterator(5000):
            known[entity_id]["chains"].append(chain_id)
        active = sum(1 for values in known.values() if values["status"] == Entity.Status.ACTIVE)
        cache.update(known=known, by_code=by_code, by_key=by_key, by_name=by_name, active_count=active)
        # Which register entities the file names at all, valid rows or not (for "gone").
        # Each row's code and key are worked out here once (the cells are already cleaned, and
        # match_key squashes what the form's cleaning would change).
        named: set[int] = set()
        codes: dict[int, str | None] = {}
        keys: dict[int, str] = {}
        for row in rows:
            code = codes[row.number] = _code(row.values.get("credit_code"))
            if code in by_code:
                named.add(by_code[code])
            key = keys[row.number] = match_key(row.values.get("name") or "", row.values.get("address") or "")
            named.update(by_key.get(key, ()))
            village = self._village(_name(row.values["village"]), ctx) if row.values.get("village") else None
            if village is not None:
                named.update(by_name.get((_name_part(key), village.pk), ()))
        cache.update(named=named, row_codes=codes, row_keys=keys)
        return rows

    def _load_replay(self, earlier: EntityBatch, ctx: ImportContext) -> None:
        records = earlier.records.select_related("entity", "duplicate_of")
        ctx.cache["replayed"] = {r.row_number: r for r in records if r.row_number}
        ctx.cache["replayed_gone"] = [r for r in records if r.klass == GONE and not r.row_number]
        ctx.cache["replayed_errors"] = {e["row"]: e["messages"] for e in earlier.errors}
        ctx.cache["village_names"] = dict(Village.objects.values_list("pk", "name"))

    def done_message(self, counts: dict[str, int]) -> str:
        return (
            f"底数批次已生成：新发现 {counts[NEW]}、信息变更 {counts[CHANGED]}、疑似重复 {counts[DUPLICATE]}、"
            f"疑似注销 {counts[GONE]}、与底数一致 {counts[UNCHANGED]}，需核实的已生成走访任务；"
            f"有误的 {counts[INVALID]} 行未导入。在册主体待走访核实、审核通过后才更新。"
        )

    def _earlier(self, sha: str) -> EntityBatch | None:
        return EntityBatch.objects.filter(file_sha256=sha).order_by("pk").first() if sha else None

    def confirmation(self, counts: Any, ctx: ImportContext) -> Confirmation | None:
        """A full list that would mark more than IMPORT_GONE_CONFIRM_SHARE of the active register
        gone (a few rows uploaded as "全量名单" by mistake) needs the number confirmed."""
        gone = counts.get(GONE, 0)
        if not gone or ctx.options.get(LIST_CHOICE.key) != FULL:
            return None
        replay = ctx.cache["replay"] if "replay" in ctx.cache else self._earlier(ctx.file_sha256)
        if replay is not None:  # the same file again writes nothing
            return None
        active = ctx.cache["active_count"] if "active_count" in ctx.cache else Entity.objects.active().count()
        share = settings.IMPORT_GONE_CONFIRM_SHARE
        if not active or gone / active <= share:
            return None
        return Confirmation(
            number=gone,
            label=f"我已确认将 {gone} 个主体标记为疑似注销",
            refusal=(
                f"本次为全量名单，将把登记册中 {gone} 个在册主体（占 {active} 个的 {gone * 100 // active}%，"
                f"超过 {share:.0%}）标记为疑似注销，须确认这一数字后才能导入；如本表只是部分名单，请放弃后按部分名单重新上传。"
            ),
        )

    def committed_page(self, batch: Any) -> str | None:
        own = EntityBatch.objects.filter(import_batch=batch).values_list("pk", flat=True).first()
        return reverse("campaign:batch_detail", args=[own]) if own else None

    def notice(self, batch: Any) -> str:
        own = EntityBatch.objects.filter(import_batch=batch).first()
        if own is not None:
            return f"已生成底数批次：分析结果和走访任务见“新连心攻坚 · 底数批次”第{own.pk}号。"
        earlier = EntityBatch.objects.filter(file_sha256=batch.file_sha256).order_by("pk").first()
        if earlier is not None:
            at = timezone.localtime(earlier.created_at)
            return (
                f"此文件已于{at:%Y-%m-%d %H:%M}导入（底数批次第{earlier.pk}号），以下为当时的分析结果；"
                "再次导入不会新增任何记录或走访任务。"
            )
        counts = batch.counts or {}
        if batch.options.get(LIST_CHOICE.key) == PARTIAL:
            return "部分名单：只比对名单中的主体，未出现在名单中的在册主体不标记为疑似注销。"
        if counts.get(GONE):
            return (
                f"全量名单：名单共 {counts.get('total', 0)} 行；登记册中另有 {counts[GONE]} 个主体未出现在名单中，"
                "将标记为疑似注销（由走访队逐一核实，审核通过后才注销）。"
            )
        return ""

    # One row -------------------------------------------------------------------------------

    def form_kwargs(self, instance: Any, ctx: ImportContext) -> dict[str, Any]:
        return {**ctx.cache["choices"], "codes": ctx.cache["by_code"]}

    def checker(self, ctx: ImportContext) -> RowChecker:
        """EntityForm's fields and clean methods, run per row without binding the form (the same
        checks as manual entry; tests/test_import_entities.py holds them equal to `full_clean`)."""
        built = ctx.cache.get("checker")
        if built is None:
            form = self.form_class(user=ctx.user, **self.form_kwargs(None, ctx))
            built = ctx.cache["checker"] = RowChecker(form, pure=EntityForm.PURE_FIELDS)
        return built

    def _village(self, text: str, ctx: ImportContext) -> Village | None:
        found = ctx.cache["found_villages"]
        if text not in found:
            villages = ctx.cache["villages"]
            candidates = [text]
            for suffix in VILLAGE_SUFFIXES:
                if text.endswith(suffix) and len(text) > len(suffix):
                    base = text[: -len(suffix)]
                    candidates += [base, base + "村", base + "居委"]
            if text.endswith("村") and len(text) > 2:
                candidates.append(text[:-1])
            found[text] = next((villages[c] for c in candidates if c in villages), None)
        return found[text]

    def resolve(self, values: dict[str, Any], instance: Any, ctx: ImportContext) -> dict[str, Any]:
        data, errors = self._resolve(values, ctx)
        if errors:
            raise RowInvalid(errors=errors)
        return data

    def _resolve(self, values: dict[str, Any], ctx: ImportContext) -> tuple[dict[str, Any], list[tuple[str | None, str]]]:
        """Names into pks for the form; every unknown name is reported, not only the first (a
        field whose name is unknown is left out of the data)."""
        data = dict(values)
        errors: list[tuple[str | None, str]] = []
        if values.get("village"):
            village = self._village(_name(values["village"]), ctx)
            if village is None:
                del data["village"]
                errors.append(("village", f"所在村居“{_name(values['village'])}”不是本镇的村居"))
            else:
                data["village"] = village.pk
        if values.get("chains"):
            pks = []
            for name in filter(None, _name(values["chains"]).translate(SEPARATORS).split("、")):
                chain = ctx.cache["chains"].get(name) or ctx.cache["chains"].get(name + "链")
                if chain is None:
                    errors.append(("chains", f"产业链“{name}”不存在（可选：{'、'.join(ctx.cache['chains'])}）"))
                else:
                    pks.append(chain.pk)
            data["chains"] = sorted(set(pks))
        if values.get("street"):
            name = _name(values["street"])
            streets = ctx.cache["streets"]
            street = streets.get(name) or next((s for n, s in streets.items() if n.startswith(name) or name.startswith(n)), None)
            if street is None:
                del data["street"]
                errors.append(("street", f"商区“{name}”不存在"))
            else:
                data["street"] = street.pk
        return data, errors

    def check(self, values: dict[str, Any], ctx: ImportContext) -> Checked:
        row: SourceRow = ctx.cache["rows"][id(values)]
        if ctx.cache["replay"] is not None:
            return self._replayed(row, ctx)
        checked = self._classify(values, row, ctx)
        checked.data["_record"]["row_number"] = row.number
        return checked

    def _classify(self, values: dict[str, Any], row: SourceRow, ctx: ImportContext) -> Checked:
        cache = ctx.cache
        data, errors = self._resolve(values, ctx)
        checker = self.checker(ctx)
        # The register entity the code names is the row's own: its code is not "taken".
        checker.form.instance_pk = cache["by_code"].get(cache["row_codes"][row.number])
        cleaned, found = checker.check(data)
        if found:
            errors += [(f, m) for f, m in self.describe_errors(checker.form, found) if f not in {e for e, _ in errors}]
        if errors or row.errors:
            raise RowInvalid(errors=errors)
        record = EntityForm.values_for_register(cleaned)
        given = [f for f in Entity.REGISTER_FIELDS if values.get(f) is not None]
        code, key = record["credit_code"], cache["row_keys"][row.number]
        record["name_key"] = key
        shown = {
            "name": record["name"],
            "credit_code": code,
            "village": cache["village_names"][record["village"]],
            "address": record["address"],
        }
        earlier = cache["seen_code"].get(code) if code else None
        by = "统一社会信用代码"
        if earlier is None:
            earlier, by = cache["seen_key"].get(key), "主体名称和经营地址"
        if earlier is not None:
            number, entity_pk = earlier
            note = f"与第{number}行{by}重复，随第{number}行一并核实"
            return self._checked(DUPLICATE, shown, record, notes=[note], duplicate_of=entity_pk, state=BaseRecord.State.NONE)
        entity_pk = cache["by_code"].get(code) if code else None
        duplicate_of = None
        same_name = False
        if entity_pk is None:
            keyed = cache["by_key"].get(key, ())
            if keyed and not code:
                entity_pk = keyed[0]
            elif keyed:
                duplicate_of = keyed[0]
            else:
                # Same name in the same village under another code (or another address): maybe
                # the same entity re-registered or moved next door, never silently a new one.
                named = cache["by_name"].get((_name_part(key), record["village"]), ())
                if named:
                    duplicate_of, same_name = named[0], True
        if code:
            cache["seen_code"][code] = (row.number, entity_pk or duplicate_of)
        cache["seen_key"].setdefault(key, (row.number, entity_pk or duplicate_of))
        if duplicate_of is not None:
            other = cache["known"][duplicate_of]
            if same_name and code:
                note = (
                    f"与同村在册主体“{other['name']}”同名，但统一社会信用代码"
                    f"{'不同（在册为' + other['credit_code'] + '）' if other['credit_code'] else '未登记'}"
                )
            elif same_name:
                note = f"与同村在册主体“{other['name']}”同名，但经营地址不同"
            else:
                differs = "不同" if other["credit_code"] else "未登记"
                note = f"与在册主体“{other['name']}”名称和地址相同，但统一社会信用代码{differs}"
            return self._checked(DUPLICATE, shown, record, notes=[note], duplicate_of=duplicate_of)
        if entity_pk is None:
            return self._checked(NEW, shown, record)
        changes = self._changes(cache["known"][entity_pk], record, given, ctx)
        notes = ["该主体在底数中为“已注销/歇业”"] if cache["known"][entity_pk]["status"] != Entity.Status.ACTIVE else []
        klass = CHANGED if changes else UNCHANGED
        state = BaseRecord.State.PENDING if changes else BaseRecord.State.NONE
        checked = self._checked(klass, shown, record, notes=notes, entity=entity_pk, changes=changes, state=state)
        checked.changed = [FIELD_LABELS[f] for f in changes]
        return checked

    def _changes(self, old: dict[str, Any], new: dict[str, Any], given: list[str], ctx: ImportContext) -> dict[str, list]:
        """{field: [old shown, new value, new shown]} for the given fields that differ."""
        changes: dict[str, list] = {}
        for field in given:
            if field == "phone":
                before = decrypt(old["phone_sealed"]) if old["phone_sealed"] else ""
                if before != new["phone"]:
                    changes["phone"] = [mask_phone(before), mask_phone(new["phone"]), mask_phone(new["phone"])]
                continue
            before = (
                sorted(old["chains"]) if field == "chains" else old[f"{field}_id" if field in ("village", "street") else field]
            )
            if before != new[field] and not (before in (None, "") and new[field] in (None, "")):
                changes[field] = [self._shown(field, before, ctx), new[field], self._shown(field, new[field], ctx)]
        return changes

    def _shown(self, field: str, value: Any, ctx: ImportContext) -> str:
        if value in (None, "", []):
            return ""
        if field == "kind":
            return str(Entity.Kind(value).label)
        if field == "has_party_org":
            return "是" if value else "否"
        if field == "village":
            return ctx.cache["village_names"].get(value, "")
        if field == "street":
            return ctx.cache["street_names"].get(value, "")
        if field == "chains":
            return "、".join(ctx.cache["chain_names"].get(pk, "") for pk in value)
        return str(value)

    def _checked(self, klass: str, shown: dict[str, Any], record: dict[str, Any], *, notes=(), **fields: Any) -> Checked:
        phone = record.pop("phone", "")
        return Checked(klass, {**shown, "_record": {"data": record, "phone": phone, **fields}}, notes=list(notes))

    def _replayed(self, row: SourceRow, ctx: ImportContext) -> Checked:
        record = ctx.cache["replayed"].get(row.number)
        if record is None:
            raise RowInvalid(*ctx.cache["replayed_errors"].get(row.number, ["此行在首次导入时有误"]))
        checked = Checked(
            record.klass, {**self._shown_record(record, ctx), "_record": None}, notes=[record.note] if record.note else []
        )
        checked.changed = [FIELD_LABELS.get(f, f) for f in record.changes]
        return checked

    def _shown_record(self, record: BaseRecord, ctx: ImportContext) -> dict[str, Any]:
        data = record.data
        return {
            "name": record.name,
            "credit_code": data.get("credit_code", ""),
            "village": ctx.cache["village_names"].get(data.get("village"), ""),
            "address": data.get("address", ""),
        }

    # Beyond the rows: gone -----------------------------------------------------------------

    def extra(self, ctx: ImportContext) -> list[Checked]:
        """疑似注销: the active register entities a full list no longer names."""
        cache = ctx.cache
        if cache["replay"] is not None:
            return [
                Checked(GONE, {**self._shown_record(r, ctx), "_record": None}, notes=[r.note] if r.note else [])
                for r in cache["replayed_gone"]
            ]
        if not cache["is_full"]:
            return []
        gone = []
        for pk, old in cache["known"].items():
            if old["status"] != Entity.Status.ACTIVE or pk in cache["named"]:
                continue
            data = {"name": old["name"], "credit_code": old["credit_code"], "village": old["village_id"],
                    "address": old["address"], "name_key": old["key"]}  # fmt: skip
            shown = {**data, "village": cache["village_names"].get(old["village_id"], "")}
            gone.append(
                Checked(GONE, {**shown, "_record": {"data": data, "phone": "", "entity": pk}}, notes=["全量名单中已无此主体"])
            )
        return gone

    # Writing -------------------------------------------------------------------------------

    def save(self, checked: Checked, ctx: ImportContext) -> BaseRecord | None:
        """Buffer the row's record; `written` stores the batch, the records and the tasks."""
        fields = checked.data.get("_record")
        if fields is None:  # a file imported before: nothing is written again
            return None
        record = BaseRecord(
            klass=checked.outcome,
            row_number=fields.get("row_number"),
            data=fields["data"],
            phone=fields["phone"],
            changes=fields.get("changes") or {},
            entity_id=fields.get("entity"),
            duplicate_of_id=fields.get("duplicate_of"),
            state=fields.get("state", BaseRecord.State.PENDING),
            note="；".join(checked.notes)[:300],
        )
        ctx.cache.setdefault("records", []).append(record)
        return record

    def written(self, result: Any, ctx: ImportContext) -> None:
        if ctx.cache.get("replay") is not None:
            return
        from qiangji.campaign.services.batches import entity_batch_write

        entity_batch_write(result=result, ctx=ctx, records=ctx.cache.pop("records", []))

    def find(self, values: dict[str, Any], ctx: ImportContext) -> Any:  # the classes above decide
        return None

    def create(self, data: dict[str, Any], ctx: ImportContext) -> Any:  # rows are saved by `save`
        raise NotImplementedError

    def update(self, instance: Any, data: dict[str, Any], ctx: ImportContext) -> Any:
        raise NotImplementedError
