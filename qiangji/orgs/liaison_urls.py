from django.urls import path

from qiangji.orgs import views

app_name = "liaison"
urlpatterns = [
    path("", views.liaison_groups, name="groups"),
    path("new/", views.liaison_group_new, name="create"),
    path("<id:pk>/edit/", views.liaison_group_edit, name="edit"),
]
