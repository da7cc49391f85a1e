from django.urls import path

from qiangji.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export_not_filed, name="export"),
    path("new/", views.create, name="create"),
    path("terms/", views.terms, name="terms"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/file/", views.download, name="download"),
    path("<int:pk>/return/", views.return_plan, name="return"),
]
