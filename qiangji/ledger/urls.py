# Shared by several modules: add lines, never rewrite the file.
from django.urls import path

from qiangji.ledger.views import grades as grade_views
from qiangji.ledger.views import mechanisms, problem_actions, problems
from qiangji.ledger.views import plans as plan_views
from qiangji.ledger.views import public as public_views
from qiangji.ledger.views import stats as stats_views

app_name = "ledger"
urlpatterns = [
    path("problems/<id:pk>/", problems.problem_detail, name="problem_detail"),
    path("problems/", problems.problem_list, name="problem_list"),
    path("problems/export/", problems.problem_export, name="problem_export"),
    path("problems/new/", problems.problem_register_page, name="problem_register"),
    path("problems/similar/", problems.problem_similar, name="problem_similar"),
    path("problems/<id:pk>/act/<slug:action>/", problem_actions.problem_act, name="problem_act"),
    path("problems/<id:pk>/measures/", problem_actions.problem_measure_add, name="problem_measure_add"),
    path(
        "problems/<id:pk>/measures/<id:measure_pk>/progress/",
        problem_actions.problem_measure_progress,
        name="problem_measure_progress",
    ),
    path(
        "problems/<id:pk>/measures/<id:measure_pk>/check/",
        problem_actions.problem_measure_check,
        name="problem_measure_check",
    ),
    path("problems/<id:pk>/files/<id:attachment_pk>/", problems.problem_attachment, name="problem_attachment"),
    path("mechanisms/", mechanisms.mechanism_list, name="mechanism_list"),
    path("mechanisms/new/", mechanisms.mechanism_create, name="mechanism_create"),
    path("report/", public_views.report, name="public_report"),
    path("report/done/", public_views.report_done, name="public_report_done"),
    path("report/status/", public_views.report_status, name="public_report_status"),
    path("reports/", public_views.report_list, name="public_reports"),
    path("reports/<id:pk>/", public_views.report_handle, name="public_report_handle"),
    path("reports/<id:pk>/accept/", public_views.report_accept, name="public_report_accept"),
    path("reports/<id:pk>/reject/", public_views.report_reject, name="public_report_reject"),
    path("grades/", grade_views.grades, name="grades"),
    path("grades/<id:org_pk>/set/", grade_views.grade_save, name="grade_save"),
    path("grades/levels/", grade_views.grade_levels, name="grade_levels"),
    path("grades/levels/<id:pk>/", grade_views.grade_level_edit, name="grade_level_edit"),
    path("plans/", plan_views.plans, name="plans"),
    path("plans/new/", plan_views.plan_edit, name="plan_create"),
    path("plans/<id:pk>/", plan_views.plan_detail, name="plan_detail"),
    path("plans/<id:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<id:pk>/items/", plan_views.plan_item_add, name="plan_item_add"),
    path("plans/<id:pk>/items/<id:item_pk>/progress/", plan_views.plan_item_progress, name="plan_item_progress"),
    path("plans/<id:pk>/items/<id:item_pk>/check/", plan_views.plan_item_check, name="plan_item_check"),
    path("stats/", stats_views.stats, name="stats"),
]
