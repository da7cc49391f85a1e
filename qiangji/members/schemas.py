"""API shapes of members. Input names match MemberForm's and TransferForm's fields.

ID number, phone and address go out masked unless the caller asked to reveal them and may.
"""

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.core.concurrency import VERSION_IN_HELP, VERSION_OUT_HELP
from qiangji.members.models import Member, Transfer


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    gender_label: str
    id_number: str
    birth_date: dt.date
    ethnicity: str
    education: str
    education_label: str
    joined_on: dt.date
    full_member_on: dt.date | None
    status: str
    status_label: str
    organization: int
    organization_name: str
    party_post: str
    party_post_label: str
    phone: str
    address: str
    is_frail: bool
    is_mobile: bool
    revealed: bool = Field(description="true 时身份证号、联系电话、家庭住址为完整信息（已记入审计日志）")
    version: int = Field(description=VERSION_OUT_HELP)

    @classmethod
    def of(cls, member: Member, *, reveal: bool = False) -> "MemberOut":
        return cls(
            id=member.pk,
            name=member.name,
            gender=member.gender,
            gender_label=member.get_gender_display(),
            id_number=member.id_number if reveal else member.id_number_masked,
            birth_date=member.birth_date,
            ethnicity=member.ethnicity,
            education=member.education,
            education_label=member.get_education_display() if member.education else "",
            joined_on=member.joined_on,
            full_member_on=member.full_member_on,
            status=member.status,
            status_label=member.get_status_display(),
            organization=member.organization_id,
            organization_name=member.organization.name,
            party_post=member.party_post,
            party_post_label=member.get_party_post_display() if member.party_post else "",
            phone=member.phone if reveal else member.phone_masked,
            address=member.address if reveal else member.address_masked,
            is_frail=member.is_frail,
            is_mobile=member.is_mobile,
            revealed=reveal,
            version=member.version,
        )


class MemberPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[MemberOut]


class MemberIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    id_number: str = Field(description="18位公民身份号码；15位旧号自动升级，小写x与全角数字自动规范")
    gender: str | None = Field(None, description="M 男 / F 女；可不填，按身份证号确定")
    birth_date: dt.date | None = Field(None, description="可不填，按身份证号确定")
    ethnicity: str | None = Field(None, description="民族，默认汉族")
    education: str | None = Field(None, description="学历：" + "、".join(c for c, _ in Member.Education.choices))
    joined_on: dt.date
    full_member_on: dt.date | None = Field(None, description="转正日期；正式党员必填")
    status: str = Field(Member.Status.FULL.value, description="full 正式党员 / probationary 预备党员")
    organization: int = Field(description="所在党组织编号，须在您的管理范围内")
    party_post: str | None = Field(None, description="党内职务：" + "、".join(c for c, _ in Member.PartyPost.choices if c))
    phone: str | None = None
    address: str | None = None
    is_frail: bool = False
    is_mobile: bool = False


class MemberPatchIn(Schema):
    """Only the fields sent are changed. The organization changes only by a transfer."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(description=VERSION_IN_HELP)
    name: str | None = None
    id_number: str | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    ethnicity: str | None = None
    education: str | None = None
    joined_on: dt.date | None = None
    full_member_on: dt.date | None = None
    status: str | None = None
    party_post: str | None = None
    phone: str | None = None
    address: str | None = None
    is_frail: bool | None = None
    is_mobile: bool | None = None


class TransferIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_organization: int = Field(description="转入组织编号，须在您的管理范围内")
    transferred_on: dt.date | None = Field(None, description="转接日期，默认今天")
    reason: str = ""


class TransferOut(Schema):
    id: int
    member: int
    from_organization: int
    from_organization_name: str
    to_organization: int
    to_organization_name: str
    transferred_on: dt.date
    reason: str

    @classmethod
    def of(cls, transfer: Transfer) -> "TransferOut":
        return cls(
            id=transfer.pk,
            member=transfer.member_id,
            from_organization=transfer.from_organization_id,
            from_organization_name=transfer.from_organization.name,
            to_organization=transfer.to_organization_id,
            to_organization_name=transfer.to_organization.name,
            transferred_on=transfer.transferred_on,
            reason=transfer.reason,
        )
