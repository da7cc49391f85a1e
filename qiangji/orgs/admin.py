from django.contrib import admin

from qiangji.orgs.models import Chain, Grid, LiaisonGroup, Organization, Position, Street, Unit, Village


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "unit", "village", "term_end", "dissolved_on")
    list_filter = ("kind",)
    search_fields = ("name",)
    readonly_fields = ("path", "depth")


@admin.register(LiaisonGroup)
class LiaisonGroupAdmin(admin.ModelAdmin):
    filter_horizontal = ("members", "organizations")


admin.site.register([Grid, Village, Chain, Street, Unit, Position])
