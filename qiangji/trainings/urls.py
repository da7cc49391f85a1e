from django.urls import path

from qiangji.trainings import views

app_name = "trainings"
urlpatterns = [
    path("", views.training_list, name="list"),
    path("new/", views.training_create_view, name="create"),
    path("<id:pk>/", views.training_detail, name="detail"),
    path("<id:pk>/sessions/", views.session_add, name="session_add"),
    path("<id:pk>/enrol/", views.enrol, name="enrol"),
    path("sessions/<id:pk>/attendance/", views.attendance, name="attendance"),
    path("warning/", views.warning_list, name="warning_list"),
    path("warning/new/", views.warning_create, name="warning_create"),
    path("warning/<id:pk>/", views.warning_detail, name="warning_detail"),
    path("hours/", views.hours, name="hours"),
    path("hours/export/", views.hours_export, name="hours_export"),
    path("hours/mine/", views.my_hours, name="mine"),
    path("hours/requirements/", views.requirements_edit, name="requirements"),
]
