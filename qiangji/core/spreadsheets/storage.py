"""Uploaded spreadsheets kept encrypted on disk until their batch is committed or discarded.

The file holds personal data (ID numbers, phones), so it is sealed with AES-256-GCM under a key
derived from the field-encryption key (with its own label, so a file key never equals a column
key) and written with a random name; nothing of its content reaches the disk in clear. During a
key rotation a file is read under any configured key and `rewrap` seals it under the current one.
"""

import hashlib
import os
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from qiangji.core.crypto import field_secrets

_SCHEME = b"g1"


def _key(secret: str | None = None) -> bytes:
    secret = settings.FIELD_ENCRYPTION_KEY if secret is None else secret
    return hashlib.sha256(b"qiangji-import-file:" + secret.encode()).digest()


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


def _open(name: str) -> tuple[bytes, bool]:
    """(the original bytes, whether they were sealed under the current key)."""
    raw = _path(name).read_bytes()
    if raw[:2] != _SCHEME:
        raise FileNotFoundError(name)
    for index, secret in enumerate(field_secrets()):
        try:
            return AESGCM(_key(secret)).decrypt(raw[2:14], raw[14:], None), index == 0
        except InvalidTag:
            continue
    raise FileNotFoundError(name)


def load(name: str) -> bytes:
    """The original bytes; FileNotFoundError when the file is gone or cannot be decrypted."""
    return _open(name)[0]


def stored_names() -> list[str]:
    return sorted(p.name for p in _folder().glob("*.enc") if p.is_file())


def under_old_key(name: str) -> bool:
    """True when the file is sealed under an old key (FileNotFoundError: under none configured)."""
    return not _open(name)[1]


def rewrap(name: str) -> bool:
    """Seal the file under the current key (written beside it, then moved over it: an
    interruption leaves the old file whole); False when it already was."""
    data, current = _open(name)
    if current:
        return False
    nonce = os.urandom(12)
    partial = _path(name).with_suffix(".rewrap")
    partial.write_bytes(_SCHEME + nonce + AESGCM(_key()).encrypt(nonce, data, None))
    os.replace(partial, _path(name))
    return True


def delete(name: str) -> None:
    if name:
        try:
            _path(name).unlink(missing_ok=True)
        except FileNotFoundError:
            pass
