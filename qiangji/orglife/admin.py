from django.contrib import admin

from qiangji.orglife.models import Meeting, Requirement


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("kind", "applies_to", "period", "minimum_count", "active")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "topic", "organization", "status")
    list_filter = ("kind", "status")
    raw_id_fields = ("organization", "presenter", "created_by")
