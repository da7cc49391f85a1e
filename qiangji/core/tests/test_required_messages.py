"""Every required field of every form in qiangji names itself when left blank ("标题未填写"),
never Django's unnamed "这个字段是必填项。"; a form's own message is kept."""

import copy
import importlib
import pkgutil

import pytest
from django import forms

import qiangji
from qiangji.core.forms import required_message

DJANGO_DEFAULT = "这个字段是必填项。"


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(qiangji.__path__, "qiangji."):
        if ".tests" in module.name or ".migrations" in module.name or ".management" in module.name:
            continue
        if module.name.rsplit(".", 1)[-1].startswith(("forms", "importers", "views")) or ".forms." in module.name:
            importlib.import_module(module.name)
    seen, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("qiangji.") and ".tests" not in sub.__module__:
                seen.append(sub)
    return sorted(set(seen), key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORMS = _form_classes()


def _required_fields():
    for form_class in FORMS:
        for name, field in form_class.base_fields.items():
            if field.required and not field.disabled:
                yield pytest.param(form_class, name, id=f"{form_class.__module__}.{form_class.__qualname__}.{name}")


def test_the_crawl_finds_the_forms():
    assert len(FORMS) > 60


@pytest.mark.parametrize(("form_class", "name"), list(_required_fields()))
def test_a_blank_required_field_is_named(form_class, name):
    field = copy.deepcopy(form_class.base_fields[name])
    if field.label is None:
        # Some forms name a field in their constructor (Django's login form: from the model).
        field.label = form_class().fields[name].label
    # The field alone in a plain form: the forms' constructors need their context (a user, a
    # problem…); what is checked here is the field's message, which the form's own clean() keeps.
    alone = type("Alone", (forms.Form,), {name: field})(data={})
    assert not alone.is_valid()
    messages = alone.errors[name]
    assert DJANGO_DEFAULT not in messages
    own = str(field.error_messages["required"])
    expected = required_message(field.label) if own == DJANGO_DEFAULT else own
    assert messages == [expected]
    assert "未填写" in expected or "请" in expected
    assert not expected.startswith("此项"), "a required field needs a label to be named by"
