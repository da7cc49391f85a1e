"""The emerging-sector campaign (新连心): register, batches, teams, visits, carriers, summaries."""

from qiangji.campaign.models.carriers import CarrierCommittee, CarrierKind, CommitteeMember, GridRole, VoiceMessage
from qiangji.campaign.models.entities import BaseRecord, Entity, EntityBatch, EntityChange, match_key
from qiangji.campaign.models.reports import Summary
from qiangji.campaign.models.visits import (
    DEFAULT_ASKS,
    DEFAULT_CHECKLIST,
    DEFAULT_SENDS,
    CareItem,
    ChecklistItem,
    ServiceCard,
    Visit,
    VisitEvent,
    VisitTask,
    VisitTeam,
)

__all__ = [
    "DEFAULT_ASKS",
    "DEFAULT_CHECKLIST",
    "DEFAULT_SENDS",
    "BaseRecord",
    "CareItem",
    "CarrierCommittee",
    "CarrierKind",
    "ChecklistItem",
    "CommitteeMember",
    "Entity",
    "EntityBatch",
    "EntityChange",
    "GridRole",
    "ServiceCard",
    "Summary",
    "Visit",
    "VisitEvent",
    "VisitTask",
    "VisitTeam",
    "VoiceMessage",
    "match_key",
]
