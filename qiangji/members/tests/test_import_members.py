"""Member import as districts send it: messy roster in, exact rows out, nothing half-written."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.db import connection

from qiangji import factories as f
from qiangji.core.crypto import keyed_hash
from qiangji.core.models import AuditEvent, ChangeRecord, ImportBatch, ImportRow
from qiangji.core.spreadsheets import services
from qiangji.core.validators import id_check_char
from qiangji.factories import fake_id_number
from qiangji.members.models import Member
from qiangji.orgs.models import Organization

ID_ZHANG = fake_id_number(birth=dt.date(1980, 1, 2), seq=11)  # male
ID_LI = "31023019850309006X"  # female, check character X
ID_WANG = fake_id_number(birth=dt.date(1990, 6, 30), seq=12)
ID_BAD = ID_ZHANG[:17] + ("1" if ID_ZHANG[17] != "1" else "2")
HEADERS = [
    "姓名",
    "性别",
    "公民身份号码",
    "民族",
    "出生日期",
    "学历",
    "入党日期",
    "转正日期",
    "人员类别",
    "所在党组织",
    "联系电话",
    "家庭住址",
    "党内职务",
]


def serial(day: dt.date) -> float:
    """An Excel date serial as a number cell holds it."""
    return float((day - dt.date(1899, 12, 30)).days)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def xlsx(rows, merges=()) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员名册"
    for row in rows:
        ws.append(list(row))
    for area in merges:
        ws.merge_cells(area)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def zhang(**changes):
    row = dict(
        zip(
            HEADERS,
            [
                "张\u3000伟",
                "男",
                " " + fullwidth(ID_ZHANG[:6]) + " " + ID_ZHANG[6:],
                "汉",
                dt.datetime(1980, 1, 2),
                "本科",
                "2005年7月1日",
                "2006.7.1",
                "正式党员",
                " 东村第一党支部 ",
                13812345678.0,
                "竖新镇东村１号",
                "支部书记",
            ],
            strict=True,
        )
    )
    row.update(changes)
    return [row[h] for h in HEADERS]


def li(**changes):
    row = dict(
        zip(
            HEADERS,
            [
                "李娜",
                "女",
                ID_LI.lower(),
                "汉族",
                serial(dt.date(1985, 3, 9)),
                "大专",
                serial(dt.date(2010, 7, 1)),
                serial(dt.date(2011, 7, 1)),
                "正式",
                "东村第二党支部",
                " 139 0000 1111 ",
                "",
                "",
            ],
            strict=True,
        )
    )
    row.update(changes)
    return [row[h] for h in HEADERS]


def wang(**changes):
    row = dict(
        zip(
            HEADERS,
            [
                "王强",
                "",
                ID_WANG,
                "",
                "",
                "高中",
                "2024年7月16日",
                "",
                "预备党员",
                "东村第一党支部",
                "",
                "",
                "",
            ],
            strict=True,
        )
    )
    row.update(changes)
    return [row[h] for h in HEADERS]


def messy_roster() -> bytes:
    """Two title rows, a merged two-row header, then data with every district habit."""
    return xlsx(
        [
            ["竖新镇党员花名册"],
            ["填报单位：东村党总支", None, None, None, None, None, None, None, "填报日期：2024年7月"],
            ["基本信息", None, None, None, None, None, "党籍信息", None, None, None, "联系方式", None, "党内职务"],
            [*HEADERS[:12], None],
            zhang(),  # row 5
            li(),  # row 6
            zhang(姓名="张伟（重复）"),  # row 7: same ID as row 5
            wang(所在党组织="西村党支部", 公民身份号码=fake_id_number(birth=dt.date(1970, 1, 1), seq=40)),  # row 8
            wang(公民身份号码=ID_BAD),  # row 9
            [None] * 13,  # row 10: blank, skipped
            wang(),  # row 11
        ],
        merges=("A1:M1", "A2:H2", "I2:M2", "A3:F3", "G3:J3", "K3:L3", "M3:M4"),
    )


def counts():
    return (Member.objects.count(), ChangeRecord.objects.count(), ImportBatch.objects.count(), AuditEvent.objects.count())


def run(data: bytes, *, commit: bool, user=None, name="名册.xlsx"):
    return services.import_file(kind="members", file_name=name, data=data, commit=commit, user=user)


def outcomes(result):
    return {r.number: (r.outcome, r.messages) for r in result.rows}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


EXPECTED_MESSY = {
    5: ("new", []),
    6: ("new", []),
    7: ("invalid", ["与第5行身份证号重复"]),
    8: ("invalid", ["所在党组织“西村党支部”不存在"]),
    9: ("invalid", ["公民身份号码：身份证号校验位不正确"]),
    11: ("new", []),
}


def test_messy_roster_preview_classifies_every_row_and_writes_nothing(town):
    members, history = Member.objects.count(), ChangeRecord.objects.count()

    result = run(messy_roster(), commit=False)

    assert outcomes(result) == EXPECTED_MESSY
    assert result.counts == {"new": 3, "changed": 0, "unchanged": 0, "invalid": 3, "total": 6}
    assert result.rows[0].summary == {
        "姓名": "张伟",
        "公民身份号码": ID_ZHANG[:3] + "***********" + ID_ZHANG[-4:],
        "所在党组织": "东村第一党支部",
        "人员类别": "正式党员",
    }
    assert (Member.objects.count(), ChangeRecord.objects.count()) == (members, history)
    assert ImportBatch.objects.count() == 0
    assert not Organization.objects.filter(name="西村党支部").exists()


def test_messy_roster_commit_normalises_every_value(town):
    result = run(messy_roster(), commit=True)

    assert outcomes(result) == EXPECTED_MESSY
    zhang_ = Member.objects.get(id_number_hash=keyed_hash(ID_ZHANG))
    assert (zhang_.name, zhang_.name_initials, zhang_.gender, zhang_.id_number) == ("张伟", "zw", "M", ID_ZHANG)
    assert (zhang_.birth_date, zhang_.joined_on, zhang_.full_member_on) == (
        dt.date(1980, 1, 2),
        dt.date(2005, 7, 1),
        dt.date(2006, 7, 1),
    )
    assert (zhang_.ethnicity, zhang_.education, zhang_.status) == ("汉族", "bachelor", "full")
    assert (zhang_.organization, zhang_.phone, zhang_.address, zhang_.party_post) == (
        town["branch_a1"],
        "13812345678",
        "竖新镇东村1号",
        "secretary",
    )
    li_ = Member.objects.get(id_number_hash=keyed_hash(ID_LI))
    assert (li_.id_number, li_.gender, li_.birth_date, li_.joined_on, li_.full_member_on) == (
        ID_LI,
        "F",
        dt.date(1985, 3, 9),
        dt.date(2010, 7, 1),
        dt.date(2011, 7, 1),
    )
    assert (li_.education, li_.phone, li_.address, li_.organization) == ("college", "13900001111", "", town["branch_a2"])
    wang_ = Member.objects.get(id_number_hash=keyed_hash(ID_WANG))
    assert (wang_.status, wang_.full_member_on, wang_.joined_on, wang_.ethnicity) == (
        "probationary",
        None,
        dt.date(2024, 7, 16),
        "汉族",
    )


def test_commit_keeps_history_provenance_and_audit(town):
    run(messy_roster(), commit=True)

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.user, batch.sheet, batch.header_row, batch.counts) == (
        "done",
        None,
        "党员名册",
        4,
        {"new": 3, "changed": 0, "unchanged": 0, "invalid": 3, "total": 6},
    )
    records = ChangeRecord.objects.filter(batch=batch)
    assert sorted(records.values_list("object_repr", "action", "source")) == [
        ("张伟", "create", "command"),
        ("李娜", "create", "command"),
        ("王强", "create", "command"),
    ]
    zhang_ = Member.objects.get(id_number_hash=keyed_hash(ID_ZHANG))
    assert records.get(object_id=zhang_.pk).changes["phone"] == [None, "138****5678"]
    rows = {r.row_number: r for r in ImportRow.objects.filter(batch=batch)}
    assert sorted(rows) == [5, 6, 7, 8, 9, 11]
    assert rows[5].object_id == zhang_.pk and rows[5].content_type.model == "member"
    assert rows[7].object_id is None and rows[7].messages == ["与第5行身份证号重复"]
    # Only invalid rows keep their cells, encrypted: the column holds no ID number in clear.
    assert rows[5].raw == ""
    assert json.loads(rows[9].raw)[2] == ID_BAD
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw FROM core_importrow WHERE id = %s", [rows[9].pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("g1:") and ID_BAD not in stored
    event = AuditEvent.objects.get(action="import")
    assert (event.username, event.row_count, event.fields, event.object_id) == (
        "manage.py",
        3,
        ["id_number", "phone", "address"],
        str(batch.pk),
    )


def test_importing_the_same_file_twice_changes_nothing(town):
    run(messy_roster(), commit=True)
    members, history = Member.objects.count(), ChangeRecord.objects.count()
    stamps = dict(Member.objects.values_list("pk", "updated_at"))

    result = run(messy_roster(), commit=True)

    assert result.counts == {"new": 0, "changed": 0, "unchanged": 3, "invalid": 3, "total": 6}
    assert (Member.objects.count(), ChangeRecord.objects.count()) == (members, history)
    assert dict(Member.objects.values_list("pk", "updated_at")) == stamps


def test_a_changed_value_updates_only_that_member_with_history(town):
    run(messy_roster(), commit=True)
    history = ChangeRecord.objects.count()
    data = xlsx([HEADERS, zhang(联系电话="13999998888", 学历="硕士"), li()])

    result = run(data, commit=True)

    assert [(r.number, r.outcome, r.changed) for r in result.rows] == [
        (2, "changed", ["学历", "联系电话"]),
        (3, "unchanged", []),
    ]
    zhang_ = Member.objects.get(id_number_hash=keyed_hash(ID_ZHANG))
    assert (zhang_.phone, zhang_.education) == ("13999998888", "postgraduate")
    # A page opened before the import holds version 1 and is refused (no lost update).
    assert (zhang_.version, Member.objects.get(id_number_hash=keyed_hash(ID_LI)).version) == (2, 1)
    assert ChangeRecord.objects.count() == history + 1
    record = ChangeRecord.objects.latest("id")
    assert (record.action, record.object_id, record.changes) == (
        "update",
        zhang_.pk,
        {"education": ["bachelor", "postgraduate"], "phone": ["138****5678", "139****8888"]},
    )


def test_blank_cells_keep_stored_values(town):
    run(messy_roster(), commit=True)

    data = xlsx([["姓名", "公民身份号码", "所在党组织", "联系电话"], ["张伟", ID_ZHANG, "东村第一党支部", None]])

    result = run(data, commit=True)

    assert [(r.outcome, r.messages) for r in result.rows] == [("unchanged", [])]
    assert Member.objects.get(id_number_hash=keyed_hash(ID_ZHANG)).phone == "13812345678"


def test_a_member_of_another_organization_is_not_moved_by_import(town):
    run(messy_roster(), commit=True)
    history = ChangeRecord.objects.count()

    result = run(xlsx([HEADERS, zhang(所在党组织="东村第二党支部")]), commit=True)

    assert outcomes(result) == {2: ("invalid", ["该党员现属“东村第一党支部”，与表中所在党组织不一致；调整组织关系请办理转接"])}
    assert Member.objects.get(id_number_hash=keyed_hash(ID_ZHANG)).organization == town["branch_a1"]
    assert ChangeRecord.objects.count() == history


def test_cell_and_form_errors_are_reported_together_in_chinese(town):
    data = xlsx(
        [
            HEADERS,
            wang(入党日期="去年", 人员类别="积极分子", 学历="博士后", 性别="女"),
            wang(公民身份号码=fake_id_number(birth=dt.date(2010, 1, 1), seq=3), 联系电话="12345"),
            wang(公民身份号码=fake_id_number(birth=dt.date(1990, 1, 1), seq=5), 入党日期=None, 人员类别="正式党员"),
        ]
    )

    result = run(data, commit=False)

    assert outcomes(result) == {
        2: (
            "invalid",
            [
                "学历“博士后”不在可选范围内（研究生、大学本科、大学专科、中等专科、高中、初中、小学及以下）",
                "入党日期“去年”不是有效日期",
                "人员类别“积极分子”不在可选范围内（正式党员、预备党员）",
                "性别与身份证号不一致",
            ],
        ),
        3: ("invalid", ["联系电话应为11位手机号，或带区号的固定电话", "入党日期：入党时应年满18周岁"]),
        4: ("invalid", ["入党日期未填写"]),
    }


def test_phone_and_legacy_id_stored_as_floats_are_recovered(town):
    legacy = "310230800102113"  # 15 digits survive a float; upgraded to 18 with its check
    data = xlsx([HEADERS, wang(公民身份号码=float(legacy), 联系电话=1.3812345678e10, 出生日期=None)])

    result = run(data, commit=True)

    assert outcomes(result) == {2: ("new", [])}
    member = Member.objects.get(name="王强")
    upgraded = "31023019800102113" + id_check_char("31023019800102113")
    assert (member.id_number, member.phone, member.birth_date) == (upgraded, "13812345678", dt.date(1980, 1, 2))


def test_a_failure_during_commit_leaves_nothing(town, monkeypatch):
    run(messy_roster(), commit=True)
    data = xlsx([HEADERS, zhang(联系电话="13999998888"), wang(公民身份号码=fake_id_number(birth=dt.date(1975, 1, 1), seq=9))])
    before = counts()
    calls = []

    from qiangji.members import importers

    real_insert = importers.insert

    def fail_on_history(objects, **kwargs):
        if objects and isinstance(objects[0], ChangeRecord):
            calls.append(1)
            raise RuntimeError("disk full")
        return real_insert(objects, **kwargs)

    monkeypatch.setattr(importers, "insert", fail_on_history)

    with pytest.raises(RuntimeError):
        run(data, commit=True)

    assert calls == [1]
    assert counts() == before
    assert Member.objects.get(id_number_hash=keyed_hash(ID_ZHANG)).phone == "13812345678"


def test_duplicate_of_an_existing_member_outside_scope_is_refused_for_a_secretary(town, users):
    other = fake_id_number(birth=dt.date(1970, 2, 2), seq=21)
    member = f.member(organization=town["branch_b"], name="赵六", id_number=other, birth=dt.date(1970, 2, 2))
    history = ChangeRecord.objects.count()
    row = wang(公民身份号码=other, 姓名="赵六", 人员类别="正式党员", 转正日期="1996-07-01", 入党日期="1995-07-01")
    data = xlsx([HEADERS, row])

    result = run(data, commit=True, user=users["secretary_a"])

    assert outcomes(result) == {2: ("invalid", ["公民身份号码：该身份证号已登记为其他党员"])}
    member.refresh_from_db()
    assert (member.organization, member.name) == (town["branch_b"], "赵六")
    assert ChangeRecord.objects.count() == history


# Many rows: no query per row, nothing written for what did not change ---------------------------


def numbered_roster(n: int, *, first: int = 0) -> bytes:
    """n valid probationary members of 东村第一党支部, ID numbers by row."""
    rows = [
        wang(姓名=f"王{i}", 公民身份号码=fake_id_number(birth=dt.date(1970, 1, 1) + dt.timedelta(days=i), seq=60))
        for i in range(first, first + n)
    ]
    return xlsx([HEADERS, *rows])


def queries_of(action) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        action()
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("user", [None, "secretary_a"])
def test_analysing_takes_the_same_queries_for_5_rows_as_for_50(town, users, user):
    from qiangji.core.access import forget_scope

    run(numbered_roster(2), commit=True)  # two of the rows below are members already
    importer = users[user] if user else None

    def analyse(n):
        if importer is not None:
            forget_scope(importer)
        return queries_of(lambda: run(numbered_roster(n), commit=False, user=importer))

    five, fifty = analyse(5), analyse(50)

    # The members by ID hash, the organizations the file names, the form's choices among them
    # (and the user's scope: grants, organizations, member record; their ID-number hits of the
    # last hour, for the probing limit).
    assert len(five) == len(fifty) == (3 if user is None else 7), five


def test_committing_takes_the_same_queries_for_5_rows_as_for_40(town):
    run(numbered_roster(2), commit=True)

    def commit(n):
        rows = [
            wang(
                姓名=f"王{i}",
                公民身份号码=fake_id_number(birth=dt.date(1970, 1, 1) + dt.timedelta(days=i), seq=60),
                联系电话=f"139{n:04d}{i:04d}",  # the two existing members change, every run
            )
            for i in range(n)
        ]
        return queries_of(lambda: run(xlsx([HEADERS, *rows]), commit=True))

    five = commit(5)
    Member.objects.filter(name__startswith="王").exclude(name__in=["王0", "王1"]).delete()
    forty = commit(40)

    assert len(five) == len(forty), "\n".join(five)
    # One statement each, whatever the number of rows (COPY on PostgreSQL, INSERT on SQLite).
    assert writes(forty, "INSERT", "members_member") == 1
    assert writes(forty, "UPDATE", "members_member") == 1
    assert writes(forty, "INSERT", "core_changerecord") == 1


def writes(queries: list[str], verb: str, table: str) -> int:
    starts = (f'{verb} "{table}"', f'{verb} INTO "{table}"') + ((f'COPY "{table}"',) if verb == "INSERT" else ())
    return sum(q.startswith(starts) for q in queries)


def test_reimporting_the_same_file_writes_no_history_and_touches_no_member(town):
    run(messy_roster(), commit=True)
    history = ChangeRecord.objects.count()

    queries = queries_of(lambda: run(messy_roster(), commit=True))

    assert ChangeRecord.objects.count() == history
    member_or_history_writes = [
        q for q in queries if q.startswith(("INSERT", "UPDATE", "DELETE")) and ("members_member" in q or "core_changerecord" in q)
    ]
    assert member_or_history_writes == []


def test_a_change_the_mask_hides_is_still_written_with_its_history(town):
    run(messy_roster(), commit=True)

    result = run(xlsx([HEADERS, zhang(联系电话="13899995678")]), commit=True)  # 138****5678 either way

    assert [(r.outcome, r.changed) for r in result.rows] == [("changed", ["联系电话"])]
    zhang_ = Member.objects.get(id_number_hash=keyed_hash(ID_ZHANG))
    assert zhang_.phone == "13899995678"
    record = ChangeRecord.objects.latest("id")
    assert (record.action, record.object_id, record.changes) == ("update", zhang_.pk, {"phone": ["138****5678", "138****5678"]})


def test_the_row_form_rebound_judges_exactly_like_the_manual_entry_form(town):
    from qiangji.core.spreadsheets.lookups import preloaded
    from qiangji.members.forms import MemberForm

    run(messy_roster(), commit=True)
    zhang_ = Member.objects.get(id_number_hash=keyed_hash(ID_ZHANG))
    branch = town["branch_a1"]
    base = {
        "name": "赵六",
        "id_number": fake_id_number(birth=dt.date(1975, 5, 5), seq=70),
        "joined_on": dt.date(2000, 7, 1),
        "full_member_on": dt.date(2001, 7, 1),
        "status": "full",
        "organization": branch.pk,
    }
    new_rows = [
        base,
        {**base, "id_number": ID_ZHANG},  # taken by 张伟
        {**base, "id_number": ID_BAD, "phone": "12345"},
        {**base, "organization": town["branch_b"].pk, "status": "probationary"},
        {**base, "joined_on": "2000-07-01", "gender": "F"},
    ]
    existing_rows = [
        {**MemberForm.initial_for(zhang_), "phone": "13999998888"},
        {**MemberForm.initial_for(zhang_), "id_number": ID_LI},  # 李娜's
        {**MemberForm.initial_for(zhang_), "joined_on": dt.date(2030, 1, 1)},
    ]
    hashes = dict(Member.objects.values_list("id_number_hash", "pk"))
    context = {
        "organizations": preloaded(Organization.objects.filter(path__startswith=town["village_a"].path).active()),
        "current_organizations": preloaded(Organization.objects.all()),
        "id_hashes": hashes,
    }

    def verdict(form):
        return form.is_valid(), form.errors.get_json_data(), form.cleaned_data

    for rows, instance in ((new_rows, None), (existing_rows, zhang_)):
        first = MemberForm(data=rows[0], user=None, instance=instance, **context)
        for data in rows:
            manual = MemberForm(
                data=data,
                user=None,
                instance=instance,
                organizations=Organization.objects.filter(path__startswith=town["village_a"].path).active(),
            )
            assert verdict(first.rebound(data, instance=instance)) == verdict(manual)
    with pytest.raises(ValueError):
        MemberForm(data=new_rows[0], user=None).rebound(existing_rows[0], instance=zhang_)


def test_a_commit_written_in_chunks_writes_every_member_once_with_its_history(town, monkeypatch):
    from qiangji.members import importers

    run(numbered_roster(3), commit=True)
    monkeypatch.setattr(importers, "_FLUSH_ROWS", 2)
    data = xlsx(
        [
            HEADERS,
            *[
                wang(
                    姓名=f"王{i}",
                    公民身份号码=fake_id_number(birth=dt.date(1970, 1, 1) + dt.timedelta(days=i), seq=60),
                    联系电话="13900000000" if i < 3 else "",
                )
                for i in range(7)
            ],
        ]
    )
    history = ChangeRecord.objects.count()

    result = run(data, commit=True)

    assert result.counts == {"new": 4, "changed": 3, "unchanged": 0, "invalid": 0, "total": 7}
    assert Member.objects.filter(name__startswith="王").count() == 7
    assert sorted(m.phone for m in Member.objects.filter(name__in=["王0", "王1", "王2"])) == ["13900000000"] * 3
    assert ChangeRecord.objects.count() == history + 7
    rows = ImportRow.objects.filter(batch__in=ImportBatch.objects.order_by("-id")[:1])
    assert sorted(rows.values_list("object_id", flat=True)) == sorted(
        Member.objects.filter(name__startswith="王").values_list("pk", flat=True)
    )
