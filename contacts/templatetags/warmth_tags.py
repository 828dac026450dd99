"""``{% warmth_panel contact %}`` and ``{% warmth_alerts %}``: warmth on any page, server-drawn."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from contacts import selectors_warmth, warmth
from contacts.charts import warmth_svg
from contacts.models import Contact
from contacts.services.interactions import half_life_for_owner
from contacts.warmth_queries import thresholds

register = template.Library()


def panel_context(contact: Contact, user, message: str = "") -> dict:
    """Everything the warmth panel of a contact page shows (a fixed number of queries)."""
    now = timezone.now()
    view = selectors_warmth.contact_warmth(contact, now)
    curve = selectors_warmth.contact_curve(contact, now, view.half_life_days)
    return {
        "contact": contact,
        "warmth": view,
        "thresholds": thresholds(),
        "chart": warmth_svg(curve, thresholds=thresholds()),
        "timeline": selectors_warmth.contact_timeline(contact),
        "why": selectors_warmth.contact_why(contact, now, view.half_life_days),
        "kinds": selectors_warmth.quick_kinds(),
        "can_log": contact.owner_id == user.pk and not contact.is_erased,
        "message": message,
    }


@register.inclusion_tag("contacts/_warmth_panel_body.html", takes_context=True)
def warmth_panel(context, contact: Contact) -> dict:
    return panel_context(contact, context["request"].user)


_PROBE_PK = 987654321


def interaction_log_url_parts() -> tuple[str, str]:
    """``reverse("contacts:interaction-log", args=[pk])`` split around the pk: the URL of
    contact ``pk`` is ``f"{head}{pk}{tail}"``. Reversed once per page rather than per button."""
    head, tail = reverse("contacts:interaction-log", args=[_PROBE_PK]).split(str(_PROBE_PK))
    return head, tail


@register.inclusion_tag("contacts/_warmth_badge.html", takes_context=True)
def warmth_badge(context, contact: Contact, quick: bool = True) -> dict:
    """A contact's warmth and tier now, with one-click logging buttons for the owner.

    Made for list rows: the half-life of each owner and the quick kinds are read once per
    page render (cached on the render context), so a list page's query count does not grow
    with its rows. A row annotated by ``with_tier(now)`` is read as it is.
    """
    cache = context.render_context.setdefault("warmth_badge", {"half_life": {}})
    user = context["request"].user
    if hasattr(contact, "warmth_now"):
        value, tier = contact.warmth_now, contact.tier
    else:
        half_lives = cache["half_life"]
        if contact.owner_id not in half_lives:
            half_lives[contact.owner_id] = half_life_for_owner(contact.owner_id)
        value = warmth.warmth_now(contact.warmth_ref, timezone.now(), half_lives[contact.owner_id])
        tier = warmth.tier_of(value, thresholds())
    kinds = []
    log_url = ""
    if quick and contact.owner_id == user.pk and not contact.is_erased:
        if "kinds" not in cache:
            cache["kinds"] = selectors_warmth.quick_kinds()
        kinds = cache["kinds"]
        if "log_url" not in cache:
            cache["log_url"] = interaction_log_url_parts()
        head, tail = cache["log_url"]
        log_url = f"{head}{contact.pk}{tail}"
    return {"contact": contact, "value": value, "tier": tier, "kinds": kinds, "log_url": log_url}


@register.inclusion_tag("contacts/_alerts.html", takes_context=True)
def warmth_alerts(context) -> dict:
    user = context["request"].user
    return {"alerts": list(selectors_warmth.alerts_open(user=user)[:30])}
