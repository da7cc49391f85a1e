from django.urls import path
from django.views.generic import RedirectView

from qiangji.council.views import projects as p
from qiangji.council.views import public

app_name = "council"
urlpatterns = [
    # The module's address as typed leads to its main list.
    path("", RedirectView.as_view(pattern_name="council:project_list"), name="index"),
    path("projects/", p.project_list, name="project_list"),
    path("opinions/", p.opinion_queue, name="opinions_waiting"),
    path("projects/new/", p.project_edit, name="project_create"),
    path("projects/<id:pk>/", p.project_detail, name="project_detail"),
    path("projects/<id:pk>/edit/", p.project_edit, name="project_edit"),
    path("projects/<id:pk>/milestones/", p.milestone_add, name="milestone_add"),
    path("projects/<id:pk>/milestones/<id:milestone_pk>/done/", p.milestone_done, name="milestone_done"),
    path("projects/<id:pk>/roles/", p.role_add, name="role_add"),
    path("projects/<id:pk>/roles/<id:role_pk>/remove/", p.role_remove, name="role_remove"),
    path("projects/<id:pk>/bulletins/", p.bulletin_publish, name="bulletin_publish"),
    path("projects/<id:pk>/opinions/<id:opinion_pk>/moderate/", p.opinion_moderate, name="opinion_moderate"),
    path("projects/<id:pk>/opinions/<id:opinion_pk>/move/", p.opinion_move, name="opinion_move"),
    path("projects/<id:pk>/deliberations/", p.deliberation_record, name="deliberation_record"),
    path(
        "projects/<id:pk>/deliberations/<id:deliberation_pk>/problem/",
        p.deliberation_to_problem,
        name="deliberation_to_problem",
    ),
    path(
        "projects/<id:pk>/deliberations/<id:deliberation_pk>/measure/",
        p.deliberation_to_measure,
        name="deliberation_to_measure",
    ),
    # The public hall: no login.
    path("hall/", public.hall, name="hall"),
    path("hall/bulletins/<id:pk>/", public.bulletin, name="hall_bulletin"),
    path("hall/thanks/", public.done, name="hall_done"),
    path("hall/status/", public.status, name="hall_status"),
]
