"""The check-in phone page behind a site's QR code, and "我的打卡": a member's own record only —
no ranking, no counts of others, no score (RULES.md 减负)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qiangji.core.access import get_scope
from qiangji.core.errors import DomainError
from qiangji.core.pagination import paginate
from qiangji.redculture.forms import CheckInForm
from qiangji.redculture.selectors import get_site_by_token, my_checkins
from qiangji.redculture.services import checkin_record
from qiangji.redculture.views.sites import NAV_SECTION

NOT_A_MEMBER = "打卡记录属于党员本人。您的账号没有关联党员信息，不能打卡；如您是党员，请联系所在支部关联账号。"


@login_required
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """Opened from the QR code (login keeps `next`): the site and a 打卡 button with an optional note."""
    site = get_site_by_token(token)
    is_member = bool(get_scope(request.user).member_id)
    form = CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item, created = checkin_record(user=request.user, site=site, note=form.cleaned_data["note"])
            except PermissionDenied:
                form.add_error(None, NOT_A_MEMBER)
                status = 403
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                if created:
                    messages.success(request, f"已在{site.name}打卡。")
                else:
                    messages.info(request, f"您今天已在{site.name}打过卡（{timezone.localtime(item.at):%H:%M}）。")
                return redirect("redculture:mine")
    context = {"site": site, "form": form, "is_member": is_member, "not_a_member": NOT_A_MEMBER, "nav_section": NAV_SECTION}
    return render(request, "redculture/checkin.html", context, status=status)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    is_member = bool(get_scope(request.user).member_id)
    page = paginate(request, my_checkins(request.user))
    context = {"page": page, "is_member": is_member, "not_a_member": NOT_A_MEMBER, "nav_section": NAV_SECTION}
    return render(request, "redculture/mine.html", context)
