"""Admin for support staff: find a contact, see an import's report; erasure goes via the app."""

from django.contrib import admin

from contacts.models import Contact, ContactGroup, ContactImport, Persona, Tag


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ["nickname", "owner", "licence_number", "account_started", "updated"]
    list_select_related = ["owner"]
    search_fields = ["nickname", "owner__username", "licence_number"]
    raw_id_fields = ["owner"]
    readonly_fields = ["avatar_side", "created", "updated"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "owner",
        "persona",
        "stage",
        "source",
        "city",
        "created",
        "erased_at",
    ]
    list_filter = ["stage", "erased_at", "marketing_consent"]
    list_select_related = ["owner", "persona"]
    search_fields = ["name", "remark", "wechat_id", "owner__username"]
    raw_id_fields = ["owner", "persona"]
    filter_horizontal = ["tags", "groups"]
    # Support staff see the phone masked; full numbers are revealed (and logged) in the app.
    exclude = ["phone"]
    readonly_fields = ["masked_phone", "warmth_ref", "last_interaction_at", "erased_at", "created"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner", "persona")


@admin.register(ContactGroup)
class ContactGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "owner", "created"]
    list_filter = ["kind"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__username"]
    raw_id_fields = ["owner"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__username"]
    raw_id_fields = ["owner"]


@admin.register(ContactImport)
class ContactImportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "owner",
        "original_name",
        "status",
        "total",
        "created_count",
        "updated_count",
        "skipped_count",
        "created",
    ]
    list_filter = ["status"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "persona"]
    readonly_fields = [
        "errors",
        "ignored_columns",
        "failure",
        "failure_params",
        "started_at",
        "finished_at",
        "created",
    ]


from contacts.warmth import admin as warmth_admin  # noqa: E402, F401  (registers the warmth models)
