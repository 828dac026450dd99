"""/api/v1/posts/ (+ actions), /plans/, /calendar/; ``api_error`` answers a refused service
call as a 4xx with field errors and the rule or code that refused it."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from contacts.models import Persona
from crm.api.filters import AwareIsoDateTimeFilter
from crm.models import User
from scheduler import services, slots
from scheduler.models import MomentPost, PostingWindow, PostStatus
from scheduler.selectors import posts_for_calendar
from scheduler.serializers import (
    CalendarQuerySerializer,
    CommentSerializer,
    EditSerializer,
    MomentPostSerializer,
    MoveSerializer,
    PlanRequestSerializer,
    PlanResultSerializer,
    PostCreateSerializer,
    PostingWindowSerializer,
    RejectSerializer,
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This post was changed by someone else; reload and try again.")
    default_code = "conflict"


def api_error(exc: DjangoValidationError) -> exceptions.APIException:
    """A service refusal as the right 4xx: 403 for role, 409 for a lost race, else 400."""
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    # A slot rule's refusal names the rule: {"day": ["..."], "rule": ["ad_today"]}.
    rules = [
        error.code
        for errors in getattr(exc, "error_dict", {}).values()
        for error in errors
        if error.code in slots.RULES
    ]
    if rules:
        detail["rule"] = rules
    if isinstance(exc, services.PostConflict):
        return Conflict(detail)
    if getattr(exc, "code", None) == "forbidden":
        return exceptions.PermissionDenied(" ".join(exc.messages))
    return exceptions.ValidationError(detail)


class PostFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PostStatus.choices)
    after = AwareIsoDateTimeFilter(field_name="scheduled_at", lookup_expr="gte")
    before = AwareIsoDateTimeFilter(field_name="scheduled_at", lookup_expr="lt")
    agent = django_filters.NumberFilter(field_name="persona__owner")

    class Meta:
        model = MomentPost
        fields = ["status", "persona", "category", "window", "has_block", "agent"]


class MomentPostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Posts the caller may see (own, or the team's for a lead). Status moves by actions; an
    agent adds one post to a slot of their own persona by POST (``services.post_create``)."""

    serializer_class = MomentPostSerializer
    filterset_class = PostFilter
    ordering_fields = ["scheduled_at", "id"]
    ordering = ["scheduled_at", "id"]

    def get_queryset(self):
        return MomentPost.objects.visible_to(self.request.user).select_related(
            "persona", "persona__owner", "persona__owner__team"
        )

    @extend_schema(request=PostCreateSerializer, responses={201: MomentPostSerializer})
    def create(self, request: Request) -> Response:
        """One post in a chosen window and day: 201 with the post; 400 with field errors, and
        for a slot rule the rule's code as ``rule`` (as a move answers)."""
        body = PostCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        try:
            post = services.post_create(by=request.user, **data)
        except DjangoValidationError as exc:
            raise api_error(exc) from exc
        return Response(self.get_serializer(post).data, status=status.HTTP_201_CREATED)

    def _act(self, func, serializer_class=None, **extra) -> Response:
        post = self.get_object()
        kwargs = dict(extra)
        if serializer_class is not None:
            body = serializer_class(data=self.request.data)
            body.is_valid(raise_exception=True)
            kwargs.update(body.validated_data)
        try:
            post = func(post=post, by=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise api_error(exc) from exc
        return Response(self.get_serializer(post).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None) -> Response:
        return self._act(services.post_submit)

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        return self._act(services.post_approve, CommentSerializer)

    @extend_schema(request=RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk=None) -> Response:
        return self._act(services.post_reject, RejectSerializer)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def posted(self, request: Request, pk=None) -> Response:
        return self._act(services.post_mark_posted)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        return self._act(services.post_cancel)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk=None) -> Response:
        """Schedule a failed post again (``workflow``: the agent's, in ``failed`` only)."""
        return self._act(services.post_retry)

    @extend_schema(request=EditSerializer)
    @action(detail=True, methods=["post"])
    def edit(self, request: Request, pk=None) -> Response:
        return self._act(services.post_edit, EditSerializer)

    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk=None) -> Response:
        post = self.get_object()
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        window = (
            PostingWindow.objects.visible_to(request.user)
            .filter(pk=body.validated_data["window"])
            .first()
        )
        if window is None:
            raise exceptions.ValidationError({"window": [_("Unknown window.")]})
        try:
            post = services.post_move(
                post=post, by=request.user, window=window, day=body.validated_data["day"]
            )
        except DjangoValidationError as exc:
            raise api_error(exc) from exc
        return Response(self.get_serializer(post).data)


class PlanViewSet(viewsets.GenericViewSet):
    """POST a persona, a start date and a number of days: the planner fills them."""

    serializer_class = PlanRequestSerializer
    queryset = MomentPost.objects.none()  # for the schema; plan_week does the work

    @extend_schema(request=PlanRequestSerializer, responses=PlanResultSerializer)
    def create(self, request: Request) -> Response:
        body = PlanRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        persona = get_object_or_404(
            Persona.objects.visible_to(request.user).select_related("owner__team"),
            pk=data["persona"],
        )
        # Without a seed, the same persona and week give the same plan.
        seed = data.get("seed", persona.pk * 100_000 + data["start"].toordinal())
        try:
            result = services.plan_week(
                persona=persona, start=data["start"], days=data["days"], seed=seed, by=request.user
            )
        except DjangoValidationError as exc:
            raise api_error(exc) from exc
        for post in result.created:
            post.persona = persona
        payload = PlanResultSerializer(
            {
                "created": result.created,
                "unfilled": result.unfilled,
                "kept": result.kept,
                "replaced": result.replaced,
            }
        ).data
        return Response(payload, status=status.HTTP_201_CREATED)


class CalendarViewSet(viewsets.GenericViewSet):
    """The week (or up to 31 days) of posts, with the windows they sit in."""

    serializer_class = MomentPostSerializer
    pagination_class = None
    queryset = MomentPost.objects.none()  # for the schema; the selector scopes the reads

    @extend_schema(
        parameters=[
            OpenApiParameter("start", dt.date, description="YYYY-MM-DD; default today"),
            OpenApiParameter("days", int, description="1-31, default 7"),
            OpenApiParameter("agent", int, description="an agent of the lead's team"),
        ]
    )
    def list(self, request: Request) -> Response:
        query = CalendarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        agent = None
        if "agent" in query.validated_data:
            agent = get_object_or_404(
                User.objects.visible_to(request.user), pk=query.validated_data["agent"]
            )
        zone_user = agent or request.user
        start = query.validated_data.get("start") or timezone.localdate(
            timezone.now(), zone_user.tzinfo
        )
        days = query.validated_data["days"]
        posts = posts_for_calendar(user=request.user, start=start, days=days, agent=agent)
        windows = PostingWindow.objects.effective_for(zone_user)
        return Response(
            {
                "start": start.isoformat(),
                "days": days,
                "time_zone": zone_user.time_zone,
                "agent": agent.pk if agent else None,
                "windows": PostingWindowSerializer(windows, many=True).data,
                "posts": MomentPostSerializer(posts, many=True).data,
            }
        )
