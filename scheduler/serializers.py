"""API shapes for windows, posts, plans and the calendar."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contacts.api.serializers import OwnedPrimaryKeyField
from contacts.models import Persona
from content.models import Category, ContentItem, ProductLine
from scheduler.models import EVERY_DAY, MomentPost, PostingWindow


class PostingWindowSerializer(serializers.ModelSerializer):
    # Declared, so DRF adds no unique validator from the (per layer) partial constraints.
    name = serializers.CharField(max_length=40)
    scope = serializers.SerializerMethodField()
    label = serializers.CharField(read_only=True)
    for_team = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text=_("Lead only: a team window.")
    )

    class Meta:
        model = PostingWindow
        fields = [
            "id",
            "name",
            "label",
            "start",
            "end",
            "weekdays",
            "active",
            "scope",
            "team",
            "owner",
            "for_team",
        ]
        read_only_fields = ["team", "owner"]
        extra_kwargs = {"weekdays": {"default": EVERY_DAY}}
        # The partial unique constraints are enforced by the service with a field message.
        validators = []

    def get_scope(self, window: PostingWindow) -> str:
        return ("global", "team", "agent")[window.level]

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start is not None and end is not None and start >= end:
            raise serializers.ValidationError(
                {"end": [_("A window ends after it starts, on the same day.")]}
            )
        weekdays = attrs.get("weekdays")
        if weekdays is not None and not 1 <= weekdays <= EVERY_DAY:
            raise serializers.ValidationError({"weekdays": [_("Choose at least one day.")]})
        return attrs


class MomentPostSerializer(serializers.ModelSerializer):
    persona_nickname = serializers.CharField(source="persona.nickname", read_only=True)
    agent = serializers.IntegerField(source="persona.owner_id", read_only=True)
    local_time = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = MomentPost
        fields = [
            "id",
            "persona",
            "persona_nickname",
            "agent",
            "content",
            "title",
            "text",
            "image_paths",
            "category",
            "product_line",
            "window",
            "window_name",
            "scheduled_at",
            "local_time",
            "window_ends_at",
            "status",
            "status_label",
            "review_comment",
            "reviewed_by",
            "reviewed_at",
            "findings",
            "has_block",
            "plan_reason",
            "attempts",
            "last_error",
            "sent_at",
            "posted_at",
        ]
        read_only_fields = fields

    def get_local_time(self, post: MomentPost) -> str:
        """The exact time in the agent's own zone, ISO 8601 with offset."""
        return post.scheduled_at.astimezone(post.persona.owner.tzinfo).isoformat()


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RejectSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class MoveSerializer(serializers.Serializer):
    window = serializers.IntegerField()
    day = serializers.DateField()


class LibraryItemField(serializers.PrimaryKeyRelatedField):
    """A content item the caller may put in a post: visible to them and sendable (approved,
    unblocked, in date)."""

    def get_queryset(self):
        user = self.context["request"].user
        return ContentItem.objects.visible_to(user).sendable()


class PostCreateSerializer(serializers.Serializer):
    """One new post in a chosen slot: a persona of the caller's own, one of the caller's
    windows and a day; from a library item, or from text with a category (the service says
    which of those is missing, as it does for the calendar's form)."""

    persona = OwnedPrimaryKeyField(queryset=Persona.objects.all())
    window = serializers.IntegerField()
    day = serializers.DateField()
    content = LibraryItemField(
        queryset=ContentItem.objects.all(), required=False, allow_null=True, default=None
    )
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(Category.choices, required=False, allow_blank=True)
    product_line = serializers.ChoiceField(
        ProductLine.choices, required=False, allow_blank=True, default=""
    )

    def validate_window(self, value: int) -> PostingWindow:
        user = self.context["request"].user
        for window in PostingWindow.objects.effective_for(user):
            if window.pk == value:
                return window
        raise serializers.ValidationError(_("Not one of your windows."))


class EditSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Also submit the post once the new text is checked (to review, or scheduled). "
            "A block finding refuses the submission; the new text is stored all the same."
        ),
    )


class PlanRequestSerializer(serializers.Serializer):
    persona = serializers.IntegerField()
    start = serializers.DateField()
    days = serializers.IntegerField(min_value=1, max_value=31, default=7)
    seed = serializers.IntegerField(required=False, min_value=0)


class UnfilledSlotSerializer(serializers.Serializer):
    date = serializers.DateField()
    window = serializers.CharField()
    window_id = serializers.IntegerField(allow_null=True)
    reason_code = serializers.CharField()
    reason = serializers.CharField()


class PlanResultSerializer(serializers.Serializer):
    created = MomentPostSerializer(many=True)
    unfilled = UnfilledSlotSerializer(many=True)
    kept = serializers.IntegerField()
    replaced = serializers.IntegerField()


class CalendarQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    days = serializers.IntegerField(min_value=1, max_value=31, default=7)
    agent = serializers.IntegerField(required=False)
