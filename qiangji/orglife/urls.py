from django.urls import path

from qiangji.orglife import views, views_compliance, views_homestudy, views_schedule

app_name = "orglife"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("export/", views.export, name="export"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("compliance/", views_compliance.overview, name="overview"),
    path("compliance/<int:org_pk>/", views_compliance.grid, name="grid"),
    path("requirements/", views_compliance.requirements, name="requirements"),
    path("requirements/<int:pk>/edit/", views_compliance.requirement_edit, name="requirement_edit"),
    path("schedule/", views_schedule.schedule, name="schedule"),
    path("schedule/<int:year>/edit/", views_schedule.schedule_edit, name="schedule_edit"),
    path("schedule/<int:year>/publish/", views_schedule.schedule_publish_view, name="schedule_publish"),
    path("home-study/", views_homestudy.summary, name="home_study"),
    path("home-study/<int:org_pk>/", views_homestudy.gaps, name="home_study_gaps"),
    path("home-study/visit/<int:member_pk>/", views_homestudy.record, name="home_study_record"),
]
