from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from qiangji.accounts.models import ApiToken, LoginAttempt, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("强基", {"fields": ("display_name", "password_changed_at", "must_change_password")}))
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    inlines = [RoleGrantInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ("username", "ip", "succeeded", "at")
    list_filter = ("succeeded",)
