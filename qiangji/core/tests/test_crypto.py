"""Encryption at rest, keyed lookup hashes and the masks shown to users (RULES.md, PIPL)."""

import base64
import datetime as dt

import pytest
from cryptography.exceptions import InvalidTag
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from qiangji import factories as f
from qiangji.core.crypto import (
    KeyNotConfigured,
    current_key_ids,
    decrypt,
    encrypt,
    key_id,
    keyed_hash,
    keyed_hashes,
    mask_address,
    mask_id_number,
    mask_phone,
    stored_key_id,
)
from qiangji.members.models import Member
from qiangji.orgs.models import Organization


@given(st.text(max_size=300))
def test_encrypt_then_decrypt_gives_back_the_text(text):
    assert decrypt(encrypt(text)) == text


def test_ciphertext_is_prefixed_randomised_and_hides_the_text():
    first, second = encrypt("310230198005170016"), encrypt("310230198005170016")
    kid = current_key_ids()["field"]
    assert first.startswith(f"g1:{kid}:") and second.startswith(f"g1:{kid}:")
    assert first != second  # a fresh nonce each time: equal values do not look equal at rest
    assert "310230198005170016" not in first
    assert len(base64.b64decode(first[20:])) == 12 + 18 + 16  # nonce + text + GCM tag


def test_tampered_ciphertext_is_refused():
    stored = encrypt("13812345678")
    raw = bytearray(base64.b64decode(stored[20:]))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        decrypt(stored[:20] + base64.b64encode(bytes(raw)).decode())


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unknown cipher scheme 'sm4'"):
        decrypt("sm4:AAAA")


def test_decrypting_with_another_key_fails(settings):
    stored = encrypt("上海市崇明区竖新镇")
    settings.FIELD_ENCRYPTION_KEY = "another-key"
    with pytest.raises(KeyNotConfigured):
        decrypt(stored)
    legacy = "g1:" + stored.rpartition(":")[2]  # a value written before ciphertexts named their key
    with pytest.raises(InvalidTag):
        decrypt(legacy)


def test_an_old_key_still_reads_and_a_legacy_value_is_tried_under_every_key(settings):
    old_key = settings.FIELD_ENCRYPTION_KEY
    stored = encrypt("上海市崇明区竖新镇")
    legacy = "g1:" + stored.rpartition(":")[2]
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_KEYS_OLD = "the-new-key", [old_key]
    assert decrypt(stored) == decrypt(legacy) == "上海市崇明区竖新镇"
    assert stored_key_id(stored) == key_id(old_key, "field") and stored_key_id(legacy) is None
    assert stored_key_id(encrypt("x")) == key_id("the-new-key", "field") == current_key_ids()["field"]


def test_lookup_hashes_cover_the_old_hash_key_during_a_rotation(settings):
    old = keyed_hash("310230198005170016")
    settings.FIELD_HASH_KEY, settings.FIELD_HASH_KEYS_OLD = "the-new-hash-key", ["dev-only-hash-key"]
    assert keyed_hashes("310230198005170016") == [keyed_hash("310230198005170016"), old]
    assert keyed_hashes("310230198005170016")[0] != old


def test_keyed_hash_is_stable_and_depends_on_the_key(settings):
    first = keyed_hash("310230198005170016")
    assert first == keyed_hash("310230198005170016")
    assert len(first) == 64 and first != keyed_hash("310230198503020029")
    settings.FIELD_HASH_KEY = "another-key"
    assert keyed_hash("310230198005170016") != first


def test_member_personal_data_is_encrypted_in_the_database(db):
    org = f.organization(name="测试支部", kind=Organization.Kind.COMMITTEE)
    member = f.member(
        organization=org,
        name="张三",
        birth=dt.date(1980, 5, 17),
        id_number="310230198005170016",
        phone="13812345678",
        address="上海市崇明区竖新镇东村100号",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, address, id_number_hash FROM members_member WHERE id = %s", [member.pk])
        id_number, phone, address, id_hash = cursor.fetchone()
    assert [v[:3] for v in (id_number, phone, address)] == ["g1:", "g1:", "g1:"]
    assert "310230198005170016" not in id_number and "13812345678" not in phone and "东村" not in address
    assert id_hash == keyed_hash("310230198005170016")
    again = Member.objects.get(pk=member.pk)
    assert (again.id_number, again.phone, again.address) == ("310230198005170016", "13812345678", "上海市崇明区竖新镇东村100号")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("31023019800517123X", "310***********123X"),
        ("11010519491231002X", "110***********002X"),
        ("110105491231002", "110********1002"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_id_number_mask(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("021-59330000", "021-****0000"),
        ("02159330000", "021****0000"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_phone_mask(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("上海市崇明区竖新镇东村100号", "上海市崇明区****"),
        ("竖新镇东村", "竖新****"),
        ("", ""),
    ],
)
def test_address_mask(value, masked):
    assert mask_address(value) == masked


@given(st.text("0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_an_id_mask_keeps_only_the_first_three_and_last_four(first17, last):
    number = first17 + last
    masked = mask_id_number(number)
    assert masked == number[:3] + "*" * 11 + number[-4:]
    assert masked[3:14] == "*" * 11
