"""The real URLs plus a page and an endpoint that fail, for test_error_pages."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from ninja import NinjaAPI

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as real_urlpatterns
from qiangji.core.api import install_error_handlers

SECRET = "connection to 10.0.0.5 refused, password=hunter2"


def failing_page(request):
    raise RuntimeError(SECRET)


def forbidden_page(request):
    raise PermissionDenied("Internal rule 42 says no")


api = NinjaAPI(urls_namespace="errors_test_api")
install_error_handlers(api)


@api.get("/boom")
def failing_endpoint(request):
    raise RuntimeError(SECRET)


@api.get("/denied")
def denied_endpoint(request):
    raise PermissionDenied("Internal rule 42 says no")


urlpatterns = [
    path("test-errors/boom/", failing_page),
    path("test-errors/denied/", forbidden_page),
    path("api/test-errors/", api.urls),
    *real_urlpatterns,
]
