from django.urls import path

from qiangji.core.spreadsheets import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
]
