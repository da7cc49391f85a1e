"""Uploaded spreadsheets kept encrypted on disk until their batch is committed or discarded.

The file holds personal data (ID numbers, phones), so it is sealed with AES-256-GCM under a key
derived from the field-encryption key (with its own label, so a file key never equals a column
key) and written with a random name; nothing of its content reaches the disk in clear.
"""

import hashlib
import os
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_SCHEME = b"g1"


def _key() -> bytes:
    return hashlib.sha256(b"qiangji-import-file:" + settings.FIELD_ENCRYPTION_KEY.encode()).digest()


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "private" / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(name: str) -> Path:
    # Names are ours (uuid hex + suffix); refuse anything else so a stored name can never
    # point outside the folder.
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise FileNotFoundError(name)
    return _folder() / name


def store(data: bytes) -> str:
    """Encrypt and write; returns the stored name."""
    name = f"{uuid.uuid4().hex}.enc"
    nonce = os.urandom(12)
    sealed = _SCHEME + nonce + AESGCM(_key()).encrypt(nonce, data, None)
    _path(name).write_bytes(sealed)
    return name


def load(name: str) -> bytes:
    """The original bytes; FileNotFoundError when the file is gone or cannot be decrypted."""
    raw = _path(name).read_bytes()
    if raw[:2] != _SCHEME:
        raise FileNotFoundError(name)
    try:
        return AESGCM(_key()).decrypt(raw[2:14], raw[14:], None)
    except InvalidTag:
        raise FileNotFoundError(name) from None


def delete(name: str) -> None:
    if name:
        try:
            _path(name).unlink(missing_ok=True)
        except FileNotFoundError:
            pass
