"""Admin: posting-window defaults (admins), posts with their history and attempts (read-only
status: it moves only through the state machine)."""

from django.contrib import admin

from scheduler.models import DispatchAttempt, MomentPost, PostingWindow, PostTransition, Reminder


@admin.register(PostingWindow)
class PostingWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end", "weekdays", "team", "owner", "active"]
    list_filter = ["active", "team"]
    search_fields = ["name", "owner__username", "team__name"]
    list_select_related = ["team", "owner"]
    raw_id_fields = ["owner"]


class TransitionInline(admin.TabularInline):
    model = PostTransition
    extra = 0
    can_delete = False
    readonly_fields = ["at", "by", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class AttemptInline(admin.TabularInline):
    model = DispatchAttempt
    extra = 0
    can_delete = False
    readonly_fields = [
        "publisher",
        "worker",
        "outcome",
        "error",
        "receipt",
        "started_at",
        "finished_at",
    ]
    exclude = ["claim_token"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MomentPost)
class MomentPostAdmin(admin.ModelAdmin):
    list_display = [
        "persona",
        "scheduled_at",
        "window_name",
        "category",
        "status",
        "has_block",
        "attempts",
    ]
    list_filter = ["status", "category", "has_block"]
    search_fields = ["persona__nickname", "persona__owner__username", "text"]
    date_hierarchy = "scheduled_at"
    list_select_related = ["persona"]
    raw_id_fields = ["persona", "content", "window"]
    inlines = [TransitionInline, AttemptInline]
    # Status and dispatch fields move only through scheduler.services / scheduler.dispatch.
    readonly_fields = [
        "status",
        "idempotency_key",
        "claim_token",
        "claimed_at",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "posted_at",
        "findings",
        "has_block",
        "checked_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
    ]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["owner", "kind", "created", "emailed_at", "dismissed_at"]
    list_filter = ["kind"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "post"]
