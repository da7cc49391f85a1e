from django.urls import path

from qiangji.trainings import views

app_name = "trainings"
urlpatterns = [
    path("", views.training_list, name="list"),
    path("new/", views.training_create_view, name="create"),
    path("<int:pk>/", views.training_detail, name="detail"),
    path("<int:pk>/sessions/", views.session_add, name="session_add"),
    path("<int:pk>/enrol/", views.enrol, name="enrol"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("hours/", views.hours, name="hours"),
    path("hours/export/", views.hours_export, name="hours_export"),
    path("hours/mine/", views.my_hours, name="mine"),
    path("hours/requirements/", views.requirements_edit, name="requirements"),
]
