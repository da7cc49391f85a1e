"""The one declaration of personal fields, and the copies that leave their column: JSON payloads,
notices and log lines carry them encrypted or masked."""

import logging
import sys

import pytest
from django.apps import apps
from django.conf import settings

from qiangji import factories as f
from qiangji.core import personal
from qiangji.core.crypto import EncryptedTextField, mask_in_text
from qiangji.core.logfilters import MaskPersonalData
from qiangji.notifications.models import Notification
from qiangji.notifications.services import notification_send

ID = "11010519491231002X"
NOT_PERSONAL_TEXT = "编号110105194912310021，电话021-12345678，金额12345678901234"
# Encrypted columns that are not one person's phone, ID number or address (credentials, raw rows).
NOT_PERSONAL = {
    ("accounts.TotpDevice", "secret"),
    ("core.ImportRow", "raw"),
    ("notifications.GroupChannel", "webhook"),
    ("notifications.GroupChannel", "secret"),
}


def test_every_declared_field_is_an_encrypted_column():
    for label, fields in personal.PERSONAL_FIELDS.items():
        model = apps.get_model(label)
        for name, kind in fields.items():
            assert isinstance(model._meta.get_field(name), EncryptedTextField), (label, name)
            assert kind in personal.MASKS


def test_every_encrypted_column_is_declared_or_known_not_personal():
    encrypted = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    }
    declared = {(label, name) for label, fields in personal.PERSONAL_FIELDS.items() for name in fields}
    assert encrypted - NOT_PERSONAL == declared


def test_payloads_are_sealed_and_shown_masked():
    sealed = personal.seal_payload({"phone": "13912345678", "name": "某公司", "employees": 3}, "campaign.Entity")
    assert sealed["phone"].startswith("g1:") and (sealed["name"], sealed["employees"]) == ("某公司", 3)
    assert personal.unseal_payload(sealed, "campaign.Entity") == {"phone": "13912345678", "name": "某公司", "employees": 3}
    assert personal.shown_payload(sealed, "campaign.Entity", revealed=False) == {
        "phone": "139****5678",
        "name": "某公司",
        "employees": 3,
    }
    assert personal.shown_payload(sealed, "campaign.Entity", revealed=True)["phone"] == "13912345678"
    # A value written before sealing reads as it is; blank stays blank.
    assert personal.shown("members.Member", "id_number", ID, revealed=False) == "110***********002X"
    assert personal.seal("") == "" and personal.unseal("") == ""


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"张三 13912345678 身份证{ID}", "张三 139****5678 身份证110***********002X"),
        (f"号码{ID.lower()}。", "号码110***********002x。"),
        # Not a valid ID number (check character) nor a mobile: left alone.
        (NOT_PERSONAL_TEXT, NOT_PERSONAL_TEXT),
        ("", ""),
    ],
)
def test_mask_in_text(text, masked):
    assert mask_in_text(text) == masked


def test_log_lines_are_masked():
    try:
        raise ValueError(f"第3行：{ID} 13912345678")
    except ValueError:
        record = logging.LogRecord("qiangji", logging.ERROR, __file__, 1, "批次 %s 行 %s", (7, "13800138000"), sys.exc_info())
    assert MaskPersonalData().filter(record) is True
    assert record.getMessage() == "批次 7 行 138****8000"
    assert ID not in record.exc_text and "13912345678" not in record.exc_text
    assert "110***********002X 139****5678" in record.exc_text
    console = settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["personal_data"]
    assert settings.LOGGING["filters"]["personal_data"]["()"] == "qiangji.core.logfilters.MaskPersonalData"


def test_notices_quote_personal_data_masked(db):
    user = f.UserFactory()
    notification_send(recipients=[user], title="回访 13912345678", body=f"身份证{ID}，电话13800138000", kind="problem")
    notice = Notification.objects.get(recipient=user)
    assert (notice.title, notice.body) == ("回访 139****5678", "身份证110***********002X，电话138****8000")
