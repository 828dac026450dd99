from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from crm.models import AuditEvent, Team, User, WorkerHeartbeat
from crm.services import user_set_role

admin.site.site_header = _("Siyu administration")
admin.site.site_title = _("Siyu")
admin.site.index_title = _("Content, rules and people")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "team", "is_active", "last_login"]
    list_filter = ["role", "team", "is_active"]
    list_select_related = ["team"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Siyu"), {"fields": ["role", "team", "display_name", "time_zone", "language"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Siyu"), {"fields": ["role", "team", "display_name"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Role changes go through the one function that keeps groups and staff access in step.
        user_set_role(user=obj, role=obj.role, actor=request.user)


class MemberInline(admin.TabularInline):
    model = User
    fields = ["username", "display_name", "role"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead", "posts_need_approval", "warmth_half_life_days"]
    list_select_related = ["lead"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]
    inlines = [MemberInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["target_id", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker", "seen"]
