"""The home pages' lists drawn in Python: the agent home's ``{% today_posts %}``,
``{% hot_leads %}``, ``{% follow_ups %}`` and ``{% persona_cards %}``, the lead home's
``{% review_queue %}``.

Drawn by the template engine, each list item paid for its variable lookups, ``{% url %}``
and ``{% blocktranslate %}`` one by one: rendering the template took 5.2 ms of CPU with the
loops, 3.3 ms with these tags (bench agent, median; both include the queries run while
rendering). Here the pieces every item shares come from the request's kits
(``contacts.rows.RowKit`` for the contact rows and warmth badges, ``scheduler.cards.CardKit``
for the post cards, each built once per request) and an item is one string join of escaped
pieces. The markup is the template's as it was, byte for byte
(``crm/tests/test_home_markup.py`` and ``crm/tests/test_lead_home_markup.py`` hold it).
"""

from __future__ import annotations

from django import template
from django.templatetags.static import PrefixNode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from contacts.models import Contact, Persona
from contacts.models.personas import ChecklistItem
from contacts.rows import RowKit, contact_badge
from crm.dashboard import HotLead, ReviewItem, WindowSlot
from crm.html import escape, url_parts
from scheduler.cards import CardKit, render_card
from scheduler.models import PostStatus, window_label

register = template.Library()

# A post that went out (or should have): its text and images are there to copy.
COPYABLE = frozenset({PostStatus.SENT, PostStatus.MISSED, PostStatus.POSTED})


def _viewer_id(context: template.Context) -> int | None:
    user = getattr(context.get("request"), "user", None)
    return user.pk if user is not None else None


@register.simple_tag(takes_context=True)
def today_posts(context: template.Context, windows: list[WindowSlot]) -> SafeString:
    """Today's posts under their window's name, each with its card; a post that went out with
    its text and images to copy."""
    kit = CardKit.for_request(context["request"])
    copy_label, copy_button = escape(_("Text to copy")), escape(_("Copy text"))
    copied = escape(_("Copied"))
    media = escape(PrefixNode.handle_simple("MEDIA_URL"))  # as {% get_media_prefix %}
    out = []
    for slot in windows:
        out.append(f'\n  <h3 class="window-name">{escape(slot.label)}</h3>\n  ')
        for post in slot.posts:
            pk = post.pk
            out.append(
                '\n  <div class="today-post">\n'
                f'    <p class="muted">{escape(post.persona.nickname)}</p>\n    '
            )
            if post.status in COPYABLE:
                text = escape(post.text)
                out.append(
                    f'\n    <label for="copy-{pk}">{copy_label}</label>\n'
                    f'    <textarea id="copy-{pk}" readonly rows="4">{text}</textarea>\n'
                    f'    <button type="button" class="copy-button" data-copy="copy-{pk}" '
                    f'data-copied="{copied}">{copy_button}</button>\n    '
                )
                if post.image_paths:
                    # Outside the f-string: makemessages does not find a gettext call in one.
                    save_image = _("Save image %(n)s")
                    links = "".join(
                        f'<li><a href="{media}{escape(path)}" download>'
                        f"{save_image % {'n': n}}</a></li>"
                        for n, path in enumerate(post.image_paths, start=1)
                    )
                    out.append(f'\n    <ul class="images">{links}</ul>\n    ')
                out.append("\n    ")
            out.append(f"\n    {render_card(post, kit)}\n  </div>\n  ")
        out.append("\n  ")
    return mark_safe("".join(out))  # every piece above is escaped


@register.simple_tag(takes_context=True)
def hot_leads(
    context: template.Context, leads: list[HotLead], quick_kind_codes: list[str] | None = None
) -> SafeString:
    """The hot leads' items: name, what counts most now, warmth badge with one-click buttons.
    ``quick_kind_codes``: the buttons' kinds if the page read them already."""
    kit = RowKit.for_request(context.get("request"))
    if quick_kind_codes is not None and kit.kinds is None:
        kit.use_kinds(quick_kind_codes)
    head, tail = kit.detail_url
    viewer_id = _viewer_id(context)
    out = []
    for lead in leads:
        contact = lead.contact
        name = escape(contact.display_name)
        why = f'<span class="muted">{lead.why_said}</span>' if lead.why else ""
        badge = contact_badge(
            kit,
            contact,
            value=contact.warmth_now,
            tier=contact.tier,
            viewer_id=viewer_id,
            name=name,
        )
        out.append(
            f'\n    <li>\n      <a href="{head}{contact.pk}{tail}">{name}</a>\n'
            f"      {why}\n      {badge}\n    </li>\n    "
        )
    return mark_safe("".join(out))  # every piece above is escaped


@register.simple_tag(takes_context=True)
def follow_ups(context: template.Context, contacts: list[Contact]) -> SafeString:
    """The follow-ups' items: name, the day it was due and the stage, warmth badge."""
    kit = RowKit.for_request(context.get("request"))
    head, tail = kit.detail_url
    viewer_id = _viewer_id(context)
    out = []
    for contact in contacts:
        name = escape(contact.display_name)
        badge = contact_badge(
            kit,
            contact,
            value=contact.warmth_now,
            tier=contact.tier,
            viewer_id=viewer_id,
            quick=False,
            name=name,
        )
        due = contact.next_follow_up.strftime("%m-%d")  # the template's date:"m-d"
        stage = kit.stage_labels.get(contact.stage, escape(contact.stage))
        out.append(
            f'\n    <li><a href="{head}{contact.pk}{tail}">{name}</a>\n'
            f'      <span class="muted">{due} · {stage}</span>\n      {badge}</li>\n    '
        )
    return mark_safe("".join(out))  # every piece above is escaped


@register.simple_tag
def persona_cards(personas: list[tuple[Persona, list[ChecklistItem], int]]) -> SafeString:
    """A card per persona: how complete it is, the advice it does not meet yet, a link to
    edit it."""
    if not personas:
        return mark_safe("")
    head, tail = url_parts("contacts:persona-edit")
    head, tail = escape(head), escape(tail)
    edit = escape(_("Edit persona"))
    out = []
    for persona, checklist, score in personas:
        pk = persona.pk
        title = _("Persona %(name)s: %(score)s%% complete") % {
            "name": escape(persona.nickname),
            "score": score,
        }
        unmet = "".join(
            f"<li><strong>{escape(item.label)}</strong> "
            f'<span class="muted">{escape(item.suggestion)}</span></li>'
            for item in checklist
            if not item.ok
        )
        out.append(
            f'\n<section class="card" aria-labelledby="persona-{pk}-h">\n'
            f'  <h2 id="persona-{pk}-h">{title}</h2>\n'
            f'  <ul class="checklist">\n    {unmet}\n  </ul>\n'
            f'  <p><a href="{head}{pk}{tail}">{edit}</a></p>\n</section>\n'
        )
    return mark_safe("".join(out))  # every piece above is escaped


@register.simple_tag(takes_context=True)
def review_queue(context: template.Context, items: list[ReviewItem]) -> SafeString:
    """The lead's review queue: each post's agent, persona, day and window (its label in the
    user's language) over its card with the review actions and the post's preview open (its
    text, pictures and findings: what the lead approves); a line saying so when none waits.
    The template's loop took 2 ms of the lead home's CPU for 50 posts."""
    if not items:
        # Outside the f-string: makemessages does not find a gettext call in one.
        nothing = escape(_("Nothing waits for review."))
        return mark_safe(f'\n  <p class="muted">{nothing}</p>\n  ')
    kit = CardKit.for_request(context["request"])
    out = []
    for item in items:
        card, persona = item.card, item.persona
        day = card.at.astimezone(kit.tz).strftime("%m-%d")  # the template's date:"m-d"
        out.append(
            '\n  <div class="review-item">\n'
            f'    <p class="muted">{escape(persona.owner)} · {escape(persona.nickname)} · '
            f"{day} {escape(window_label(card.window_name))}</p>\n"
            f"    {render_card(card, kit, reviewer=True, preview_open=True)}\n  </div>\n  "
        )
    return mark_safe("".join(out))  # every piece above is escaped
