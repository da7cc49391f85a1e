from django.urls import path

from qiangji.reserve.views import candidates, events

app_name = "reserve"
urlpatterns = [
    path("", candidates.pools, name="pools"),
    path("enter/", candidates.candidate_enter_view, name="enter"),
    path("enter/members/", candidates.member_options, name="member_options"),
    path("candidates/<id:pk>/", candidates.candidate_detail, name="candidate"),
    path("candidates/<id:pk>/move/", candidates.candidate_move_view, name="move"),
    path("candidates/<id:pk>/assessments/", candidates.assessment_add, name="assessment_add"),
    path("candidates/<id:pk>/mentorships/", candidates.mentorship_add, name="mentorship_add"),
    path("events/", events.event_list, name="events"),
    path("events/<id:pk>/", events.event_detail, name="event"),
]
