"""One-click interaction logging (htmx), its undo, time corrections, and alert dismissal."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts import selectors_warmth, warmth
from contacts.forms_warmth import InteractionLogForm, InteractionTimeForm
from contacts.models import Contact, Interaction, Stage
from contacts.services.alerts import alert_dismiss
from contacts.services.interactions import interaction_delete, interaction_log, interaction_move
from contacts.templatetags.warmth_tags import panel_context
from contacts.views.common import pool_user_required, safe_next


def _shown(value: float) -> str:
    return warmth.shown(value, formats.get_format("DECIMAL_SEPARATOR"))


def _when(at: datetime) -> str:
    return formats.date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def _result_message(result) -> str:
    text = _("Logged: %(kind)s. Warmth now %(value)s.") % {
        "kind": result.interaction.kind.label,
        "value": _shown(result.warmth),
    }
    if result.stage_set:
        text += " " + _("Stage set to %(stage)s.") % {"stage": Stage(result.stage_set).label}
    elif result.suggested_stage:
        text += " " + _("Consider moving this lead to %(stage)s.") % {
            "stage": Stage(result.suggested_stage).label
        }
    return text


def _answer(
    request: HttpRequest,
    contact: Contact,
    *,
    message: str,
    status: int,
    now: datetime,
    undo: Interaction | None = None,
) -> HttpResponse:
    """What a change of the contact's warmth answers. htmx gets the updated warmth back at
    ``now`` (the instant the message's warmth is for): the whole panel when posted from the
    contact page (``panel=1``), with the details' "last interaction" swapped out of band,
    else the row's badge. ``undo``: the interaction just logged, offered to take back. A plain
    POST is sent back where it came from, with the message."""
    if request.htmx:
        if request.POST.get("panel"):
            context = panel_context(contact, request.user, message, now=now, undo=undo, oob=True)
            return render(request, "contacts/_warmth_panel_body.html", context, status=status)
        view = selectors_warmth.contact_warmth(contact, now)
        return render(
            request,
            "contacts/_warmth_badge.html",
            {
                "contact": contact,
                "value": view.value,
                "tier": view.tier,
                "kinds": selectors_warmth.quick_kinds(),
                "message": message,
                "undo": undo,
            },
            status=status,
        )
    (messages.error if status >= 400 else messages.success)(request, message)
    return redirect(safe_next(request, contact_url(contact)))


@require_POST
@pool_user_required
def interaction_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Log an interaction on one of the user's own contacts; the answer offers its undo.
    Bad input is a 400 with the reason."""
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).owned_by(request.user).active(), pk=pk
    )
    form = InteractionLogForm(request.POST)
    if not form.is_valid():
        error = " ".join(m for errors in form.errors.values() for m in errors)
        return _answer(request, contact, message=error, status=400, now=timezone.now())
    try:
        result = interaction_log(
            contact=contact,
            kind=form.cleaned_data["kind"],
            at=form.cleaned_data["at"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except ValidationError as exc:
        return _answer(
            request, contact, message=" ".join(exc.messages), status=400, now=timezone.now()
        )
    return _answer(
        request,
        contact,
        message=_result_message(result),
        status=200,
        now=result.now,
        undo=result.interaction,
    )


def _own_interaction(request: HttpRequest, pk: int) -> Interaction:
    """One of the user's own interactions (the contact's owner's); anyone else's is a 404."""
    return get_object_or_404(
        Interaction.objects.visible_to(request.user)
        .owned_by(request.user)
        .select_related("kind", "contact"),
        pk=pk,
    )


@require_POST
@pool_user_required
def interaction_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's interactions (the undo of a quick log, or a mistake in the
    timeline); warmth is worked out again without it."""
    interaction = _own_interaction(request, pk)
    contact = interaction.contact
    try:
        result = interaction_delete(interaction=interaction)
    except ValidationError as exc:
        return _answer(
            request, contact, message=" ".join(exc.messages), status=400, now=timezone.now()
        )
    message = _("Deleted: %(kind)s of %(when)s. Warmth now %(value)s.") % {
        "kind": interaction.kind.label,
        "when": _when(interaction.at),
        "value": _shown(result.warmth),
    }
    # The service's contact: its warmth and latest interaction as they are now.
    return _answer(request, result.interaction.contact, message=message, status=200, now=result.now)


@require_POST
@pool_user_required
def interaction_time_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct when one of the user's interactions happened (earlier, never in the future);
    warmth follows. A bad time is a 400 with the reason."""
    interaction = _own_interaction(request, pk)
    contact = interaction.contact
    form = InteractionTimeForm(request.POST, current=interaction.at)
    if not form.is_valid():
        error = " ".join(m for errors in form.errors.values() for m in errors)
        return _answer(request, contact, message=error, status=400, now=timezone.now())
    try:
        result = interaction_move(interaction=interaction, at=form.cleaned_data["at"])
    except ValidationError as exc:
        return _answer(
            request, contact, message=" ".join(exc.messages), status=400, now=timezone.now()
        )
    message = _("Time corrected: %(kind)s at %(when)s. Warmth now %(value)s.") % {
        "kind": interaction.kind.label,
        "when": _when(result.interaction.at),
        "value": _shown(result.warmth),
    }
    return _answer(request, result.interaction.contact, message=message, status=200, now=result.now)


def contact_url(contact: Contact) -> str:
    return reverse("contacts:detail", args=[contact.pk])


@require_POST
@pool_user_required
def alert_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss one of the user's own alerts; htmx gets an empty body (the row disappears)."""
    alert = get_object_or_404(
        selectors_warmth.alert_list(user=request.user).owned_by(request.user), pk=pk
    )
    alert_dismiss(alert=alert, by=request.user)
    if request.htmx:
        return HttpResponse("")
    return redirect(safe_next(request, "/"))
