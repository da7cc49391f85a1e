from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qiangji.members.selectors import members_list


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    return render(request, "members/list.html", {"members": members_list(user=request.user)[:20]})
