from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from content.models import MAX_IMAGES, Category, ContentImage, ContentItem, ProductLine, Status
from content.services import content_create, content_update


def drf_validation_error(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "message_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})


class TagNamesField(serializers.ListField):
    """Tags as a list of names; reads the prefetched tags, writes names (created when new)."""

    child = serializers.CharField(max_length=40)

    def to_representation(self, manager) -> list[str]:
        return [tag.name for tag in manager.all()]


class ContentImageSerializer(serializers.ModelSerializer):
    url = serializers.FileField(source="image", read_only=True)
    thumbnail_url = serializers.FileField(source="thumbnail", read_only=True)

    class Meta:
        model = ContentImage
        fields = ["id", "position", "url", "thumbnail_url", "width", "height"]
        read_only_fields = fields


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    suggestion = serializers.CharField()
    start = serializers.IntegerField(help_text="Offset of the first character in the text sent.")
    end = serializers.IntegerField(help_text="Offset just past the last character.")
    matched = serializers.CharField()


class StoredFindingSerializer(FindingSerializer):
    field = serializers.CharField(
        help_text="title or body (span within it), or item (something missing, empty span)"
    )


class ContentItemSerializer(serializers.ModelSerializer):
    topic_tags = TagNamesField(required=False)
    audience_tags = TagNamesField(required=False)
    images = ContentImageSerializer(many=True, read_only=True)
    findings = StoredFindingSerializer(many=True, read_only=True)
    # Plain text in the schema: the status values are documented once, on the transition body,
    # so the schema has one enum for them instead of colliding "status" enums across apps.
    status = serializers.CharField(
        read_only=True, help_text="draft, in_review, approved or retired"
    )

    class Meta:
        model = ContentItem
        fields = [
            "id",
            "title",
            "body",
            "category",
            "product_line",
            "topic_tags",
            "audience_tags",
            "valid_from",
            "valid_until",
            "status",
            "has_block",
            "warning_count",
            "findings",
            "images",
            "times_scheduled",
            "times_posted",
            "interactions_earned",
            "created",
            "updated",
        ]
        read_only_fields = [
            "status",
            "has_block",
            "warning_count",
            "times_scheduled",
            "times_posted",
            "interactions_earned",
            "created",
            "updated",
        ]

    # Validity order and the other row rules are checked once, in content.services (translated
    # messages); a refusal there becomes a 400 with the same field names here.
    def create(self, validated_data: dict[str, Any]) -> ContentItem:
        try:
            return content_create(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc

    def update(self, instance: ContentItem, validated_data: dict[str, Any]) -> ContentItem:
        try:
            return content_update(
                item=instance, actor=self.context["request"].user, **validated_data
            )
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc


class ImageUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    position = serializers.IntegerField(min_value=0, max_value=MAX_IMAGES - 1, required=False)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices)


class ComplianceCheckSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, trim_whitespace=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    product_line = serializers.ChoiceField(
        choices=ProductLine.choices, required=False, allow_blank=True
    )
    persona_licence = serializers.CharField(max_length=64, required=False, allow_blank=True)
    persona_name = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ComplianceResultSerializer(serializers.Serializer):
    has_block = serializers.BooleanField()
    findings = FindingSerializer(many=True)
