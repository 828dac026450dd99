"""Pages that act on posts: the card's actions, move, add, edit, plan a week, approve a week.

Thin: every write is a service. Post actions answer htmx with the re-drawn post card, and
plain forms with a redirect.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contacts.models import Persona
from contacts.views.common import add_service_errors, safe_next
from content.highlight import highlight
from content.models import ContentItem, thumbnail_name
from crm.roles import Role
from scheduler import services
from scheduler.cards import has_span, shown_findings
from scheduler.forms import MovePostForm, PostCreateForm, PostTextForm
from scheduler.models import MomentPost, PostingWindow, PostStatus
from scheduler.selectors import (
    closed_reminder_ids,
    open_reminders,
    posts_for_calendar,
)
from scheduler.views.calendar import week_start

S = PostStatus


ACTIONS = {
    "submit": lambda post, by, data: services.post_submit(post=post, by=by),
    "approve": lambda post, by, data: services.post_approve(
        post=post, by=by, comment=data.get("comment", "")
    ),
    "reject": lambda post, by, data: services.post_reject(
        post=post, by=by, comment=data.get("comment", "")
    ),
    "posted": lambda post, by, data: services.post_mark_posted(post=post, by=by),
    "cancel": lambda post, by, data: services.post_cancel(post=post, by=by),
}


def _back(request: HttpRequest, default: str) -> HttpResponse:
    return redirect(safe_next(request, default))


@login_required
@require_POST
def post_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One state-machine action on a post; htmx gets the post card back, and when the action
    closed reminders of the post (``post_transition`` does), their cards on the "today" page
    go and the bell shows the new count (out-of-band swaps)."""
    if action not in ACTIONS:
        raise Http404
    post = get_object_or_404(
        MomentPost.objects.visible_to(request.user).select_related(
            "persona", "persona__owner", "persona__owner__team"
        ),
        pk=pk,
    )
    error = ""
    try:
        post = ACTIONS[action](post, request.user, request.POST)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        post.refresh_from_db()
        closed = closed_reminder_ids(request.user, post)
        context = {
            "post": post,
            "error": error,
            "reviewer": request.POST.get("reviewer") == "1",
            # The page may show the post's reminders and the bell: they follow out of band.
            "closed_reminders": closed,
            "open_reminders": open_reminders(request.user).count() if closed else None,
        }
        return render(request, "scheduler/_post_action.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Done."))
    return _back(request, reverse("scheduler-week"))


@login_required
def post_move_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a post to another day or window: the form (in place of the card for htmx, as a
    page otherwise), then back to the calendar it came from."""
    post = get_object_or_404(
        MomentPost.objects.visible_to(request.user).select_related(
            "persona", "persona__owner", "persona__owner__team", "window"
        ),
        pk=pk,
    )
    owner = post.persona.owner
    windows = PostingWindow.objects.effective_for(owner)
    next_path = safe_next(request, reverse("scheduler-week"))
    status = 200
    if request.method == "POST":
        form = MovePostForm(request.POST, windows=windows)
        if form.is_valid():
            try:
                services.post_move(
                    post=post,
                    by=request.user,
                    window=form.chosen_window(),
                    day=form.cleaned_data["day"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Post moved."))
                return redirect(next_path)
        status = 400
    else:
        local = post.scheduled_at.astimezone(owner.tzinfo)
        form = MovePostForm(
            initial={"day": local.date(), "window": post.window_id}, windows=windows
        )
    template = "scheduler/_move_form.html" if request.htmx else "scheduler/move.html"
    context = {"post": post, "form": form, "next_path": next_path}
    return render(request, template, context, status=status)


# How many library items the "add a post" page offers at once (the search narrows them).
CREATE_PAGE_ITEMS = 20


def _library_choices(library, *, search: str, category: str, chosen: str) -> list[ContentItem]:
    """The first items of ``library`` matching the search (title or text) and the category,
    newest first, and the chosen one, wherever it falls. One query."""
    shown = library
    if search:
        shown = shown.filter(Q(title__icontains=search) | Q(body__icontains=search))
    if category:
        shown = shown.filter(category=category)
    wanted = Q(pk__in=shown.order_by("-updated", "-pk").values("pk")[:CREATE_PAGE_ITEMS])
    if chosen.isdigit():
        wanted |= Q(pk=int(chosen))
    return list(
        library.filter(wanted).order_by("-updated", "-pk").only("pk", "title", "body", "category")
    )


@login_required
def post_create_page(request: HttpRequest) -> HttpResponse:
    """Add one post to a slot of one of the agent's personas, from the calendar: a library
    item (searched, or the first matching the category) or the agent's own text, through
    ``services.post_create``; a refusal (a slot rule, compliance aside) shows on the form.
    Only the agent's own personas: a lead plans and reviews the team's posts, never writes
    them. A ``?persona=`` that is not one of them is a 404."""
    user = request.user
    personas = list(Persona.objects.visible_to(user).owned_by(user).order_by("nickname", "pk"))
    source = request.POST if request.method == "POST" else request.GET
    wanted = source.get("persona", "")
    if request.method == "GET" and wanted and not any(str(p.pk) == wanted for p in personas):
        raise Http404
    windows = PostingWindow.objects.effective_for(user)
    library = ContentItem.objects.visible_to(user).sendable()
    search = source.get("q", "").strip()
    shown = _library_choices(
        library,
        search=search,
        category=source.get("category", ""),
        chosen=source.get("content", ""),
    )
    kwargs = {"personas": personas, "windows": windows, "library": library, "shown": shown}
    next_path = safe_next(request, reverse("scheduler-week"))
    status = 200
    if request.method == "POST":
        form = PostCreateForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                post = services.post_create(by=user, **form.chosen())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _create_message(post))
                return redirect(next_path)
        status = 400
    else:
        today = timezone.localdate(timezone.now(), user.tzinfo)
        try:
            day = max(dt.date.fromisoformat(source.get("day", "")), today)
        except ValueError:
            day = today
        initial = {"day": day, "category": source.get("category", "")}
        for name in ("persona", "window"):
            if source.get(name, "").isdigit():
                initial[name] = int(source[name])
        form = PostCreateForm(initial=initial, **kwargs)
    context = {"form": form, "search": search, "next_path": next_path, "personas": personas}
    return render(request, "scheduler/create.html", context, status=status)


def _create_message(post: MomentPost) -> str:
    if post.status == S.DRAFT:
        return _("Post added as a draft: the compliance check found something to fix.")
    if post.status == S.PENDING_REVIEW:
        return _("Post added and sent to your team lead for review.")
    return _("Post added and scheduled.")


@login_required
def post_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a draft or sent-back post: its text beside the lead's comment and what the
    check found. Saving stores and checks the new text and submits the post
    (``services.post_edit`` with ``submit``, as the API's edit does), then goes back to the
    calendar it came from; a block finding that remains keeps the post here, the new text
    saved, with the findings shown."""
    post = get_object_or_404(
        MomentPost.objects.visible_to(request.user).select_related(
            "persona", "persona__owner", "persona__owner__team", "reviewed_by"
        ),
        pk=pk,
    )
    if not services.may_edit(request.user, post):
        raise PermissionDenied  # the lead sees the post, but only its agent rewrites it
    next_path = safe_next(request, reverse("scheduler-week"))
    if not services.is_editable(post):
        messages.error(request, _("Only a draft or sent-back post can be edited."))
        return redirect(next_path)
    status = 200
    if request.method == "POST":
        form = PostTextForm(request.POST)
        if form.is_valid():
            try:
                post = services.post_edit(
                    post=post, by=request.user, text=form.cleaned_data["text"], submit=True
                )
            except ValidationError as exc:
                if getattr(exc, "code", None) != "compliance_block":
                    add_service_errors(form, exc)
                else:  # saved, but not sent on: show what still blocks it
                    post.refresh_from_db()
                    form.add_error(
                        None,
                        _("Your text is saved, but it cannot be sent for review yet.")
                        + " "
                        + " ".join(exc.messages),
                    )
            else:
                if post.status == S.PENDING_REVIEW:
                    messages.success(request, _("Saved and sent to your team lead for review."))
                else:
                    messages.success(request, _("Saved and scheduled."))
                return redirect(next_path)
        status = 400
    else:
        form = PostTextForm(initial={"text": post.text})
    findings = shown_findings(post.findings)
    context = {
        "post": post,
        "form": form,
        "next_path": next_path,
        "at": post.local_scheduled_at(),
        "needs_approval": services.needs_approval(post),
        "findings": findings,
        "marked": highlight(post.text, [f for f in findings if has_span(f)]),
        "pictures": [(path, thumbnail_name(path)) for path in post.image_paths],
    }
    return render(request, "scheduler/edit.html", context, status=status)


def plan_summary(result: services.PlanResult) -> str:
    """What planning did, in one line: posts planned, kept, slots left empty, each counted
    in the right number ("1 post", "2 posts")."""
    created, empty = len(result.created), len(result.unfilled)
    return _("%(planned)s; %(kept)s; %(empty)s.") % {
        "planned": ngettext("Planned %(n)s post", "Planned %(n)s posts", created) % {"n": created},
        "kept": _("%(n)s kept") % {"n": result.kept},
        "empty": ngettext("%(n)s slot left empty", "%(n)s slots left empty", empty) % {"n": empty},
    }


@login_required
@require_POST
def plan_persona_week(request: HttpRequest) -> HttpResponse:
    """Plan (or re-plan) one persona's week from the calendar page."""
    persona = get_object_or_404(
        Persona.objects.visible_to(request.user).select_related("owner__team"),
        pk=request.POST.get("persona") or 0,
    )
    start = week_start(request, persona.owner.tzinfo)
    try:
        result = services.plan_week(
            persona=persona,
            start=start,
            days=7,
            seed=persona.pk * 100_000 + start.toordinal(),
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, plan_summary(result))
        # Slots already past stay empty as a matter of course: the others say why.
        for slot in [s for s in result.unfilled if s["reason_code"] != "past"][:10]:
            messages.info(request, f"{slot['date']} {slot['window']}: {slot['reason']}")
    return redirect(f"{reverse('scheduler-week')}?start={start.isoformat()}")


@login_required
@require_POST
def approve_week(request: HttpRequest) -> HttpResponse:
    """The lead approves every post in review of the week at once."""
    user = request.user
    team = getattr(user, "led_team", None) if user.role == Role.LEAD else None
    if team is None:
        raise Http404
    start = week_start(request, user.tzinfo)
    posts = posts_for_calendar(user=user, start=start, days=7).filter(
        persona__owner__team=team, status=S.PENDING_REVIEW
    )
    result = services.post_approve_many(
        posts=list(posts.select_related("persona__owner__team")),
        by=user,
        comment=request.POST.get("comment", ""),
    )
    n = len(result.done)
    messages.success(
        request, ngettext("Approved %(n)s post.", "Approved %(n)s posts.", n) % {"n": n}
    )
    for post, reason in result.refused:
        messages.error(request, f"{post.persona.nickname} {post.window_label}: {reason}")
    return redirect(f"{reverse('scheduler-team')}?start={start.isoformat()}")
