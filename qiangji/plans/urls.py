from django.urls import path

from qiangji.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export_not_filed, name="export"),
    path("new/", views.create, name="create"),
    path("terms/", views.terms, name="terms"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/file/", views.download, name="download"),
    path("<id:pk>/return/", views.return_plan, name="return"),
]
