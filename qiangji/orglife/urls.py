from django.urls import path

from qiangji.orglife import views, views_compliance, views_homestudy, views_schedule

app_name = "orglife"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("export/", views.export, name="export"),
    path("new/", views.create, name="create"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/complete/", views.complete, name="complete"),
    path("<id:pk>/cancel/", views.cancel, name="cancel"),
    path("<id:pk>/attach/", views.attach, name="attach"),
    path("<id:pk>/files/<id:attachment_pk>/", views.attachment, name="attachment"),
    path("compliance/", views_compliance.overview, name="overview"),
    path("compliance/<id:org_pk>/", views_compliance.grid, name="grid"),
    path("requirements/", views_compliance.requirements, name="requirements"),
    path("requirements/<id:pk>/edit/", views_compliance.requirement_edit, name="requirement_edit"),
    path("schedule/", views_schedule.schedule, name="schedule"),
    path("schedule/<year:year>/edit/", views_schedule.schedule_edit, name="schedule_edit"),
    path("schedule/<year:year>/publish/", views_schedule.schedule_publish_view, name="schedule_publish"),
    path("home-study/", views_homestudy.summary, name="home_study"),
    path("home-study/<id:org_pk>/", views_homestudy.gaps, name="home_study_gaps"),
    path("home-study/visit/<id:member_pk>/", views_homestudy.record, name="home_study_record"),
    path("home-study/<id:org_pk>/plan/", views_homestudy.plan, name="home_study_plan"),
    path("home-study/plans/<id:pk>/complete/", views_homestudy.plan_complete, name="home_study_plan_complete"),
]
