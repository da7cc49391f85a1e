"""Time-based one-time passwords (RFC 6238, the codes of any authenticator app) and their QR code.

Six digits, 30-second steps, HMAC-SHA1: the parameters every common authenticator app
assumes when it scans an `otpauth://` address, so none of them needs to be configured by hand.
"""

import base64
import hashlib
import hmac
import io
import secrets
import struct
import time
from urllib.parse import quote, urlencode

import segno

DIGITS = 6
PERIOD = 30
# One step either side: a phone whose clock is up to 30 seconds off still works.
DRIFT_STEPS = 1
ISSUER = "强基平台"


def new_secret() -> str:
    """160 random bits (RFC 4226's recommended key length) in base32, without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def step_at(when: float | None = None) -> int:
    return int((time.time() if when is None else when) // PERIOD)


def code_at_step(secret: str, step: int) -> str:
    """RFC 4226 HOTP of the step counter, dynamically truncated to six digits."""
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def code_now(secret: str, when: float | None = None) -> str:
    return code_at_step(secret, step_at(when))


def matching_step(secret: str, code: str, *, after: int = 0, when: float | None = None) -> int | None:
    """The step a code belongs to (within the allowed drift), or None.

    Steps at or before `after` are refused, so a code seen over someone's shoulder or read from
    a log cannot be used a second time.
    """
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    now = step_at(when)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(code_at_step(secret, step), code):
            return step
    return None


def grouped(secret: str) -> str:
    """The secret in groups of four, as it is typed into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str) -> str:
    label = quote(f"{ISSUER}:{account}")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": PERIOD, "algorithm": "SHA1"})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(text: str) -> bytes:
    """The QR code of `text` as a standalone SVG document (served as an image, no script)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", scale=5, border=4, xmldecl=True, dark="#000", light="#fff")
    return out.getvalue()
