"""Red site pages: the list and a site's page (description, address, photos, activities) for every
signed-in user; editing, photos and the printable QR code for the town."""

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qiangji.core.access import get_scope
from qiangji.core.errors import DomainError
from qiangji.redculture import services as s
from qiangji.redculture.forms import ActivityForm, PhotoForm, SiteForm
from qiangji.redculture.models import RedSite, SitePhoto
from qiangji.redculture.selectors import get_site, sites_for_list

NAV_SECTION = "red"


def refused(form: Any, error: Exception) -> None:
    if isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    else:
        form.add_error(None, str(error) or "您无权进行此项操作")


def require_town(request: HttpRequest) -> None:
    """Pages only the town uses answer 404 to everyone else, like a missing page."""
    if not s.runs_red_culture(request.user):
        raise Http404


def may_record_activity(user: Any) -> bool:
    scope = get_scope(user)
    return scope.superuser or bool(scope.manage_paths)


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    context = {"sites": list(sites_for_list()), "runs": s.runs_red_culture(request.user), "nav_section": NAV_SECTION}
    return render(request, "redculture/site_list.html", context)


def _site_page(request: HttpRequest, site: RedSite, *, forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    forms = forms or {}
    runs = s.runs_red_culture(request.user)
    records = may_record_activity(request.user)
    context = {
        "site": site,
        "runs": runs,
        "photos": list(site.photos.all()),
        "activities": list(site.activities.select_related("organization")),
        "routes": list({stop.route for stop in site.stops.select_related("route")}),
        "photo_form": forms.get("photo") or (PhotoForm() if runs else None),
        "activity_form": forms.get("activity") or (ActivityForm(user=request.user) if records else None),
        "is_member": bool(get_scope(request.user).member_id),
        "nav_section": NAV_SECTION,
    }
    return render(request, "redculture/site_detail.html", context, status=status)


@login_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _site_page(request, get_site(pk))


@login_required
def site_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_town(request)
    site = get_site(pk) if pk is not None else None
    initial = {k: getattr(site, k) for k in s.SITE_FIELDS} if site else None
    form = SiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = s.site_save(by=request.user, data=form.cleaned_data, site=site)
        except (DomainError, PermissionDenied) as error:
            refused(form, error)
        else:
            messages.success(request, "已保存红色点位。")
            return redirect("redculture:site_detail", saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "redculture/site_form.html", {"form": form, "site": site, "nav_section": NAV_SECTION}, status=status)


@login_required
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_town(request)
    site = get_site(pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            s.photo_add(site=site, by=request.user, file=form.cleaned_data["image"], caption=form.cleaned_data["caption"])
        except (DomainError, PermissionDenied) as error:
            refused(form, error)
        else:
            messages.success(request, "已上传照片。")
            return redirect("redculture:site_detail", site.pk)
    return _site_page(request, site, forms={"photo": form}, status=400)


@login_required
@require_POST
def photo_remove(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    require_town(request)
    photo = get_object_or_404(SitePhoto, pk=photo_pk, site_id=pk)
    s.photo_remove(photo=photo, by=request.user)
    messages.success(request, "已删除照片。")
    return redirect("redculture:site_detail", pk)


def photo(request: HttpRequest, photo_pk: int) -> FileResponse:
    """A site photo: public information, served without login, and only ever as an image."""
    item = get_object_or_404(SitePhoto, pk=photo_pk)
    content_type = s.photo_content_type(item.image.name)
    if content_type is None:
        raise Http404
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
@require_POST
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_site(pk)
    if not may_record_activity(request.user):
        raise Http404
    form = ActivityForm(request.POST, user=request.user)
    status = 400
    if form.is_valid():
        try:
            s.activity_record(site=site, by=request.user, data=form.cleaned_data)
        except (DomainError, PermissionDenied) as error:
            refused(form, error)
            status = 403 if isinstance(error, PermissionDenied) else 400
        else:
            messages.success(request, "已记录活动。")
            return redirect(reverse("redculture:site_detail", args=[site.pk]) + "#activities")
    return _site_page(request, site, forms={"activity": form}, status=status)


def checkin_url(request: HttpRequest, site: RedSite) -> str:
    return request.build_absolute_uri(reverse("redculture:checkin", args=[site.token]))


@login_required
def site_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's QR code (SVG) pointing to its check-in page; served as an image, no script."""
    require_town(request)
    site = get_site(pk)
    out = io.BytesIO()
    segno.make(checkin_url(request, site), error="m", micro=False).save(
        out, kind="svg", scale=8, border=4, xmldecl=True, dark="#000", light="#fff"
    )
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
def site_qr_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A page to print and post at the site: its name, the code and the address it opens."""
    require_town(request)
    site = get_site(pk)
    context = {"site": site, "url": checkin_url(request, site), "nav_section": NAV_SECTION}
    return render(request, "redculture/site_qr.html", context)


@login_required
@require_POST
def site_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    require_town(request)
    site = get_site(pk)
    s.site_reissue_token(site=site, by=request.user)
    messages.success(request, "已重新生成二维码，旧二维码不再有效，请重新打印张贴。")
    return redirect("redculture:site_qr_print", site.pk)
