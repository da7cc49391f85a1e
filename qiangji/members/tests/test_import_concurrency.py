"""A member edited on a page between an import's preview and its commit keeps that edit: the
commit locks the members it changes and skips, with a reason on the row, any whose version is no
longer the one the preview read. The other rows are imported as previewed."""

import pytest
from django.conf import settings

from qiangji.core.concurrency import StaleEdit
from qiangji.core.crypto import keyed_hash
from qiangji.core.models import ImportBatch, ImportRow
from qiangji.core.spreadsheets import services
from qiangji.core.tests.test_concurrency_pg import race
from qiangji.members.models import Member
from qiangji.members.services import member_update
from qiangji.members.tests.test_import_members import HEADERS, ID_LI, ID_ZHANG, li, run, xlsx, zhang

STALE = "该党员在预览之后已被他人修改，本行未导入，以免覆盖该修改；请核对后重新导入"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def roster(town):
    """Zhang and Li are members; the new file changes both phones."""
    run(xlsx([HEADERS, zhang(), li()]), commit=True)
    return xlsx([HEADERS, zhang(联系电话="13800000001"), li(联系电话="13900000002")])


def _member(id_number: str) -> Member:
    return Member.objects.get(id_number_hash=keyed_hash(id_number))


def _edit_phone(member: Member, by, phone: str) -> None:
    data = {name: getattr(member, name) for name in Member.HISTORY_FIELDS}
    member_update(member=member, by=by, data={**data, "phone": phone}, expected_version=member.version)


def test_a_member_edited_after_the_preview_is_skipped_and_keeps_the_edit(roster, users):
    batch = services.import_batch_upload(user=users["town_admin"], kind="members", file_name="名册.xlsx", data=roster)
    batch.refresh_from_db()
    assert (batch.status, batch.counts["changed"]) == (ImportBatch.Status.PREVIEW, 2)
    _edit_phone(_member(ID_ZHANG), users["secretary_a"], "13700000003")

    batch = services.import_batch_commit(batch=batch, by=users["town_admin"])

    assert batch.status == ImportBatch.Status.DONE
    assert batch.counts == {"new": 0, "changed": 1, "unchanged": 0, "invalid": 1, "total": 2}
    row = batch.rows.get(row_number=2)
    assert (row.outcome, row.messages) == (ImportRow.Outcome.INVALID, [STALE])
    assert (_member(ID_ZHANG).phone, _member(ID_LI).phone) == ("13700000003", "13900000002")


def test_without_an_edit_every_previewed_row_is_imported(roster, users):
    batch = services.import_batch_upload(user=users["town_admin"], kind="members", file_name="名册.xlsx", data=roster)

    batch = services.import_batch_commit(batch=ImportBatch.objects.get(pk=batch.pk), by=users["town_admin"])

    assert batch.counts == {"new": 0, "changed": 2, "unchanged": 0, "invalid": 0, "total": 2}
    assert (_member(ID_ZHANG).phone, _member(ID_LI).phone) == ("13800000001", "13900000002")


def test_a_row_unchanged_in_the_preview_does_not_undo_a_later_edit(town, users):
    run(xlsx([HEADERS, zhang()]), commit=True)
    same = xlsx([HEADERS, zhang()])
    batch = services.import_batch_upload(user=users["town_admin"], kind="members", file_name="名册.xlsx", data=same)
    assert ImportBatch.objects.get(pk=batch.pk).counts["unchanged"] == 1
    _edit_phone(_member(ID_ZHANG), users["secretary_a"], "13700000003")

    batch = services.import_batch_commit(batch=ImportBatch.objects.get(pk=batch.pk), by=users["town_admin"])

    assert batch.rows.get(row_number=2).messages == [STALE]
    assert _member(ID_ZHANG).phone == "13700000003"


def test_the_stale_refusal_of_the_page_still_applies_after_an_import(roster, users):
    """The other direction: a page opened before the import's commit is refused, not written."""
    member = _member(ID_ZHANG)
    batch = services.import_batch_upload(user=users["town_admin"], kind="members", file_name="名册.xlsx", data=roster)
    services.import_batch_commit(batch=ImportBatch.objects.get(pk=batch.pk), by=users["town_admin"])

    with pytest.raises(StaleEdit):
        _edit_phone(member, users["secretary_a"], "13700000003")
    assert Member.objects.get(pk=member.pk).phone == "13800000001"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="row locks (SELECT ... FOR UPDATE) are PostgreSQL's; run with DATABASE_URL=postgres://…",
)
def test_an_import_commit_and_a_page_edit_at_once_never_lose_either_silently(roster, users):
    batch = services.import_batch_upload(user=users["town_admin"], kind="members", file_name="名册.xlsx", data=roster)
    member = _member(ID_ZHANG)

    def commit(_):
        return services.import_batch_commit(batch=ImportBatch.objects.get(pk=batch.pk), by=users["town_admin"])

    def edit(_):
        return _edit_phone(Member.objects.get(pk=member.pk), users["secretary_a"], "13700000003")

    first, second = race(commit, edit, read=lambda: None)

    row = ImportBatch.objects.get(pk=batch.pk).rows.get(row_number=2)
    phone = _member(ID_ZHANG).phone
    if isinstance(second, StaleEdit):  # the import went first: the page is refused
        assert (phone, row.outcome) == ("13800000001", ImportRow.Outcome.CHANGED)
    else:  # the page went first: the import skips the row and says why
        assert second is None and not isinstance(first, Exception)
        assert (phone, row.outcome, row.messages) == ("13700000003", ImportRow.Outcome.INVALID, [STALE])
    assert _member(ID_LI).phone == "13900000002"
