"""Long-term mechanism form: what it is, where, when, and which visible problems it answers."""

from typing import Any

from django import forms

from qiangji.core.converters import parse_id
from qiangji.core.text import clean_text
from qiangji.ledger.models import Mechanism, Problem
from qiangji.orgs.models import Organization


class MechanismForm(forms.Form):
    """The problems offered are those the user sees in the chosen organization's subtree; the
    service refuses any outside it."""

    name = forms.CharField(label="机制名称", max_length=100)
    organization = forms.ModelChoiceField(label="党组织", queryset=Organization.objects.none(), empty_label="请选择")
    kind = forms.ChoiceField(label="类型", choices=Mechanism.Kind.choices, widget=forms.RadioSelect)
    effective_on = forms.DateField(label="建立/落实日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    description = forms.CharField(label="主要内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.ModelMultipleChoiceField(
        label="针对问题", queryset=Problem.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = Organization.objects.for_user(user).active().order_by("path")
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: "\u3000" * max(o.depth - 1, 0) + o.name
        problems = Problem.objects.for_user(user).counted().select_related("organization").order_by("-registered_on", "-id")
        organization = self._chosen_organization(organizations)
        # Problems are offered once the organization is chosen: a whole town's ledger is no list.
        problems = problems.filter(organization__path__startswith=organization.path) if organization else problems.none()
        self.fields["problems"].queryset = problems
        self.fields["problems"].label_from_instance = lambda p: f"{p.number} {p.organization.name}：{p.headline}"

    def _chosen_organization(self, organizations: Any) -> Organization | None:
        value = self.data.get("organization") if self.is_bound else self.initial.get("organization")
        value = getattr(value, "pk", value)
        if (pk := parse_id(value)) is not None:
            return organizations.filter(pk=pk).first()
        return None

    def clean_name(self) -> str:
        return clean_text(self.cleaned_data["name"])

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()
