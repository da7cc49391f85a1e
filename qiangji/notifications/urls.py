from django.urls import path

from qiangji.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<id:pk>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("channels/", views.channels, name="channels"),
    path("channels/new/", views.channel_edit, name="channel_new"),
    path("channels/<id:pk>/", views.channel_detail, name="channel_detail"),
    path("channels/<id:pk>/edit/", views.channel_edit, name="channel_edit"),
    path("channels/<id:pk>/test/", views.channel_test_send, name="channel_test"),
    path("channels/<id:pk>/delete/", views.channel_remove, name="channel_delete"),
    path("channels/<id:pk>/deliveries/<id:delivery>/resend/", views.delivery_resend, name="delivery_resend"),
]
