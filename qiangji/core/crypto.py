"""Encryption at rest and keyed lookup hashes for personal data (RULES.md, PIPL).

Ciphertext is stored as text with a scheme prefix ("g1:" = AES-256-GCM) so that a town that must
pass a commercial-cryptography assessment can add SM4 as another scheme without a migration of
the column type; old rows stay readable under their own prefix.
"""

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _aes_key(secret: str) -> bytes:
    return hashlib.sha256(b"qiangji-field-key:" + secret.encode()).digest()


@lru_cache(maxsize=4)
def _aead(secret: str) -> AESGCM:
    # One cipher object per key: setting one up costs more than sealing a phone number.
    return AESGCM(_aes_key(secret))


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plaintext.encode(), None)
    return "g1:" + base64.b64encode(nonce + sealed).decode()


def decrypt(stored: str) -> str:
    scheme, _, body = stored.partition(":")
    if scheme != "g1":
        raise ValueError(f"unknown cipher scheme {scheme!r}")
    raw = base64.b64decode(body)
    return _aead(settings.FIELD_ENCRYPTION_KEY).decrypt(raw[:12], raw[12:], None).decode()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value: lets a full ID number be found without decrypting."""
    return hmac.new(settings.FIELD_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column whose value is encrypted before it reaches the database.

    It cannot be filtered on: pair it with a keyed-hash column where lookups are needed.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


def mask_id_number(value: str) -> str:
    """310***********123X: the first three and the last four characters."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; landlines keep their area code and last four digits."""
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return value[: max(0, len(value) - 8)] + "****" + value[-4:]


def mask_address(value: str) -> str:
    """Keep the first six characters (town and village), hide the rest."""
    if not value:
        return ""
    return value[:6] + "****" if len(value) > 6 else value[:2] + "****"


_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9])\d{17}[\dXx](?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def is_id_number(value: str) -> bool:
    """An 18-character ID number whose last character checks the first 17 (GB 11643)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True)) % 11]
    return value[17].upper() == check


def mask_in_text(text: str) -> str:
    """Free text (a notice, a log line) with every mobile and ID number in it masked."""
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()) if is_id_number(m.group()) else m.group(), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)
