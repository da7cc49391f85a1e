from django.urls import path

from qiangji.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("export/", views.export, name="export"),
    path("new/", views.create, name="create"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/reveal/", views.reveal, name="reveal"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/transfer/", views.transfer, name="transfer"),
]
