"""The shared path of the public forms: honeypot, rate limit, refusals on the form, success."""

from django import forms
from django.test import RequestFactory

from qiangji.core.crypto import keyed_hash
from qiangji.core.errors import DomainError, RateLimited
from qiangji.core.public import BOT_MESSAGE, PublicForm, public_submit


class NoteForm(PublicForm):
    text = forms.CharField()


def post(**data):
    return RequestFactory().post("/", {"text": "你好", "website": "", **data}, REMOTE_ADDR="203.0.113.7")


class Service:
    """Records what it was called with, then returns or raises what the test gave it."""

    def __init__(self, outcome="saved"):
        self.outcome, self.keys = outcome, []

    def __call__(self, key):
        self.keys.append(key)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def run(request, service, **kwargs):
    form = NoteForm(request.POST or None)
    return form, public_submit(request, form, service, **kwargs)


def test_the_honeypot_comes_last_and_renders_as_before():
    form = NoteForm()
    assert list(form.fields) == ["text", "website"]
    html = str(form["website"])
    assert 'tabindex="-1"' in html and 'autocomplete="off"' in html
    assert form["website"].label == "请勿填写此栏"


def test_a_get_shows_the_form():
    service = Service()
    _, outcome = run(RequestFactory().get("/"), service)
    assert outcome == (False, None, 200) and service.keys == []


def test_an_invalid_post_is_400_without_the_service():
    service = Service()
    form, outcome = run(post(text=""), service)
    assert outcome.status == 400 and not outcome.sent and "text" in form.errors and service.keys == []


def test_a_bot_gets_400_and_the_service_is_not_called():
    service = Service()
    form, outcome = run(post(website="http://spam.example"), service)
    assert (outcome.sent, outcome.status) == (False, 400)
    assert form.non_field_errors() == [BOT_MESSAGE]
    assert service.keys == []


def test_rate_limited_is_429_with_its_message():
    form, outcome = run(post(), Service(RateLimited("提交过于频繁，请一小时后再试")))
    assert (outcome.sent, outcome.status) == (False, 429)
    assert form.non_field_errors() == ["提交过于频繁，请一小时后再试"]


def test_a_refusal_on_a_field_lands_on_that_field_and_is_400():
    form, outcome = run(post(), Service(DomainError("太短了", field="text")))
    assert (outcome.sent, outcome.status) == (False, 400)
    assert form.errors["text"] == ["太短了"] and form.non_field_errors() == []


def test_a_refusal_on_an_unknown_field_lands_on_the_form():
    form, outcome = run(post(), Service(DomainError("不行", field="nowhere")))
    assert outcome.status == 400 and form.non_field_errors() == ["不行"]


def test_success_gives_the_service_result_and_the_hashed_address():
    service = Service("saved")
    _, outcome = run(post(), service)
    assert outcome == (True, "saved", 200)
    assert service.keys == [keyed_hash("203.0.113.7")]


def test_a_page_may_count_by_its_own_key():
    service = Service()
    run(post(), service, client_key="mine")
    assert service.keys == ["mine"]
