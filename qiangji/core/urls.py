from django.urls import path

from qiangji.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("status/", views.system_status, name="status"),
    path("status/tasks/<uuid:task_id>/retry/", views.task_retry, name="task_retry"),
]
