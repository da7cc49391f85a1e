from django.urls import path

from qiangji.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
]
