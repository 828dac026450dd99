"""/api/v1/content/ and /api/v1/compliance/check/."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from content.models import Category, ContentItem, ProductLine, Status
from content.selectors import content_items_for, content_search
from content.serializers import (
    ComplianceCheckSerializer,
    ComplianceResultSerializer,
    ContentImageSerializer,
    ContentItemSerializer,
    ImageUploadSerializer,
    TransitionSerializer,
    drf_validation_error,
)
from content.services import (
    TransitionRefused,
    check_text,
    content_image_add,
    content_transition,
    finding_as_dict,
)


class CanCurateOrReadOnly(permissions.BasePermission):
    """Everyone signed in reads what they may see; writing needs the curators' permissions."""

    def has_permission(self, request: Request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        perm = (
            "content.add_contentitem" if view.action == "create" else ("content.change_contentitem")
        )
        return request.user.has_perm(perm)


class ContentItemFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Category.choices)
    product_line = django_filters.ChoiceFilter(choices=ProductLine.choices)
    status = django_filters.ChoiceFilter(choices=Status.choices)
    has_block = django_filters.BooleanFilter()
    tag = django_filters.CharFilter(method="filter_tag", label="tag name (topic or audience)")
    q = django_filters.CharFilter(method="filter_q", label="text in title or body")

    class Meta:
        model = ContentItem
        fields = ["category", "product_line", "status", "has_block"]

    def filter_tag(self, queryset, name, value):
        return content_search(queryset, tag=value)

    def filter_q(self, queryset, name, value):
        return content_search(queryset, q=value)


class ContentItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The content library. Agents and leads read approved, in-date items; curators write.

    Items are retired, never deleted, so there is no DELETE.
    """

    serializer_class = ContentItemSerializer
    permission_classes = [permissions.IsAuthenticated, CanCurateOrReadOnly]
    filterset_class = ContentItemFilter
    ordering_fields = ["id", "updated"]
    ordering = ["-id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return content_items_for(self.request.user)

    @extend_schema(request=ImageUploadSerializer, responses={201: ContentImageSerializer})
    @action(detail=True, methods=["post"])
    def images(self, request: Request, pk: str | None = None) -> Response:
        """Add a picture (multipart ``file``); it goes through the shared image pipeline."""
        item = self.get_object()
        upload = ImageUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            image = content_image_add(
                item=item,
                file=upload.validated_data["file"],
                position=upload.validated_data.get("position"),
            )
        except DjangoValidationError as exc:
            if hasattr(exc, "message_dict"):
                raise drf_validation_error(exc) from exc
            return Response({"file": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ContentImageSerializer(image).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses={200: ContentItemSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the item through review (``to``: in_review, approved, retired, draft)."""
        item = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            content_transition(item=item, to=body.validated_data["to"], actor=request.user)
        except TransitionRefused as exc:
            return Response({"to": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


class ComplianceCheckViewSet(viewsets.ViewSet):
    """Check a draft: POST text (and optionally category and product line), get findings.

    Spans are offsets into the text exactly as sent.
    """

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ComplianceCheckSerializer

    @extend_schema(request=ComplianceCheckSerializer, responses={200: ComplianceResultSerializer})
    def create(self, request: Request) -> Response:
        body = ComplianceCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        findings = check_text(
            text=data["text"],
            category=data.get("category"),
            product_line=data.get("product_line"),
            persona_licence=data.get("persona_licence"),
            persona_name=data.get("persona_name"),
        )
        result = [finding_as_dict(f) for f in findings]
        for finding in result:
            del finding["field"]
        return Response(
            {"has_block": any(f["severity"] == "block" for f in result), "findings": result}
        )
