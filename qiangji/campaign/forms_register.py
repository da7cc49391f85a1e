"""Forms of the coverage actions: organizational coverage (组织覆盖) and work coverage (工作覆盖).

The pages and the API validate with these same forms; the services then apply the rules that
need the database (a dissolved organization, an inactive account).
"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from qiangji.campaign.models import Entity
from qiangji.campaign.selectors_register import instructor_choices
from qiangji.core.text import clean_text
from qiangji.orgs.models import Organization

NONE = "none"


def organization_options() -> list[tuple[str, str]]:
    """Active organizations above the Party group (a group covers nothing), indented by level."""
    rows = Organization.objects.active().exclude(kind=Organization.Kind.GROUP).order_by("path").values_list("pk", "name", "depth")
    return [(str(pk), "\u3000" * max(depth - 1, 0) + name) for pk, name, depth in rows]


class CoverForm(forms.Form):
    """Link an entity to the Party organization covering it, alone or jointly; or undo the link."""

    organization = forms.ChoiceField(
        label="覆盖党组织",
        error_messages={"required": "请选择覆盖该主体的党组织", "invalid_choice": "所选党组织不存在或已撤销，请重新选择"},
    )
    how = forms.ChoiceField(
        label="覆盖方式",
        choices=Entity.OrgCoverage.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "覆盖方式只能是单独建立或联合党组织覆盖"},
    )

    def __init__(self, *args: Any, entity: Entity | None = None, **kwargs: Any) -> None:
        if entity is not None and entity.covering_organization_id:
            kwargs.setdefault("initial", {"organization": str(entity.covering_organization_id), "how": entity.org_coverage})
        if entity is not None:
            # Several entities' forms share a page (the uncovered list): ids must not collide.
            kwargs.setdefault("auto_id", f"cover-%s-{entity.pk}")
        super().__init__(*args, **kwargs)
        self.entity = entity
        self.fields["organization"].choices = [
            ("", "请选择党组织"),
            (NONE, "取消组织覆盖"),
            ("党组织", organization_options()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("organization")
        if choice is None:
            return data
        if choice == NONE:
            data["organization"] = None
            data["how"] = ""
            return data
        data["organization"] = Organization.objects.get(pk=int(choice))
        if not data.get("how") and "how" not in self.errors:
            self.add_error("how", "请选择覆盖方式（单独建立或联合党组织覆盖）")
        return data


class InstructorForm(forms.Form):
    """Name the Party-building instructor (党建指导员) serving an entity: one of the grid roles, or
    any other active account by its account name; or nobody."""

    instructor = forms.ChoiceField(label="党建指导员", required=False)
    username = forms.CharField(
        label="或填写其他人员账号",
        required=False,
        max_length=150,
        help_text="不在十员名单中的人员，填写其登录账号",
    )

    def __init__(self, *args: Any, entity: Entity | None = None, **kwargs: Any) -> None:
        if entity is not None:
            kwargs.setdefault("auto_id", f"instructor-%s-{entity.pk}")
        super().__init__(*args, **kwargs)
        self.entity = entity
        choices: list[Any] = [("", "请选择党建指导员"), (NONE, "取消工作覆盖")]
        groups = instructor_choices(entity)
        listed = {pk for _, options in groups for pk, _ in options}
        if entity is not None and entity.instructor_id and entity.instructor_id not in listed:
            choices.append(("当前指导员", [(str(entity.instructor_id), str(entity.instructor))]))
        choices += [(label, [(str(pk), name) for pk, name in options]) for label, options in groups]
        self.fields["instructor"].choices = choices
        self.fields["instructor"].error_messages["invalid_choice"] = "所选人员不在名单中，请重新选择或填写账号"
        if entity is not None and entity.instructor_id and not self.is_bound:
            self.initial.setdefault("instructor", str(entity.instructor_id))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("instructor") or ""
        username = clean_text(data.get("username") or "")
        if "instructor" in self.errors:
            return data
        if username:
            if choice == NONE:
                self.add_error("username", "已选择“取消工作覆盖”，不能同时填写账号")
                return data
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                self.add_error("username", f"没有账号为“{username}”的用户")
                return data
            data["instructor"] = user
            return data
        if not choice:
            self.add_error("instructor", "请选择党建指导员，或填写其账号")
            return data
        if choice == NONE:
            data["instructor"] = None
            return data
        data["instructor"] = get_user_model().objects.get(pk=int(choice))
        return data
