"""RowChecker gives what a bound form's full_clean gives, row after row, memoised or not."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from qiangji.core.spreadsheets.rowcheck import RowChecker


class PlaceForm(forms.Form):
    name = forms.CharField(max_length=5)
    size = forms.IntegerField(min_value=0, required=False)
    open = forms.BooleanField(required=False)
    kind = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")], required=False)

    def __init__(self, *args, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = taken
        self.seen_sizes = 0

    def clean_name(self):
        value = self.cleaned_data["name"].strip()
        if value in self.taken:
            raise ValidationError("名称已被使用", code="taken")
        return value.upper()

    def clean_size(self):
        self.seen_sizes += 1
        return self.cleaned_data["size"]


def as_bound(data, **kwargs):
    form = PlaceForm(data=data, **kwargs)
    form.is_valid()
    return form.cleaned_data, form.errors.as_data()


ROWS = [
    {"name": "abc", "size": "3", "open": True, "kind": "a"},
    {"name": "abcdef", "size": "-1", "kind": "c"},
    {"name": "", "size": "x"},
    {"name": "used", "size": 3, "open": "false"},
    {"name": "abc", "size": "3", "open": True, "kind": "a"},
    {},
]


@pytest.mark.parametrize("pure", [(), ("size", "open", "kind")])
def test_every_row_gives_the_bound_forms_cleaned_data_and_errors(pure):
    checker = RowChecker(PlaceForm(taken={"used"}), pure=pure)
    for row in ROWS:
        cleaned, errors = checker.check(row)
        expected_cleaned, expected_errors = as_bound(row, taken={"used"})
        assert cleaned == expected_cleaned
        assert {k: [(e.code, e.messages) for e in v] for k, v in errors.items()} == {
            k: [(e.code, e.messages) for e in v] for k, v in expected_errors.items()
        }


def test_a_pure_field_is_cleaned_once_per_distinct_value():
    checker = RowChecker(PlaceForm(), pure=("size",))
    for size in ("3", "3", 3, "4", "3"):
        checker.check({"name": "a", "size": size})
    assert checker.form.seen_sizes == 3  # "3", 3 (an int is another value) and "4"


def test_the_forms_state_is_read_at_each_row():
    checker = RowChecker(PlaceForm())
    assert checker.check({"name": "used"})[1] == {}
    checker.form.taken = {"used"}
    assert [e.messages for e in checker.check({"name": "used"})[1]["name"]] == [["名称已被使用"]]


def test_a_form_with_its_own_clean_is_refused():
    class Whole(PlaceForm):
        def clean(self):
            return self.cleaned_data

    with pytest.raises(TypeError, match="overrides clean"):
        RowChecker(Whole())
