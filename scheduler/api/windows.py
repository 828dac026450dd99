"""/api/v1/windows/: the agent's, the team's and the global posting windows."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from scheduler import services
from scheduler.api.posts import api_error
from scheduler.models import PostingWindow
from scheduler.serializers import (
    PostingWindowSerializer,
)


class PostingWindowViewSet(viewsets.ModelViewSet):
    """Windows the caller may see. Agents add and change their own; a lead, the team's."""

    serializer_class = PostingWindowSerializer
    filterset_fields = ["name", "team", "owner", "active"]
    ordering_fields = ["id", "start", "name"]
    ordering = ["start", "id"]

    def get_queryset(self):
        return PostingWindow.objects.visible_to(self.request.user).select_related("team")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        for_team = data.pop("for_team", False)
        try:
            serializer.instance = services.window_create(
                by=self.request.user, for_team=for_team, **data
            )
        except DjangoValidationError as exc:
            raise api_error(exc) from exc

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("for_team", None)
        try:
            serializer.instance = services.window_update(
                window=serializer.instance, by=self.request.user, **data
            )
        except DjangoValidationError as exc:
            raise api_error(exc) from exc

    def perform_destroy(self, instance):
        try:
            services.window_delete(window=instance, by=self.request.user)
        except DjangoValidationError as exc:
            raise api_error(exc) from exc

    @extend_schema(responses=PostingWindowSerializer(many=True))
    @action(detail=False, methods=["get"])
    def effective(self, request: Request) -> Response:
        """The caller's own effective windows (defaults, team, own, layered by name)."""
        windows = PostingWindow.objects.effective_for(request.user)
        return Response(self.get_serializer(windows, many=True).data)
