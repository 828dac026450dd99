"""/api/v1/insights/: the insights page's figures as JSON."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from scheduler.insights import DEFAULT_DAYS, MAX_DAYS, Line, insights_for, insights_scope
from scheduler.models import MomentPost


class InsightsQuerySerializer(serializers.Serializer):
    agent = serializers.IntegerField(required=False, min_value=1)
    persona = serializers.IntegerField(required=False, min_value=1)
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_DAYS, default=DEFAULT_DAYS
    )


class LineSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    posted = serializers.IntegerField()
    missed = serializers.IntegerField()
    earned = serializers.IntegerField()
    per_post = serializers.FloatField()


InsightsSerializer = inline_serializer(
    "Insights",
    {
        # One agent's figures, or (agent null) the whole team's: a lead's default.
        "agent": serializers.IntegerField(allow_null=True),
        "team": serializers.IntegerField(allow_null=True),
        "persona": serializers.IntegerField(allow_null=True),
        "since": serializers.DateTimeField(),
        "until": serializers.DateTimeField(),
        "posted": serializers.IntegerField(),
        "missed": serializers.IntegerField(),
        "best_window": serializers.CharField(allow_null=True),
        "by_status": serializers.DictField(child=serializers.IntegerField()),
        "by_window": LineSerializer(many=True),
        "by_category": LineSerializer(many=True),
        "mix": serializers.DictField(child=serializers.IntegerField()),
        "target": serializers.DictField(child=serializers.IntegerField()),
    },
)


def _line(line: Line) -> dict:
    return LineSerializer(line).data


class InsightsViewSet(viewsets.GenericViewSet):
    """Interactions earned per post by window and category, posted vs missed, mix vs target:
    the caller's own, a lead's whole team's by default, or one ``agent``'s the caller may
    see (404 for any other)."""

    pagination_class = None
    queryset = MomentPost.objects.none()  # for the schema; insights_for scopes the reads
    serializer_class = InsightsQuerySerializer

    @extend_schema(parameters=[InsightsQuerySerializer], responses=InsightsSerializer)
    def list(self, request: Request) -> Response:
        query = InsightsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        scope = insights_scope(
            viewer=user,
            agent_id=query.validated_data.get("agent"),
            persona_id=query.validated_data.get("persona"),
        )
        insights = insights_for(
            viewer=user,
            agent=scope.agent,
            team=scope.team,
            persona=scope.persona,
            days=query.validated_data["days"],
        )
        best = insights.best_window
        return Response(
            {
                "agent": scope.agent.pk if scope.agent else None,
                "team": scope.team.pk if scope.team else None,
                "persona": scope.persona.pk if scope.persona else None,
                "since": insights.since,
                "until": insights.until,
                "posted": insights.posted,
                "missed": insights.missed,
                "best_window": best.key if best else None,
                "by_status": insights.by_status,
                "by_window": [_line(line) for line in insights.by_window],
                "by_category": [_line(line) for line in insights.by_category],
                "mix": insights.mix,
                "target": insights.target,
            }
        )
