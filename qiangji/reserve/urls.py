from django.urls import path

from qiangji.reserve.views import candidates, events

app_name = "reserve"
urlpatterns = [
    path("", candidates.pools, name="pools"),
    path("enter/", candidates.candidate_enter_view, name="enter"),
    path("enter/members/", candidates.member_options, name="member_options"),
    path("candidates/<int:pk>/", candidates.candidate_detail, name="candidate"),
    path("candidates/<int:pk>/move/", candidates.candidate_move_view, name="move"),
    path("candidates/<int:pk>/assessments/", candidates.assessment_add, name="assessment_add"),
    path("candidates/<int:pk>/mentorships/", candidates.mentorship_add, name="mentorship_add"),
    path("events/", events.event_list, name="events"),
    path("events/<int:pk>/", events.event_detail, name="event"),
]
