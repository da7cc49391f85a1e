from django.urls import path
from django.views.generic import RedirectView

from qiangji.redculture.views import checkins, routes, sites

app_name = "redculture"
urlpatterns = [
    # The module's address as typed leads to its main list.
    path("", RedirectView.as_view(pattern_name="redculture:site_list"), name="index"),
    path("sites/", sites.site_list, name="site_list"),
    path("sites/new/", sites.site_edit, name="site_create"),
    path("sites/<id:pk>/", sites.site_detail, name="site_detail"),
    path("sites/<id:pk>/edit/", sites.site_edit, name="site_edit"),
    path("sites/<id:pk>/photos/", sites.photo_add, name="photo_add"),
    path("sites/<id:pk>/photos/<id:photo_pk>/remove/", sites.photo_remove, name="photo_remove"),
    path("sites/<id:pk>/activities/", sites.activity_add, name="activity_add"),
    path("sites/<id:pk>/qr.svg", sites.site_qr, name="site_qr"),
    path("sites/<id:pk>/qr/", sites.site_qr_print, name="site_qr_print"),
    path("sites/<id:pk>/qr/reissue/", sites.site_reissue, name="site_reissue"),
    path("photos/<id:photo_pk>/", sites.photo, name="photo"),
    path("routes/", routes.route_list, name="route_list"),
    path("routes/new/", routes.route_edit, name="route_create"),
    path("routes/<id:pk>/edit/", routes.route_edit, name="route_edit"),
    path("checkin/<str:token>/", checkins.checkin, name="checkin"),
    path("mine/", checkins.mine, name="mine"),
]
