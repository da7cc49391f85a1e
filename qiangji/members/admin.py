from django.contrib import admin

from qiangji.members.models import Member, Transfer


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    # The back office never shows personal data in clear: no id_number/phone/address columns.
    list_display = ("name", "gender", "organization", "status", "joined_on")
    list_filter = ("status", "gender")
    search_fields = ("name", "name_initials")
    exclude = ("id_number", "phone", "address")


admin.site.register(Transfer)
