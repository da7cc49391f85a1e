from django.contrib import admin

from qiangji.liaison.models import LiaisonAttendance, MeetingNotice


@admin.register(LiaisonAttendance)
class LiaisonAttendanceAdmin(admin.ModelAdmin):
    list_display = ("meeting", "group", "attended", "recorded_by", "recorded_at")
    list_filter = ("attended", "group")
    raw_id_fields = ("meeting",)


@admin.register(MeetingNotice)
class MeetingNoticeAdmin(admin.ModelAdmin):
    list_display = ("meeting", "group", "stage", "meeting_date", "sent_on", "recipient_count")
    list_filter = ("stage", "group")
    raw_id_fields = ("meeting",)
