from django.urls import path

from qiangji.liaison import views

app_name = "liaison_meetings"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<id:group_pk>/<id:meeting_pk>/record/", views.record, name="record"),
    path("overview/", views.overview, name="overview"),
    path("overview/export/", views.export, name="export"),
]
