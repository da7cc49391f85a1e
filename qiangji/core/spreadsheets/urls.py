from django.urls import path

from qiangji.core.spreadsheets import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("template/<slug:kind>.xlsx", views.template_download, name="template"),
    path("<id:pk>/", views.batch_detail, name="detail"),
    path("<id:pk>/progress/", views.batch_progress, name="progress"),
    path("<id:pk>/columns/", views.batch_columns, name="columns"),
    path("<id:pk>/commit/", views.batch_commit, name="commit"),
    path("<id:pk>/discard/", views.batch_discard, name="discard"),
    path("<id:pk>/retry/", views.batch_retry, name="retry"),
    path("<id:pk>/errors.xlsx", views.batch_errors, name="errors"),
]
