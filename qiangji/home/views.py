from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qiangji.home.selectors import home_for


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Each role's home page: what that role must do next."""
    return render(request, "home/index.html", home_for(user=request.user, today=timezone.localdate()))
