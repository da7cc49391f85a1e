from django.urls import path

from qiangji.orgs import views

app_name = "liaison"
urlpatterns = [
    path("", views.liaison_groups, name="groups"),
]
