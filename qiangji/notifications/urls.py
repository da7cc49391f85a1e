from django.urls import path

from qiangji.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<id:pk>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
]
