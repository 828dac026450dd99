"""API shapes. Writes go through the services; these only check types and ownership."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from contacts import services
from contacts.forms import BulkAction
from contacts.models import (
    Contact,
    ContactGroup,
    ContactImport,
    DuplicatePolicy,
    GroupKind,
    Persona,
    Stage,
    Tag,
)


@contextmanager
def service_errors():
    """Turn a service's Django ``ValidationError`` into DRF's (a 400 with field messages)."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise serializers.ValidationError(exc.message_dict) from exc
        raise serializers.ValidationError({"non_field_errors": exc.messages}) from exc


class OwnedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id that must be one of the requesting user's own rows."""

    def get_queryset(self):
        user = self.context["request"].user
        return self.queryset.model.objects.visible_to(user).owned_by(user)


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    ok = serializers.BooleanField()
    label = serializers.CharField()
    suggestion = serializers.CharField()


class PersonaSerializer(serializers.ModelSerializer):
    avatar = serializers.ImageField(read_only=True)
    avatar_thumb = serializers.ImageField(read_only=True)
    avatar_upload = serializers.FileField(write_only=True, required=False)
    checklist = serializers.SerializerMethodField()
    checklist_score = serializers.SerializerMethodField()
    is_nurturing = serializers.SerializerMethodField()

    class Meta:
        model = Persona
        fields = [
            "id",
            "owner",
            "nickname",
            "avatar",
            "avatar_thumb",
            "avatar_upload",
            "signature",
            "licence_number",
            "account_started",
            "is_nurturing",
            "checklist_score",
            "checklist",
            "created",
            "updated",
        ]
        read_only_fields = ["owner", "created", "updated"]
        extra_kwargs = {"licence_number": {"validators": []}}  # the service validates

    def _today(self):
        return timezone.localdate()

    def get_checklist(self, persona: Persona) -> list[dict]:
        return ChecklistItemSerializer(persona.checklist(self._today()), many=True).data

    def get_checklist_score(self, persona: Persona) -> int:
        return persona.checklist_score(self._today())

    def get_is_nurturing(self, persona: Persona) -> bool:
        return persona.is_nurturing(self._today())

    def create(self, validated_data):
        avatar = validated_data.pop("avatar_upload", None)
        with service_errors():
            return services.persona_create(
                owner=self.context["request"].user, avatar=avatar, **validated_data
            )

    def update(self, instance, validated_data):
        avatar = validated_data.pop("avatar_upload", None)
        with service_errors():
            return services.persona_update(persona=instance, avatar=avatar, **validated_data)


class TagSerializer(serializers.ModelSerializer):
    contact_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Tag
        fields = ["id", "owner", "name", "contact_count", "created"]
        read_only_fields = ["owner", "created"]
        validators = []

    def create(self, validated_data):
        with service_errors():
            return services.tag_create(
                owner=self.context["request"].user, name=validated_data["name"]
            )

    def update(self, instance, validated_data):
        with service_errors():
            return services.tag_rename(tag=instance, name=validated_data.get("name", instance.name))


class GroupSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True, default=0)
    kind = serializers.ChoiceField(choices=GroupKind.choices, default=GroupKind.TAG_GROUP)

    class Meta:
        model = ContactGroup
        fields = ["id", "owner", "name", "kind", "description", "member_count", "created"]
        read_only_fields = ["owner", "created"]
        validators = []

    def create(self, validated_data):
        with service_errors():
            return services.group_create(owner=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        with service_errors():
            return services.group_update(group=instance, **validated_data)


class TagNamesField(serializers.ListField):
    """Tags by name: read from the (prefetched) relation, written as a list of names."""

    child = serializers.CharField(max_length=40)

    def to_representation(self, data):
        return [tag.name for tag in data.all()]


class ContactSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    phone_masked = serializers.CharField(source="masked_phone", read_only=True)
    persona = OwnedPrimaryKeyField(queryset=Persona.objects.all(), required=False, allow_null=True)
    groups = OwnedPrimaryKeyField(queryset=ContactGroup.objects.all(), many=True, required=False)
    tags = TagNamesField(required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.NEW_FRIEND)

    class Meta:
        model = Contact
        fields = [
            "id",
            "owner",
            "persona",
            "name",
            "remark",
            "wechat_id",
            "phone",
            "phone_masked",
            "source",
            "city",
            "stage",
            "tags",
            "groups",
            "notes",
            "next_follow_up",
            "marketing_consent",
            "last_interaction_at",
            "created",
            "updated",
        ]
        # No ``warmth_ref``: the score as of ``contacts.warmth.REFERENCE`` is storage, a number
        # like 6.8e16 that means nothing to a client (``?ordering=-warmth_ref`` still orders
        # by warmth now).
        read_only_fields = ["owner", "last_interaction_at", "created", "updated"]
        validators = []  # uniqueness is the service's, with clear field messages

    def create(self, validated_data):
        tag_names = validated_data.pop("tags", [])
        groups = validated_data.pop("groups", [])
        with service_errors():
            return services.contact_create(
                owner=self.context["request"].user,
                tag_names=tag_names,
                groups=groups,
                **validated_data,
            )

    def update(self, instance, validated_data):
        tag_names = validated_data.pop("tags", None)
        groups = validated_data.pop("groups", None)
        with service_errors():
            return services.contact_update(
                contact=instance, tag_names=tag_names, groups=groups, **validated_data
            )


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=gettext_lazy("The row as the spreadsheet numbers it."))
    column = serializers.CharField(help_text=gettext_lazy("The column's key, such as phone."))
    reason = serializers.CharField(help_text=gettext_lazy("Why, in the language of the request."))


class ImportColumnSerializer(serializers.Serializer):
    position = serializers.CharField(
        help_text=gettext_lazy("The spreadsheet's letter for the column.")
    )
    header = serializers.CharField(
        help_text=gettext_lazy("The column's name in the file's first row.")
    )
    column = serializers.CharField(
        help_text=gettext_lazy("The column's key; empty for an unknown one.")
    )
    reason = serializers.CharField(help_text=gettext_lazy("Why, in the language of the request."))


class ContactImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    # The report is stored as message ids; each reader gets it in their own language.
    errors = ImportErrorSerializer(source="error_rows", many=True, read_only=True)
    ignored_columns = ImportColumnSerializer(source="column_notes", many=True, read_only=True)
    failure = serializers.CharField(source="failure_text", read_only=True)

    class Meta:
        model = ContactImport
        fields = [
            "id",
            "owner",
            "original_name",
            "on_duplicate",
            "persona",
            "status",
            "total",
            "processed",
            "percent",
            "created_count",
            "updated_count",
            "skipped_count",
            "errors",
            "ignored_columns",
            "failure",
            "created",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    on_duplicate = serializers.ChoiceField(
        choices=DuplicatePolicy.choices, default=DuplicatePolicy.SKIP
    )
    persona = OwnedPrimaryKeyField(queryset=Persona.objects.all(), required=False, allow_null=True)


class BulkSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=BulkAction.CHOICES)
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=5000)
    tag_names = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    tags = OwnedPrimaryKeyField(queryset=Tag.objects.all(), many=True, required=False)
    group = OwnedPrimaryKeyField(queryset=ContactGroup.objects.all(), required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)

    def validate(self, data):
        needs = {
            BulkAction.TAG: "tag_names",
            BulkAction.UNTAG: "tags",
            BulkAction.MOVE: "group",
            BulkAction.STAGE: "stage",
        }
        field = needs[data["action"]]
        if not data.get(field):
            raise serializers.ValidationError({field: _("This action needs a value.")})
        return data
