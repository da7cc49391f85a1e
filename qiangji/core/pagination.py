"""Paging and sorting for every list page, so they all behave the same."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE_CHOICES = (20, 50, 100)


def paginate(request: HttpRequest, queryset: Any, *, per_page: int = 20) -> Page:
    try:
        size = int(request.GET.get("per_page", per_page))
    except ValueError:
        size = per_page
    if size not in PER_PAGE_CHOICES:
        size = per_page
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def querystring_without(request: HttpRequest, *keys: str) -> str:
    """The current query string minus `keys`, for links that change one parameter."""
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    encoded = params.urlencode()
    return encoded + "&" if encoded else ""
