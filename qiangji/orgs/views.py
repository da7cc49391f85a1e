from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qiangji.orgs.selectors import get_organization_for_user, liaison_groups_visible, organizations_visible


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/tree.html", {"organizations": organizations_visible(user=request.user)})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "orgs/detail.html", {"organization": get_organization_for_user(request.user, pk)})


@login_required
def liaison_groups(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/liaison_groups.html", {"groups": liaison_groups_visible(user=request.user)})
