"""The campaign's JSON API, one router per resource (config/api.py mounts them)."""

from qiangji.campaign.api.batches import router as batches_router
from qiangji.campaign.api.coverage import router as coverage_router
from qiangji.campaign.api.entities import router as entities_router
from qiangji.campaign.api.summaries import router as summaries_router
from qiangji.campaign.api.tasks import router as tasks_router
from qiangji.campaign.api.voice import router as voice_router

__all__ = ["batches_router", "coverage_router", "entities_router", "summaries_router", "tasks_router", "voice_router"]
