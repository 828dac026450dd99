"""API: ``/api/v1/interactions/`` (log, list, filter, delete, correct the time) and
``/api/v1/alerts/`` (list, dismiss).

Reads start from ``visible_to`` (an agent's own, a lead's team's). Logging, deleting,
correcting and dismissing act only on the caller's own rows: another agent's contact is a 400
on the ``contact`` field, and another agent's interaction or alert a 404.
"""

from __future__ import annotations

import django_filters
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from contacts.api.serializers import OwnedPrimaryKeyField, service_errors
from contacts.models import Alert, AlertKind, Contact, Interaction, InteractionKind
from contacts.services.interactions import interaction_delete, interaction_log, interaction_move
from contacts.warmth import alerts as warmth_alerts
from contacts.warmth import selectors as selectors_warmth
from contacts.warmth.alerts import alert_dismiss
from crm.api.filters import AwareIsoDateTimeFilter


class InteractionSerializer(serializers.ModelSerializer):
    contact = OwnedPrimaryKeyField(queryset=Contact.objects.all())
    kind = serializers.SlugRelatedField(slug_field="code", queryset=InteractionKind.objects.all())
    kind_label = serializers.CharField(source="kind.label", read_only=True)
    # String reference: contacts never imports scheduler.
    post = OwnedPrimaryKeyField(
        queryset=apps.get_model("scheduler", "MomentPost").objects.all(),
        required=False,
        allow_null=True,
    )
    at = serializers.DateTimeField(required=False)
    logged_by = serializers.PrimaryKeyRelatedField(read_only=True)
    warmth = serializers.SerializerMethodField(
        help_text=_("The lead's warmth right after (logging or a time correction).")
    )
    tier = serializers.SerializerMethodField()
    suggested_stage = serializers.SerializerMethodField()
    stage_set = serializers.SerializerMethodField()

    class Meta:
        model = Interaction
        fields = [
            "id",
            "contact",
            "kind",
            "kind_label",
            "at",
            "post",
            "note",
            "weight",
            "logged_by",
            "created",
            "warmth",
            "tier",
            "suggested_stage",
            "stage_set",
        ]
        read_only_fields = ["weight", "created"]

    # The four fields below are filled on create and on a time correction only (the service's
    # answer); a correction suggests and sets no stage.
    def _logged(self, obj):
        return getattr(obj, "_logged", None)

    def get_warmth(self, obj) -> float | None:
        logged = self._logged(obj)
        return round(logged.warmth, 4) if logged else None

    def get_tier(self, obj) -> str | None:
        logged = self._logged(obj)
        return str(logged.tier) if logged else None

    def get_suggested_stage(self, obj) -> str | None:
        return getattr(self._logged(obj), "suggested_stage", None)

    def get_stage_set(self, obj) -> str | None:
        return getattr(self._logged(obj), "stage_set", None)

    def create(self, validated_data):
        with service_errors():
            logged = interaction_log(
                contact=validated_data["contact"],
                kind=validated_data["kind"],
                at=validated_data.get("at"),
                note=validated_data.get("note", ""),
                post=validated_data.get("post"),
                by=self.context["request"].user,
            )
        instance = logged.interaction
        instance._logged = logged
        return instance


class InteractionTimeSerializer(serializers.Serializer):
    """A time correction: when the interaction really happened (not in the future). Nothing
    else of an interaction changes; to change what happened, delete it and log it again."""

    at = serializers.DateTimeField()

    def to_internal_value(self, data):
        others = sorted(set(data) - {"at"}) if hasattr(data, "keys") else []
        if others:
            raise serializers.ValidationError(
                {name: [_("Only the time of an interaction can be changed.")] for name in others}
            )
        return super().to_internal_value(data)


class InteractionFilter(django_filters.FilterSet):
    contact = django_filters.NumberFilter(field_name="contact_id")
    kind = django_filters.CharFilter(field_name="kind__code")
    at_after = AwareIsoDateTimeFilter(field_name="at", lookup_expr="gte")
    at_before = AwareIsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = Interaction
        fields = ["contact", "kind", "at_after", "at_before"]


class InteractionViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Interactions of the contacts the caller may see, newest first; POST logs one, PATCH
    corrects its time (``at`` only), DELETE removes it; warmth follows either way."""

    queryset = Interaction.objects.none()  # for the schema; requests use get_queryset
    serializer_class = InteractionSerializer
    filterset_class = InteractionFilter
    ordering = ["-at", "-id"]
    ordering_fields: list[str] = []  # the cursor needs this one unique-ending order
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        queryset = selectors_warmth.interaction_list(user=self.request.user)
        if self.action in {"partial_update", "destroy"}:
            # The contact's owner only: a lead reads the team's, and changes only their own.
            return queryset.owned_by(self.request.user)
        return queryset

    @extend_schema(request=InteractionTimeSerializer, responses=InteractionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Correct when the interaction happened; answers with the lead's warmth after."""
        interaction = self.get_object()
        correction = InteractionTimeSerializer(data=request.data)
        correction.is_valid(raise_exception=True)
        with service_errors():
            changed = interaction_move(interaction=interaction, at=correction.validated_data["at"])
        instance = changed.interaction
        instance._logged = changed
        return Response(self.get_serializer(instance).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Delete the interaction; the lead's warmth is worked out again without it."""
        interaction = self.get_object()
        with service_errors():
            interaction_delete(interaction=interaction)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AlertSerializer(serializers.ModelSerializer):
    contact_name = serializers.CharField(source="contact.display_name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "owner",
            "contact",
            "contact_name",
            "kind",
            "kind_label",
            "for_date",
            "warmth",
            "created",
            "dismissed_at",
        ]
        read_only_fields = fields


class AlertFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices)
    open = django_filters.BooleanFilter(
        field_name="dismissed_at", lookup_expr="isnull", label=_("Not dismissed")
    )
    for_date = django_filters.DateFilter()

    class Meta:
        model = Alert
        fields = ["kind", "open", "for_date", "owner"]


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Alerts the caller may see (a lead: the team's); an agent dismisses their own."""

    queryset = Alert.objects.none()
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering = ["-for_date", "-id"]
    ordering_fields: list[str] = []

    def get_queryset(self):
        queryset = warmth_alerts.alert_list(user=self.request.user)
        if self.action == "dismiss":
            return queryset.owned_by(self.request.user)
        return queryset

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        alert = alert_dismiss(alert=self.get_object(), by=request.user)
        return Response(self.get_serializer(alert).data, status=status.HTTP_200_OK)
