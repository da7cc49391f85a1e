"""After the demo town is built, no table holds a mobile number or an ID number in clear text:
every copy (histories, visit facts, import rows, notices, audit details) is encrypted or masked.

The scan reads every text and JSON column of every model's table as the database stores it, so
a new copy of personal data anywhere fails here, not only in the places we know of."""

import re

from django.apps import apps
from django.db import connection

from qiangji.core.crypto import EncryptedTextField
from qiangji.members.models import Member

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9])\d{17}[\dXx](?![0-9A-Za-z])")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
TEXT_TYPES = ("CharField", "TextField", "JSONField")


def valid_id(number: str) -> bool:
    """GB 11643: the 18th character checks the first 17."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], WEIGHTS, strict=True)) % 11] == number[17].upper()


def clear_text_columns():
    """(table, column) of every text or JSON column that is not encrypted as a whole."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField) or field.get_internal_type() not in TEXT_TYPES:
                continue
            yield model._meta.db_table, field.column


def personal_data_in_clear() -> list[tuple[str, str, str]]:
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in clear_text_columns():
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} IS NOT NULL")
            for (value,) in cursor.fetchall():
                text = str(value)
                found += [(table, column, m) for m in MOBILE.findall(text)]
                found += [(table, column, m) for m in ID_NUMBER.findall(text) if valid_id(m)]
    return found


def test_the_demo_has_personal_data_to_protect(demo):
    """The scan below means something: the demo's members have phones and valid ID numbers."""
    members = list(Member.objects.all())
    assert len(members) >= 200
    assert all(valid_id(m.id_number) for m in members)
    assert sum(bool(MOBILE.fullmatch(m.phone or "")) for m in members) >= 100


def test_no_phone_or_id_number_in_clear_text_anywhere(demo):
    assert personal_data_in_clear() == []


def test_key_rotation_knows_every_column_that_holds_ciphertexts(demo):
    """`rotate_keys` finds encrypted columns by field class: a ciphertext stored in any other
    column would stay under the old key and become unreadable once it is removed."""
    from qiangji.core.keyrotation import encrypted_columns

    known = {(c.table, c.field.column) for c in encrypted_columns()}
    quote = connection.ops.quote_name
    holding = set()
    with connection.cursor() as cursor:
        for table, column in clear_text_columns():
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} IS NOT NULL")
            if any(re.search(r'(^|")g1:[0-9a-f]{16}:', str(value)) for (value,) in cursor.fetchall()):
                holding.add((table, column))
    assert holding <= known
    assert ("campaign_entitychange", "old") in holding and ("campaign_visit", "facts") in holding
