"""The JSON API: one NinjaAPI under /api/v1/, each app mounts its router here.

Authentication is a bearer token (`Authorization: Bearer qj_…`, issued on /accounts/tokens/ or
by `manage.py issue_token`) or the page session with its CSRF token. docs/api.md describes it.
"""

from ninja import NinjaAPI, Swagger

from qiangji.accounts.api_auth import api_auth
from qiangji.briefs.api import router as briefs_router
from qiangji.campaign import api as campaign_api
from qiangji.core.api import install_error_handlers
from qiangji.council.api import router as projects_router
from qiangji.ledger.api import grades_router, measures_router, mechanisms_router
from qiangji.ledger.api import plans_router as rectification_plans_router
from qiangji.ledger.api import router as problems_router
from qiangji.liaison.api import router as liaison_router
from qiangji.mediation.api import router as mediation_router
from qiangji.members.api import router as members_router
from qiangji.orglife.api import compliance_router, home_study_router
from qiangji.orglife.api import router as meetings_router
from qiangji.orgs.api import router as orgs_router
from qiangji.plans.api import router as plans_router
from qiangji.positions.api import router as positions_router
from qiangji.redculture.api import router as red_sites_router
from qiangji.reserve.api import router as reserve_router
from qiangji.trainings.api import router as trainings_router

api = NinjaAPI(
    title="强基 API",
    version="1.0.0",
    description="强基 · 基层组织建设平台的数据接口。权限与账号在页面上的权限相同；个人敏感信息默认脱敏。",
    urls_namespace="api",
    auth=api_auth(),
    # Swagger UI is served from ninja's own static files (no CDN, no inline script); the
    # validator badge would load an image from swagger.io, which the CSP and an intranet forbid.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)
api.add_router("/organizations", orgs_router)
api.add_router("/members", members_router)
api.add_router("/meetings", meetings_router)
api.add_router("/compliance", compliance_router)
api.add_router("/trainings", trainings_router)
api.add_router("/home-study", home_study_router)
api.add_router("/plans", plans_router)
api.add_router("/liaison", liaison_router)
api.add_router("/problems", problems_router)
api.add_router("/measures", measures_router)
api.add_router("/mechanisms", mechanisms_router)
api.add_router("/grades", grades_router)
api.add_router("/rectification-plans", rectification_plans_router)
api.add_router("/entities", campaign_api.entities_router)
api.add_router("/entity-batches", campaign_api.batches_router)
api.add_router("/visit-tasks", campaign_api.tasks_router)
api.add_router("/coverage", campaign_api.coverage_router)
api.add_router("/campaign-summaries", campaign_api.summaries_router)
api.add_router("/voice", campaign_api.voice_router)
api.add_router("/projects", projects_router)
api.add_router("/red-sites", red_sites_router)
api.add_router("/reserve-candidates", reserve_router)
api.add_router("/mediation-cases", mediation_router)
api.add_router("/positions", positions_router)
api.add_router("/briefs", briefs_router)
