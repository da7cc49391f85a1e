"""Key rotation reaches the register's copies: the sealed history values and a visit's facts
(a JSON column) move to the new key and read the same once the old key is gone."""

from io import StringIO

from django.core.management import call_command
from django.db import connection

from qiangji.campaign.models import EntityChange, Visit
from qiangji.campaign.tests.test_personal_copies import NEW, corrected  # noqa: F401 — a fixture
from qiangji.core.crypto import key_id

KEY_B = "bmV3LWZpZWxkLWtleS1mb3ItdGhlLWNhbXBhaWdu"


def stored(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [str(v) for row in cursor.fetchall() for v in row if v]


def test_history_and_facts_move_to_the_new_key(corrected, settings):  # noqa: F811
    before = {c.pk: c.shown_pair(revealed=True) for c in EntityChange.objects.all()}
    settings.FIELD_ENCRYPTION_KEYS_OLD, settings.FIELD_ENCRYPTION_KEY = [settings.FIELD_ENCRYPTION_KEY], KEY_B

    call_command("rotate_keys", stdout=StringIO())

    prefix = f"g1:{key_id(KEY_B, 'field')}:"
    phones = stored("SELECT old, new FROM campaign_entitychange WHERE field = 'phone'")
    assert len(phones) == 2 and all(v.startswith(prefix) for v in phones)
    facts = stored(f"SELECT facts FROM campaign_visit WHERE id = {corrected['visit'].pk}")
    assert prefix in facts[0] and NEW not in facts[0]
    settings.FIELD_ENCRYPTION_KEYS_OLD = []
    assert {c.pk: c.shown_pair(revealed=True) for c in EntityChange.objects.all()} == before
    assert Visit.objects.get(pk=corrected["visit"].pk).facts == {"phone": NEW}
    call_command("rotate_keys", "--check", stdout=StringIO())
