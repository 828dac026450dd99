from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.api.serializers import TeamSerializer, UserSerializer
from crm.models import Team, User


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users the caller may see: themselves, their lead, and a lead's team members."""

    serializer_class = UserSerializer
    filterset_fields = ["role", "team"]
    ordering_fields = ["id", "username"]
    ordering = ["id"]

    def get_queryset(self):
        return User.objects.visible_to(self.request.user)

    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        return Response(self.get_serializer(request.user).data)


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TeamSerializer
    ordering_fields = ["id", "name"]
    ordering = ["id"]

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user)
