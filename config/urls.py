from django.contrib import admin
from django.urls import include, path

from config.api import api
from qiangji.core import views as core_views

urlpatterns = [
    path("", include("qiangji.home.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("qiangji.accounts.urls")),
    path("orgs/", include("qiangji.orgs.urls")),
    path("liaison/meetings/", include("qiangji.liaison.urls")),
    path("liaison/", include("qiangji.orgs.liaison_urls")),
    path("members/", include("qiangji.members.urls")),
    path("trainings/", include("qiangji.trainings.urls")),
    path("inbox/", include("qiangji.notifications.urls")),
    path("plans/", include("qiangji.plans.urls")),
    path("orglife/", include("qiangji.orglife.urls")),
    path("ledger/", include("qiangji.ledger.urls")),
    path("campaign/", include("qiangji.campaign.urls")),
    path("council/", include("qiangji.council.urls")),
    path("red/", include("qiangji.redculture.urls")),
    path("reserve/", include("qiangji.reserve.urls")),
    path("mediation/", include("qiangji.mediation.urls")),
    path("positions/", include("qiangji.positions.urls")),
    path("briefs/", include("qiangji.briefs.urls")),
    path("imports/", include("qiangji.core.spreadsheets.urls")),
    path("", include("qiangji.core.urls")),
    path("api/v1/", api.urls),
    path("ops/", admin.site.urls),
]
admin.site.site_header = "强基 · 运维后台"
admin.site.site_title = "强基运维后台"

# Chinese, plain, nothing of the inside; JSON under /api/ (qiangji.core.error_views).
handler400 = "qiangji.core.error_views.bad_request"
handler403 = "qiangji.core.error_views.permission_denied"
handler404 = "qiangji.core.error_views.page_not_found"
handler500 = "qiangji.core.error_views.server_error"
