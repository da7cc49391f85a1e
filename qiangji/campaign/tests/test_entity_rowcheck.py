"""The sheet import checks each row with EntityForm's own fields and clean methods through
RowChecker: for any row, the same cleaned values and the same messages as the bound form."""

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiangji.campaign.forms import EntityForm
from qiangji.campaign.tests.conftest import credit_code
from qiangji.core.spreadsheets.lookups import preloaded
from qiangji.core.spreadsheets.rowcheck import RowChecker
from qiangji.orgs.models import Chain, Street, Village

TAKEN = credit_code(7)
CELLS = {
    "name": st.sampled_from(["崇明测试农业有限公司", " 竖新　民宿 ", "", "名" * 201]),
    "credit_code": st.sampled_from([credit_code(1), TAKEN, credit_code(2)[:-1] + "0", "12345", "", credit_code(3).lower()]),
    "kind": st.sampled_from(["company", "homestay", "火星", ""]),
    "village": st.sampled_from(["east", "west", "-1", "abc", ""]),
    "address": st.sampled_from(["东村1号", "  东村 2号 ", ""]),
    "person_in_charge": st.sampled_from(["王负责", "", "名" * 51]),
    "phone": st.sampled_from(["13800138000", "021-59301234", "138", ""]),
    "employees": st.sampled_from([0, 5, "7", -1, "x", 2.5, ""]),
    "party_members": st.sampled_from([1, "0", -3, ""]),
    "has_party_org": st.sampled_from([True, False, "", "false"]),
    "chains": st.sampled_from([[], ["veg"], ["veg", "homestay"], ["999"], ["x"]]),
    "street": st.sampled_from(["street", "999", ""]),
}
rows = st.lists(st.fixed_dictionaries({}, optional=CELLS), min_size=1, max_size=8)


def messages(errors: dict[str, list[ValidationError]]) -> dict[str, list]:
    return {name: [(e.code, e.messages) for e in found] for name, found in errors.items()}


def test_rowchecker_equals_the_bound_form_for_any_rows(places):
    pks = {key: str(value.pk) for key, value in places.items()}
    loaded = {
        "villages": preloaded(Village.objects.all()),
        "chains": preloaded(Chain.objects.all()),
        "streets": preloaded(Street.objects.all()),
        "codes": {TAKEN: 42},
    }
    checker = RowChecker(EntityForm(**loaded), pure=EntityForm.PURE_FIELDS)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(rows, st.sampled_from([None, 42]))
    def check(batch, own):
        for cells in batch:
            data = {k: ([pks.get(c, c) for c in v] if isinstance(v, list) else pks.get(v, v)) for k, v in cells.items()}
            form = EntityForm(data=data, **loaded)
            form.instance_pk = own
            form.is_valid()
            checker.form.instance_pk = own
            cleaned, errors = checker.check(data)
            assert cleaned == form.cleaned_data
            assert messages(errors) == messages(form.errors.as_data())

    check()
