from django.contrib import admin

from qiangji.plans.models import TermReminder, WorkPlan


@admin.register(WorkPlan)
class WorkPlanAdmin(admin.ModelAdmin):
    list_display = ("organization", "year", "title", "status", "filed_at")
    list_filter = ("year", "status")
    raw_id_fields = ("organization", "filed_by", "returned_by")


@admin.register(TermReminder)
class TermReminderAdmin(admin.ModelAdmin):
    list_display = ("organization", "term_end", "stage", "sent_on", "recipient_count")
    list_filter = ("stage",)
    raw_id_fields = ("organization",)
