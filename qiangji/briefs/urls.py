from django.urls import path

from qiangji.briefs import views

app_name = "briefs"
urlpatterns = [
    path("", views.brief_list, name="list"),
    path("new/", views.create, name="create"),
    path("figures/", views.figures, name="figures"),
    path("figures/<slug:key>/", views.records, name="records"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/refresh/", views.refresh, name="refresh"),
    path("<id:pk>/issue/", views.issue, name="issue"),
    path("<id:pk>/word/", views.word, name="word"),
    path("<id:pk>/excel/", views.excel, name="excel"),
]
