"""/api/v1/: every app registers its viewsets on this one router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from contacts import api_interactions
from contacts.api import views as contacts_api
from content.api import ComplianceCheckViewSet, ContentItemViewSet
from crm.api.auth import ObtainAuthTokenView
from crm.api.views import TeamViewSet, UserViewSet
from scheduler.api.insights import InsightsViewSet
from scheduler.api.posts import CalendarViewSet, MomentPostViewSet, PlanViewSet
from scheduler.api.windows import PostingWindowViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("content", ContentItemViewSet, basename="content")
router.register("compliance/check", ComplianceCheckViewSet, basename="compliance-check")
router.register("personas", contacts_api.PersonaViewSet, basename="persona")
router.register("contacts", contacts_api.ContactViewSet, basename="contact")
router.register("imports", contacts_api.ImportViewSet, basename="contactimport")
router.register("groups", contacts_api.GroupViewSet, basename="contactgroup")
router.register("tags", contacts_api.TagViewSet, basename="contacttag")
router.register("interactions", api_interactions.InteractionViewSet, basename="interaction")
router.register("alerts", api_interactions.AlertViewSet, basename="alert")
router.register("windows", PostingWindowViewSet, basename="window")
router.register("posts", MomentPostViewSet, basename="post")
router.register("plans", PlanViewSet, basename="plan")
router.register("calendar", CalendarViewSet, basename="calendar")
router.register("insights", InsightsViewSet, basename="insights")

urlpatterns = [
    path("auth/token/", ObtainAuthTokenView.as_view(), name="token"),
    path("", include(router.urls)),
]
