from django.urls import path

from qiangji.core.spreadsheets import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("template/<slug:kind>.xlsx", views.template_download, name="template"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/columns/", views.batch_columns, name="columns"),
    path("<int:pk>/commit/", views.batch_commit, name="commit"),
    path("<int:pk>/discard/", views.batch_discard, name="discard"),
    path("<int:pk>/retry/", views.batch_retry, name="retry"),
    path("<int:pk>/errors.xlsx", views.batch_errors, name="errors"),
]
