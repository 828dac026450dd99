from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from crm import health
from crm.models import Team, User, WorkerHeartbeat
from crm.roles import Role


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for whatever the page's ``<link rel="icon">`` says:
    the static icon (a permanent redirect, so asked once)."""
    return redirect(static("img/favicon.svg"), permanent=True)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 when either does not."""
    db_ok, db_detail = health.database_status()
    broker_ok, broker_detail = health.broker_status()
    last = None
    if db_ok:
        beat = WorkerHeartbeat.objects.order_by("-seen").first()
        last = beat.seen.isoformat() if beat else None
    body = {
        "status": "ok" if db_ok and broker_ok else "unavailable",
        "database": db_detail,
        "broker": broker_detail,
        "worker_last_seen": last,
    }
    return JsonResponse(body, status=200 if db_ok and broker_ok else 503)


@login_required
def team_mine(request: HttpRequest) -> HttpResponse:
    team = getattr(request.user, "led_team", None) or request.user.team
    if team is None:
        return render(request, "crm/team_none.html")
    return redirect("team-detail", pk=team.pk)


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.visible_to(request.user).select_related("lead"), pk=pk)
    members = (
        User.objects.visible_to(request.user)
        .filter(team=team, role__in=[Role.AGENT, Role.LEAD])
        .order_by("role", "username")
    )
    return render(request, "crm/team_detail.html", {"team": team, "members": members})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.visible_to(request.user).select_related("team"), pk=pk)
    return render(request, "crm/user_detail.html", {"person": person})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user's choice is saved on their profile."""
    response = django_set_language(request)
    code = request.POST.get("language")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        request.user.language = code
        request.user.save(update_fields=["language"])
    return response
