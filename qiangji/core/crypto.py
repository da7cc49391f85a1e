"""Encryption at rest and keyed lookup hashes for personal data (RULES.md, PIPL).

Ciphertext is stored as text with a scheme prefix ("g1:" = AES-256-GCM) so that a town that must
pass a commercial-cryptography assessment can add SM4 as another scheme without a migration of
the column type; old rows stay readable under their own prefix.

Each ciphertext names the key that made it: "g1:<key id>:<base64>". A key id is a one-way
fingerprint of the key (`key_id`, the same value the backup manifest records), so a key needs no
name of its own and an id says nothing about the key. Values written before ids existed
("g1:<base64>") are tried under every configured key, current first. Settings hold the current
key and, during a rotation (docs/operations.md), the old ones: FIELD_ENCRYPTION_KEYS_OLD,
FIELD_HASH_KEYS_OLD; `manage.py rotate_keys` moves every value to the current key.
"""

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

SCHEME = "g1"
FIELD, HASH = "field", "hash"


class KeyNotConfigured(ValueError):
    """A ciphertext made with a key whose id is not among the configured keys."""


@lru_cache(maxsize=16)
def _aes_key(secret: str) -> bytes:
    return hashlib.sha256(b"qiangji-field-key:" + secret.encode()).digest()


@lru_cache(maxsize=16)
def _aead(secret: str) -> AESGCM:
    # One cipher object per key: setting one up costs more than sealing a phone number.
    return AESGCM(_aes_key(secret))


@lru_cache(maxsize=16)
def key_id(secret: str, purpose: str) -> str:
    """A 16-hex-digit one-way fingerprint of a key: tells keys apart without revealing them."""
    material = _aes_key(secret) if purpose == FIELD else secret.encode()
    return hashlib.sha256(b"qiangji-key-check:" + purpose.encode() + b":" + material).hexdigest()[:16]


def _configured(current: str, old: list[str] | tuple[str, ...]) -> list[str]:
    seen: list[str] = []
    for secret in (current, *old):
        if secret and secret not in seen:
            seen.append(secret)
    return seen


def field_secrets() -> list[str]:
    """The configured encryption keys, the current one first."""
    return _configured(settings.FIELD_ENCRYPTION_KEY, getattr(settings, "FIELD_ENCRYPTION_KEYS_OLD", ()))


def hash_secrets() -> list[str]:
    """The configured keyed-hash keys, the current one first."""
    return _configured(settings.FIELD_HASH_KEY, getattr(settings, "FIELD_HASH_KEYS_OLD", ()))


def field_keys() -> dict[str, str]:
    """{key id: key} of every configured encryption key, the current one first."""
    return {key_id(secret, FIELD): secret for secret in field_secrets()}


def current_key_ids() -> dict[str, str]:
    return {FIELD: key_id(settings.FIELD_ENCRYPTION_KEY, FIELD), HASH: key_id(settings.FIELD_HASH_KEY, HASH)}


def configured_key_ids() -> dict[str, list[str]]:
    return {FIELD: list(field_keys()), HASH: [key_id(s, HASH) for s in hash_secrets()]}


def encrypt(plaintext: str) -> str:
    secret = settings.FIELD_ENCRYPTION_KEY
    nonce = os.urandom(12)
    sealed = _aead(secret).encrypt(nonce, plaintext.encode(), None)
    return f"{SCHEME}:{key_id(secret, FIELD)}:" + base64.b64encode(nonce + sealed).decode()


def _parse(stored: str) -> tuple[str | None, bytes]:
    scheme, _, rest = stored.partition(":")
    if scheme != SCHEME:
        raise ValueError(f"unknown cipher scheme {scheme!r}")
    # Base64 has no colon: a colon means a key id comes first.
    kid, _, body = rest.rpartition(":")
    return kid or None, base64.b64decode(body)


def stored_key_id(stored: str) -> str | None:
    """The id of the key a ciphertext was made with; None for a value written before ids."""
    scheme, _, rest = stored.partition(":")
    if scheme != SCHEME:
        raise ValueError(f"unknown cipher scheme {scheme!r}")
    return rest.rpartition(":")[0] or None


def decrypt(stored: str) -> str:
    kid, raw = _parse(stored)
    if kid is not None:
        secret = field_keys().get(kid)
        if secret is None:
            raise KeyNotConfigured(f"value encrypted with key {kid}, which is not configured")
        return _aead(secret).decrypt(raw[:12], raw[12:], None).decode()
    failure: InvalidTag | None = None
    for secret in field_secrets():
        try:
            return _aead(secret).decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag as error:
            failure = error
    raise failure or InvalidTag()


def keyed_hash(value: str, secret: str | None = None) -> str:
    """HMAC-SHA256 of a normalised value: lets a full ID number be found without decrypting."""
    key = settings.FIELD_HASH_KEY if secret is None else secret
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def keyed_hashes(value: str) -> list[str]:
    """The value's hash under every configured hash key, the current one first: a lookup during
    a key rotation finds rows whose hash is not rebuilt yet."""
    return [keyed_hash(value, secret) for secret in hash_secrets()]


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


class SealedTextField(models.TextField):
    """A text column some of whose values are sealed copies of personal data (core.personal.seal)
    and the others plain text; read and written as stored. The class is what `rotate_keys`
    looks for."""


class KeyedHashField(models.CharField):
    """The keyed hash of another (encrypted) field of the same model, `of`, for exact lookups;
    `rotate_keys` rebuilds it from that field under a new hash key."""

    def __init__(self, *args, of: str = "", **kwargs):
        self.of = of
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        return name, path, args, kwargs


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
