from django.contrib import admin

from qiangji.trainings.models import HoursRequirement


@admin.register(HoursRequirement)
class HoursRequirementAdmin(admin.ModelAdmin):
    list_display = ("category", "hours")
