"""API viewsets. Reads start from ``visible_to``; writes are limited to the caller's own rows."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from contacts import selectors, services
from contacts.api.serializers import (
    BulkSerializer,
    ContactImportSerializer,
    ContactSerializer,
    GroupSerializer,
    ImportUploadSerializer,
    PersonaSerializer,
    TagSerializer,
    service_errors,
)
from contacts.filters import ContactFilter
from contacts.forms import BulkAction
from contacts.models import Contact, ContactGroup, Persona, Tag
from contacts.selectors import with_last_touch
from contacts.selectors_list import ANCHORED as PERSONAL_DATA_COLUMNS

WRITE_ACTIONS = {"update", "partial_update", "destroy", "erase", "reveal_phone"}


class UsedFiltersBackend(DjangoFilterBackend):
    """Builds the filter set only when the query string names one of its filters.

    Without one, every filter is empty and the filter set returns the queryset as it is, but
    building it (a form, its fields, each choice field's scoped queryset) was a tenth of an
    unfiltered list's time. With one, the filter set runs as always, errors (a 400) included.
    """

    def filter_queryset(self, request, queryset, view):
        if not self.names_a_filter(request, queryset, view):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def names_a_filter(self, request, queryset, view) -> bool:
        """Whether the filter set runs: the query string names one of its filters."""
        filterset_class = self.get_filterset_class(view, queryset)
        return filterset_class is None or any(
            name in request.query_params for name in filterset_class.base_filters
        )


# The pager ends every ordering in the id (``crm.api.pagination.with_unique_end``).
FILTERS = [UsedFiltersBackend, OrderingFilter]


class OwnedWritesMixin:
    """List and read what the caller may see; change only the caller's own rows (else 404)."""

    def scope(self, queryset):
        if self.action in WRITE_ACTIONS:
            return queryset.owned_by(self.request.user)
        return queryset


class PersonaViewSet(OwnedWritesMixin, viewsets.ModelViewSet):
    # The schema reads the model from here; rows always come from get_queryset().
    queryset = Persona.objects.none()
    serializer_class = PersonaSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends = FILTERS
    filterset_fields = ["owner"]
    ordering_fields = ["id", "nickname", "created"]
    ordering = ["id"]

    def get_queryset(self):
        return self.scope(selectors.persona_list(user=self.request.user))


class TagViewSet(OwnedWritesMixin, viewsets.ModelViewSet):
    # The schema reads the model from here; rows always come from get_queryset().
    queryset = Tag.objects.none()
    serializer_class = TagSerializer
    filter_backends = FILTERS
    filterset_fields = ["owner", "name"]
    ordering_fields = ["id", "name", "contact_count"]
    ordering = ["id"]

    def get_queryset(self):
        return self.scope(selectors.tag_list(user=self.request.user))


class GroupViewSet(OwnedWritesMixin, viewsets.ModelViewSet):
    # The schema reads the model from here; rows always come from get_queryset().
    queryset = ContactGroup.objects.none()
    serializer_class = GroupSerializer
    filter_backends = FILTERS
    filterset_fields = ["owner", "kind"]
    ordering_fields = ["id", "name", "member_count"]
    ordering = ["id"]

    def get_queryset(self):
        return self.scope(selectors.group_list(user=self.request.user))

    def perform_destroy(self, instance):
        services.group_delete(group=instance)


class ImportViewSet(viewsets.ReadOnlyModelViewSet):
    """An import's status, progress and row errors."""

    serializer_class = ContactImportSerializer
    filter_backends = FILTERS
    filterset_fields = ["status"]
    ordering_fields = ["id", "created"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.import_list(user=self.request.user)


class ContactViewSet(
    OwnedWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Contacts. Erasure is ``POST {id}/erase/``; there is no DELETE (counts must stay)."""

    # The schema reads the model from here; rows always come from get_queryset().
    queryset = Contact.objects.none()
    serializer_class = ContactSerializer
    filter_backends = FILTERS
    filterset_class = ContactFilter
    ordering_fields = ["warmth_ref", "last_touch", "name", "created", "id"]
    ordering = ["-created", "-id"]
    cursor_anchored = PERSONAL_DATA_COLUMNS  # out of the cursors, as in the contact list

    def get_queryset(self):
        return self.scope(with_last_touch(selectors.contact_list(user=self.request.user)))

    def list(self, request: Request, *args, **kwargs) -> Response:
        """Your contacts (a lead: the team's), 50 to a cursor page; filters and ordering."""
        return super().list(request, *args, **kwargs)

    @action(detail=True, methods=["post"], url_path="reveal-phone")
    def reveal_phone(self, request: Request, pk=None) -> Response:
        """The full mobile number of one of your contacts; audit-logged."""
        contact = self.get_object()
        return Response(
            {"phone": services.contact_phone_reveal(contact=contact, actor=request.user)}
        )

    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk=None) -> Response:
        """Erase the contact's personal data (PIPL); audit-logged; only counts remain."""
        contact = self.get_object()
        reason = str(request.data.get("reason", ""))[:200]
        contact = services.contact_erase(contact=contact, actor=request.user, reason=reason)
        return Response({"id": contact.pk, "erased_at": contact.erased_at})

    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=ImportUploadSerializer,
    )
    def import_file(self, request: Request) -> Response:
        """Upload a .csv or .xlsx file; returns the import (202) to poll at ``/imports/{id}/``."""
        upload = ImportUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        with service_errors():
            contact_import = services.contact_import_start(
                owner=request.user,
                file=data["file"],
                filename=data["file"].name,
                on_duplicate=data["on_duplicate"],
                persona=data.get("persona"),
            )
        location = reverse("api:contactimport-detail", args=[contact_import.pk])
        body = ContactImportSerializer(contact_import).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        """Your contacts matching the filters as a file; audit-logged.

        ``?file_format=csv`` or ``xlsx`` (``format`` is DRF's own content negotiation).
        """
        fmt = request.query_params.get("file_format", "csv")
        if fmt not in {"csv", "xlsx"}:
            return Response({"file_format": [_("Choose csv or xlsx.")]}, status=400)
        queryset = self.filter_queryset(selectors.contact_list(user=request.user))
        export = services.contacts_export(actor=request.user, contacts=queryset, fmt=fmt)
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response

    @action(detail=False, methods=["post"], serializer_class=BulkSerializer)
    def bulk(self, request: Request) -> Response:
        """Tag, untag, move to a group or set the stage of many of your contacts at once."""
        bulk = BulkSerializer(data=request.data, context={"request": request})
        bulk.is_valid(raise_exception=True)
        data = bulk.validated_data
        user = request.user
        chosen = Contact.objects.visible_to(user).filter(pk__in=data["ids"])
        with service_errors():
            if data["action"] == BulkAction.TAG:
                count = services.contacts_tag(
                    owner=user, contacts=chosen, tag_names=data["tag_names"]
                )
            elif data["action"] == BulkAction.UNTAG:
                count = services.contacts_untag(owner=user, contacts=chosen, tags=data["tags"])
            elif data["action"] == BulkAction.MOVE:
                count = services.contacts_move_to_group(
                    owner=user, contacts=chosen, group=data["group"]
                )
            else:
                count = services.contacts_set_stage(
                    owner=user, contacts=chosen, stage=data["stage"]
                )
        return Response({"updated": count})
