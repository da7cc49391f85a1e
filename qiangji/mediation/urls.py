from django.urls import path

from qiangji.mediation.views import cases, studios

app_name = "mediation"
urlpatterns = [
    path("", studios.studio_list, name="studios"),
    path("studios/<id:pk>/", studios.studio_detail, name="studio"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/new/", cases.case_new, name="case_new"),
    path("cases/<id:pk>/", cases.case_detail, name="case"),
    path("cases/<id:pk>/sessions/", cases.session_add, name="session_add"),
    path("cases/<id:pk>/move/", cases.case_act, name="move"),
]
