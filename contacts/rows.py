"""The contact list's rows and the warmth badge, drawn in Python.

A list page drew 25 rows through the template engine, each with a warmth badge (an inclusion
tag) holding a one-click button for each of the 7 quick interaction kinds: 175 buttons, each
with a ``{% url %}``, a ``{% blocktranslate %}`` and the kind's label read twice. That was
most of the page's 40 ms. Here what every row of a request shares (translated labels and
texts, the URL prefixes, the quick kinds) is worked out once in a :class:`RowKit`, and a row
is one string join of escaped pieces. The markup is the templates' as they were, byte for
byte, so the page looks and behaves the same. ``{% warmth_badge %}`` (the agent's home) and
``templates/contacts/_warmth_badge.html`` (the badge an htmx log swaps in) draw the badge with
the same function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from contacts import selectors_warmth, warmth
from contacts.models import Contact, InteractionKind, Stage
from contacts.models.interactions import INTERACTION_LABELS
from contacts.phones import mask_phone
from contacts.selectors_list import OWNER_NAME_FIELDS, Labels
from contacts.warmth import Thresholds, Tier
from contacts.warmth_queries import clamp_half_life, thresholds
from crm.html import escape, url_parts
from crm.models import User


@dataclass
class RowKit:
    """What every row and badge of one request shares, in the request's language, escaped."""

    log_url: tuple[str, str]
    detail_url: tuple[str, str]
    title: str
    tier_labels: dict[str, str]
    log_for: str  # "Log %(kind)s for %(name)s", escaped, to fill per button
    select_for: str  # "Select %(name)s", escaped
    undo: str  # the label of the button that takes a quick log back, escaped
    stage_labels: dict[str, str]
    decimal_separator: str
    thresholds: Thresholds
    kinds: list[tuple[str, str]] | None = None  # (code, label), escaped; read on first use
    owners: dict[int, str] = field(default_factory=dict)
    dates: dict[dt.date, str] = field(default_factory=dict)

    @classmethod
    def build(cls) -> RowKit:
        return cls(
            log_url=tuple(escape(part) for part in url_parts("contacts:interaction-log")),
            detail_url=tuple(escape(part) for part in url_parts("contacts:detail")),
            title=escape(_("Warmth")),
            tier_labels={
                Tier.HOT: escape(_("hot")),
                Tier.WARM: escape(_("warm")),
                Tier.COLD: escape(_("cold")),
            },
            log_for=escape(_("Log %(kind)s for %(name)s")),
            select_for=escape(_("Select %(name)s")),
            undo=escape(_("Undo")),
            stage_labels=dict(translated("stage", lambda: Stage.choices)),
            decimal_separator=formats.get_format("DECIMAL_SEPARATOR"),
            thresholds=thresholds(),
        )

    @classmethod
    def for_request(cls, request: HttpRequest | None) -> RowKit:
        """The request's kit, built on first use and kept on the request per language."""
        if request is None:
            return cls.build()
        kits = request.__dict__.setdefault("_contact_row_kits", {})
        language = get_language()
        kit = kits.get(language)
        if kit is None:
            kit = kits[language] = cls.build()
        return kit

    def quick_kinds(self, kinds: list[InteractionKind] | None = None) -> list[tuple[str, str]]:
        """The one-click kinds (code, label) in their admin-set order: ``kinds`` if given,
        else read once (one query) for the request."""
        if kinds is not None:
            return [(escape(kind.code), escape(kind.label)) for kind in kinds]
        if self.kinds is None:
            self.use_kinds([kind.code for kind in selectors_warmth.quick_kinds()])
        return self.kinds

    def use_kinds(self, codes: list[str]) -> None:
        """Take the one-click kinds' codes (in order) the caller read with other things."""
        self.kinds = [(escape(code), escape(INTERACTION_LABELS.get(code, code))) for code in codes]

    def owner_name(self, contact: Contact) -> str:
        """``str(contact.owner)``, escaped, from the ``owner_<field>`` values
        ``selectors_list.row_columns`` adds (the user's own ``__str__`` decides)."""
        name = self.owners.get(contact.owner_id)
        if name is None:
            owner = User(
                pk=contact.owner_id,
                **{f: getattr(contact, f"owner_{f}") for f in OWNER_NAME_FIELDS},
            )
            name = self.owners[contact.owner_id] = escape(owner)
        return name

    def date(self, day: dt.date) -> str:
        """``{{ day }}`` as a template shows a date (the language's DATE_FORMAT), escaped."""
        text = self.dates.get(day)
        if text is None:
            text = self.dates[day] = escape(formats.localize(day))
        return text

    def warmth_of(self, ref: float, now: dt.datetime, half_life: float | None) -> tuple:
        """Warmth now and its tier for a stored score, with the owner's team half-life."""
        value = warmth.warmth_now(ref, now, clamp_half_life(half_life))
        return value, warmth.tier_of(value, self.thresholds)


def render_badge(
    kit: RowKit,
    *,
    pk: int,
    name: str,
    value: float,
    tier: str,
    buttons: list[tuple[str, str]] = (),
    message: str = "",
    undo_url: str = "",
) -> str:
    """``contacts/_warmth_badge.html`` as it was: the warmth and tier, a one-click button per
    kind in ``buttons`` (``RowKit.quick_kinds``; none for someone else's contact) and an
    optional status ``message``, with an "Undo" button posting to ``undo_url`` if given (the
    interaction just logged). ``name`` is the contact's display name, escaped."""
    head, tail = kit.log_url
    tier = str(tier)
    parts = [
        f'<span class="warmth-badge" id="warmth-{pk}">\n  <span class="tier tier-{escape(tier)}" '
        f'title="{kit.title}">{warmth.shown(value, kit.decimal_separator)} · '
        f"{kit.tier_labels.get(tier, kit.tier_labels[Tier.COLD])}</span>\n  "
    ]
    if buttons:
        url = f"{head}{pk}{tail}"
        log_for = kit.log_for
        parts.extend(
            f'<button type="button" class="quick" hx-post="{url}" hx-vals=\'{{"kind": "{code}"}}\' '
            f'hx-target="#warmth-{pk}" hx-swap="outerHTML" '
            f'aria-label="{log_for % {"kind": label, "name": name}}">+{label}</button>'
            for code, label in buttons
        )
    parts.append("\n  ")
    if message:
        undo = ""
        if undo_url:
            undo = (
                f' <button type="button" class="link-button undo" hx-post="{escape(undo_url)}" '
                f'hx-target="#warmth-{pk}" hx-swap="outerHTML">{kit.undo}</button>'
            )
        parts.append(f'<span class="warmth-message" role="status">{escape(message)}{undo}</span>')
    parts.append("\n</span>\n")
    return "".join(parts)


def contact_badge(
    kit: RowKit,
    contact: Contact,
    *,
    value: float,
    tier: str,
    viewer_id: int | None,
    quick: bool = True,
    name: str | None = None,
) -> str:
    """``render_badge`` for ``contact`` as ``viewer_id`` sees it: the one-click buttons only on
    the viewer's own contact, not erased (and only with ``quick``). ``name``: the contact's
    display name, escaped, if the caller has it already."""
    own = viewer_id is not None and contact.owner_id == viewer_id and not contact.is_erased
    return render_badge(
        kit,
        pk=contact.pk,
        name=escape(contact.display_name) if name is None else name,
        value=value,
        tier=tier,
        buttons=kit.quick_kinds() if quick and own else (),
    )


def render_rows(
    contacts: list[Contact],
    *,
    kit: RowKit,
    viewer_id: int,
    labels: dict[int, Labels],
    now: dt.datetime,
) -> SafeString:
    """The list's table rows as the template drew them. Each contact carries
    ``owner_half_life`` (``selectors_list.row_columns``); ``labels`` maps a contact id to
    its tags and groups (``selectors_list.contact_labels``)."""
    detail_head, detail_tail = kit.detail_url
    select_for = kit.select_for
    out = []
    for contact in contacts:
        pk = contact.pk
        name = escape(contact.display_name)
        value, tier = kit.warmth_of(contact.warmth_ref, now, contact.owner_half_life)
        own = contact.owner_id == viewer_id
        badge = render_badge(
            kit,
            pk=pk,
            name=name,
            value=value,
            tier=tier,
            buttons=kit.quick_kinds() if own else (),
        )
        extra = ""
        if contact.remark and contact.remark != contact.name:
            extra = f'<br><span class="muted">{escape(contact.name)}</span>'
        if not own:
            extra += f'<br><span class="muted">{kit.owner_name(contact)}</span>'
        tags, groups = labels.get(pk, ((), ()))
        chips = "".join(f'<span class="chip">{escape(tag)}</span>' for _, tag in tags) + "".join(
            f'<span class="chip chip-group">{escape(group)}</span>' for _, group in groups
        )
        follow_up = kit.date(contact.next_follow_up) if contact.next_follow_up else ""
        out.append(
            "\n      <tr>\n"
            f'        <td><input type="checkbox" name="ids" value="{pk}" id="c{pk}" '
            f'aria-label="{select_for % {"name": name}}"></td>\n'
            f'        <td><a href="{detail_head}{pk}{detail_tail}">{name}</a>{extra}</td>\n'
            f"        <td>{escape(mask_phone(contact.phone))}</td>\n"
            f"        <td>{kit.stage_labels.get(contact.stage, escape(contact.stage))}<br>"
            f"{badge}</td>\n"
            f"        <td>{chips}\n</td>\n"
            f"        <td>{escape(contact.source)}</td>\n"
            f"        <td>{follow_up}</td>\n"
            "      </tr>\n    "
        )
    return mark_safe("".join(out))  # every piece above is escaped


_TRANSLATED: dict[tuple[str, str | None], list[tuple[str, str]]] = {}


def translated(
    name: str, choices: Callable[[], Iterable[tuple[Any, Any]]]
) -> list[tuple[str, str]]:
    """The fixed ``choices()`` (value, label) named ``name``, escaped, their lazy labels
    translated into the active language: worked out once per process and language (a lazy
    label is translated again on every use; the menus of a page hold about forty)."""
    key = (name, get_language())
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = [(escape(value), escape(label)) for value, label in choices()]
    return found


def options(choices: list[tuple[Any, Any]], selected: str | None, *, escaped: bool = False) -> str:
    """``<option value="v">label</option>`` for each choice, ``selected`` on the one whose
    value (as text) is ``selected``: the list page's filter menus. ``escaped``: the choices
    come from ``translated``."""
    if not escaped:
        choices = [(escape(value), escape(label)) for value, label in choices]
    selected = escape(selected) if selected is not None else None
    return mark_safe(  # values and labels are escaped
        "".join(
            f'<option value="{value}"{" selected" if value == selected else ""}>{label}</option>'
            for value, label in choices
        )
    )


def bare_options(values: list[str], selected: str | None) -> SafeString:
    """``<option>value</option>`` (the value is the text), for the source filter."""
    return mark_safe(  # values are escaped
        "".join(
            f"<option{' selected' if value == selected else ''}>{escape(value)}</option>"
            for value in values
        )
    )


def select(
    name: str, id_: str, choices: list[tuple[Any, Any]], *, escaped: bool = False
) -> SafeString:
    """A ``<select>`` as Django's ``Select`` widget draws an unbound field's (the bulk form's:
    the empty value, if offered, selected), without its per-option template renders."""
    if not escaped:
        choices = [(escape(value), escape(label)) for value, label in choices]
    body = "".join(
        f'  <option value="{value}"{" selected" if value == "" else ""}>{label}</option>\n\n'
        for value, label in choices
    )
    return mark_safe(f'<select name="{name}" id="{id_}">\n{body}</select>')
