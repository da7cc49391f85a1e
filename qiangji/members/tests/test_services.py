from qiangji import factories as f
from qiangji.core.models import ChangeRecord
from qiangji.members.models import Member
from qiangji.members.services import member_update


def test_a_change_hidden_by_the_mask_is_saved_and_recorded(town, users):
    member = f.member(organization=town["branch_b"], name="周明", phone="13812345678")
    member_update(member=member, by=users["town_admin"], data={"phone": "13899995678"})
    assert Member.objects.get(pk=member.pk).phone == "13899995678"
    record = ChangeRecord.objects.get(object_id=member.pk, action=ChangeRecord.Action.UPDATE)
    assert record.changes == {"phone": ["138****5678", "138****5678"]}


def test_an_update_that_changes_nothing_writes_no_history(town, users):
    member = f.member(organization=town["branch_b"], name="周明", phone="13812345678")
    member_update(member=member, by=users["town_admin"], data={"phone": "13812345678", "name": "周明"})
    assert ChangeRecord.objects.filter(object_id=member.pk, action=ChangeRecord.Action.UPDATE).count() == 0
