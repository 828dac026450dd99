"""One-click interaction logging (htmx) and alert dismissal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts import selectors_warmth
from contacts.forms_warmth import InteractionLogForm
from contacts.models import Contact, Stage
from contacts.services.alerts import alert_dismiss
from contacts.services.interactions import interaction_log
from contacts.templatetags.warmth_tags import panel_context
from contacts.views.common import pool_user_required, safe_next


def _result_message(result) -> str:
    text = _("Logged: %(kind)s. Warmth now %(value).1f.") % {
        "kind": result.interaction.kind.label,
        "value": result.warmth,
    }
    if result.stage_set:
        text += " " + _("Stage set to %(stage)s.") % {"stage": Stage(result.stage_set).label}
    elif result.suggested_stage:
        text += " " + _("Consider moving this lead to %(stage)s.") % {
            "stage": Stage(result.suggested_stage).label
        }
    return text


@require_POST
@pool_user_required
def interaction_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Log an interaction on one of the user's own contacts.

    htmx requests get the updated warmth back: the whole panel when posted from the contact
    page (``panel=1``), else the row's warmth badge. Bad input is a 400 with the reason.
    """
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).owned_by(request.user).active(), pk=pk
    )
    form = InteractionLogForm(request.POST)
    error = ""
    result = None
    if form.is_valid():
        try:
            result = interaction_log(
                contact=contact,
                kind=form.cleaned_data["kind"],
                at=form.cleaned_data["at"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(m for errors in form.errors.values() for m in errors)
    status = 400 if error else 200
    message = error or _result_message(result)
    if request.htmx:
        if request.POST.get("panel"):
            return render(
                request,
                "contacts/_warmth_panel_body.html",
                panel_context(contact, request.user, message),
                status=status,
            )
        view = selectors_warmth.contact_warmth(contact, timezone.now())
        return render(
            request,
            "contacts/_warmth_badge.html",
            {
                "contact": contact,
                "value": view.value,
                "tier": view.tier,
                "kinds": selectors_warmth.quick_kinds(),
                "log_url": reverse("contacts:interaction-log", args=[contact.pk]),
                "message": message,
            },
            status=status,
        )
    (messages.error if error else messages.success)(request, message)
    return redirect(safe_next(request, contact_url(contact)))


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
