from django.urls import path

from contacts.views import contacts, groups, imports, interactions, personas

app_name = "contacts"

urlpatterns = [
    path("", contacts.contact_list, name="list"),
    path("new/", contacts.contact_create, name="create"),
    path("export/", contacts.contact_export, name="export"),
    path("<int:pk>/", contacts.contact_detail, name="detail"),
    path("<int:pk>/edit/", contacts.contact_edit, name="edit"),
    path("<int:pk>/phone/", contacts.contact_phone_reveal, name="phone"),
    path("<int:pk>/erase/", contacts.contact_erase, name="erase"),
    path(
        "<int:pk>/interactions/",
        interactions.interaction_log_view,
        name="interaction-log",
    ),
    path(
        "interactions/<int:pk>/delete/",
        interactions.interaction_delete_view,
        name="interaction-delete",
    ),
    path(
        "interactions/<int:pk>/time/", interactions.interaction_time_view, name="interaction-time"
    ),
    path("alerts/<int:pk>/dismiss/", interactions.alert_dismiss_view, name="alert-dismiss"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/<int:pk>/", groups.group_detail, name="group-detail"),
    path("personas/", personas.persona_list, name="personas"),
    path("personas/new/", personas.persona_create, name="persona-create"),
    path("personas/<int:pk>/", personas.persona_edit, name="persona-edit"),
    path("import/", imports.import_create, name="import"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
]
