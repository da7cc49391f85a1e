"""The one path of the public (no-login, phone-first) forms: the 群众反映 report, the 议事厅
opinion and the 有话说 voice message.

Each page keeps what is its own (its service, what it remembers in the session, where it
redirects, its template); the honeypot, the rate limit's answer and the mapping of a refusal onto
the form live here, so the three pages refuse bots and floods with the same words and statuses.
"""

import secrets
from collections.abc import Callable
from typing import Any, NamedTuple

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from qiangji.core.clientip import client_ip
from qiangji.core.crypto import keyed_hash
from qiangji.core.errors import DomainError, RateLimited, refuse_over_hourly_limit
from qiangji.core.models import PublicLookup

BOT_MESSAGE = "提交未成功，请刷新页面后重新填写。"


class PublicForm(forms.Form):
    """A public form with a honeypot: `website` is hidden from people (the templates put it in a
    d-none block) and filled in by bots that fill in every field."""

    website = forms.CharField(
        label="请勿填写此栏", required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inherited fields come first; the honeypot goes last, where each form had it, so the
        # order of cleaning and of the errors stays the page's own.
        self.fields["website"] = self.fields.pop("website")

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


def optional_phone_field(help_text: str) -> forms.CharField:
    """The optional contact phone of a public form, with the phone keypad and autofill; each page
    says in `help_text` who will see the number."""
    return forms.CharField(
        label="联系电话（可不填）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=help_text,
    )


def ip_client_key(request: HttpRequest) -> str:
    """Whom a public page's rate limit counts: the client's address, kept only as a keyed hash."""
    return keyed_hash(client_ip(request) or "")


class Submission(NamedTuple):
    """What became of a public form: `sent` with the service's result, or the page's status."""

    sent: bool
    result: Any
    status: int


def public_submit(
    request: HttpRequest,
    form: PublicForm,
    submit: Callable[[str], Any],
    *,
    client_key: str | None = None,
) -> Submission:
    """Run a public form: a GET is 200; an invalid POST or a bot is 400; otherwise
    `submit(client_key)` calls the app's service. RateLimited (core.errors, the services'
    shared rate rule) becomes a non-field error and 429, any other DomainError an error on its
    field (or the form) and 400.

    The key defaults to the hashed address; a page that counts signed-in users by account passes its own.
    """
    if request.method != "POST":
        return Submission(False, None, 200)
    if not form.is_valid():
        return Submission(False, None, 400)
    if form.is_bot:
        form.add_error(None, BOT_MESSAGE)
        return Submission(False, None, 400)
    try:
        result = submit(ip_client_key(request) if client_key is None else client_key)
    except RateLimited as error:
        form.add_error(None, error.message)
        return Submission(False, None, 429)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return Submission(False, None, 400)
    return Submission(True, result, 200)


# Receipt numbers are read aloud and typed on phones: no 0/O, 1/I/L.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOOKUP_LIMIT_MESSAGE = "查询过于频繁，请一小时后再试。"
NOT_FOUND_MESSAGE = "未查到该编号，请核对后重新输入。"


def receipt_code(prefix: str, length: int = 10) -> str:
    """An unguessable receipt number ("YT-7KQ4M2X9PA"): random, never the record's id."""
    return f"{prefix}-" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(length))


def clean_receipt(value: str) -> str:
    return "".join(str(value or "").split()).upper()[:40]


class Lookup(NamedTuple):
    """What a status page shows: the number asked for, the record found (None: not found or not
    asked), the refusal if any, and the page's status."""

    number: str
    found: Any
    error: str
    status: int


def public_lookup(request: HttpRequest, *, page: str, find: Callable[[str], Any]) -> Lookup:
    """Run a no-login status look-up (`?number=`): counted per address by the public pages' rate
    rule, then `find(number)`. An unknown number and a malformed one get the same answer."""
    number = clean_receipt(request.GET.get("number", ""))
    if not number:
        return Lookup("", None, "", 200)
    key = ip_client_key(request)
    try:
        with transaction.atomic():
            refuse_over_hourly_limit(
                PublicLookup.objects.filter(page=page, client_hash=key),
                client_key=key,
                now=timezone.now(),
                limit=settings.PUBLIC_LOOKUPS_PER_HOUR,
                message=LOOKUP_LIMIT_MESSAGE,
            )
            PublicLookup.objects.create(page=page, client_hash=key)
    except RateLimited as error:
        return Lookup(number, None, error.message, 429)
    found = find(number)
    if found is None:
        # The page itself answers (200): the number was wrong, not the address.
        return Lookup(number, None, NOT_FOUND_MESSAGE, 200)
    return Lookup(number, found, "", 200)
