"""``{% warmth_panel contact %}``, ``{% warmth_badge contact %}`` and ``{% warmth_alerts %}``:
warmth on any page, server-drawn."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe

from contacts import selectors_warmth, warmth
from contacts.charts import warmth_svg
from contacts.models import Contact, Interaction
from contacts.rows import RowKit, contact_badge, escape, render_badge
from contacts.services.interactions import half_life_for_owner
from contacts.warmth_queries import thresholds

register = template.Library()


def panel_context(
    contact: Contact,
    user,
    message: str = "",
    *,
    now: datetime | None = None,
    undo: Interaction | None = None,
    oob: bool = False,
) -> dict:
    """Everything the warmth panel of a contact page shows (a fixed number of queries), at
    ``now`` (default: now), so the heading, the chart and a message about the same change
    read one number. ``undo``: an interaction just logged, offered to take back; ``oob``: an
    htmx answer, which also swaps the details' "last interaction" (``hx-swap-oob``)."""
    now = now or timezone.now()
    view = selectors_warmth.contact_warmth(contact, now)
    curve = selectors_warmth.contact_curve(contact, now, view.half_life_days)
    can_log = contact.owner_id == user.pk and not contact.is_erased
    return {
        "contact": contact,
        "warmth": view,
        "thresholds": thresholds(),
        "chart": warmth_svg(curve, thresholds=thresholds()),
        "timeline": selectors_warmth.contact_timeline(contact),
        "why": selectors_warmth.contact_why(contact, now, view.half_life_days),
        "kinds": selectors_warmth.quick_kinds(),
        "can_log": can_log,
        "message": message,
        "undo": undo if can_log else None,
        "now": now,
        "oob": oob,
    }


@register.filter(name="warmth")
def warmth_shown(value: float) -> str:
    """``{{ value|warmth }}``: a warmth as every page shows it (``contacts.warmth.shown``)."""
    return warmth.shown(value, formats.get_format("DECIMAL_SEPARATOR"))


@register.inclusion_tag("contacts/_warmth_panel_body.html", takes_context=True)
def warmth_panel(context, contact: Contact) -> dict:
    return panel_context(contact, context["request"].user)


@register.simple_tag(takes_context=True)
def warmth_badge(context, contact: Contact, quick: bool = True) -> SafeString:
    """A contact's warmth and tier now, with one-click logging buttons for the owner.

    Made for list rows: the half-life of each owner is read once per page render (cached on
    the render context) and the labels, log URL and quick kinds once per request
    (``contacts.rows.RowKit``), so a page's query count does not grow with its rows. A row
    annotated by ``with_tier(now)`` is read as it is.
    """
    request = context.get("request")
    kit = RowKit.for_request(request)
    if hasattr(contact, "warmth_now"):
        value, tier = contact.warmth_now, contact.tier
    else:
        half_lives = context.render_context.setdefault("warmth_badge_half_life", {})
        if contact.owner_id not in half_lives:
            half_lives[contact.owner_id] = half_life_for_owner(contact.owner_id)
        value, tier = kit.warmth_of(
            contact.warmth_ref, timezone.now(), half_lives[contact.owner_id]
        )
    user = getattr(request, "user", None)
    return mark_safe(  # render_badge escapes every piece
        contact_badge(
            kit,
            contact,
            value=value,
            tier=tier,
            viewer_id=user.pk if user is not None else None,
            quick=quick,
        )
    )


@register.simple_tag(takes_context=True)
def warmth_badge_markup(
    context,
    contact: Contact,
    value: float,
    tier: str,
    kinds=(),
    message: str = "",
    undo: Interaction | None = None,
) -> SafeString:
    """The badge of ``contacts/_warmth_badge.html`` from values a view worked out (the badge an
    htmx log swaps in): ``kinds`` are the buttons' ``InteractionKind`` rows; ``undo``, the
    interaction just logged, gets a button that deletes it again."""
    kit = RowKit.for_request(context.get("request"))
    return mark_safe(  # render_badge escapes every piece
        render_badge(
            kit,
            pk=contact.pk,
            name=escape(contact.display_name),
            value=value,
            tier=tier,
            buttons=kit.quick_kinds(list(kinds)) if kinds else (),
            message=str(message) if message else "",
            undo_url=reverse("contacts:interaction-delete", args=[undo.pk]) if undo else "",
        )
    )


@register.inclusion_tag("contacts/_alerts.html", takes_context=True)
def warmth_alerts(context) -> dict:
    user = context["request"].user
    alerts = list(selectors_warmth.alerts_open(user=user)[:30])
    return {"alerts": selectors_warmth.with_warmth_now(alerts, user=user, now=timezone.now())}
