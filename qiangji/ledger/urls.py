# Shared by several modules: add lines, never rewrite the file.
from django.urls import path

from qiangji.ledger.views import problems

app_name = "ledger"
urlpatterns = [
    path("problems/<int:pk>/", problems.problem_detail, name="problem_detail"),
]
