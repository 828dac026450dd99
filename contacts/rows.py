"""What ``crm/templatetags/home_tags.py`` still draws the home's hot leads and follow-ups with,
until the homes are templates too: the request's detail URL parts, stage labels and one-click
kinds (``RowKit``), and the warmth badge (``contact_badge``), which is the one template
``contacts/_warmth_badge.html`` that the contact list's rows and the htmx log include.
Delete this module with the last caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from contacts.models import Contact, InteractionKind, Stage
from contacts.warmth import selectors as selectors_warmth
from crm.html import escape, url_parts


@dataclass
class RowKit:
    """What every home item of one request shares, in the request's language, escaped."""

    detail_url: tuple[str, str]
    stage_labels: dict[str, str]
    kinds: list[InteractionKind] | None = None  # read on first use

    @classmethod
    def build(cls) -> RowKit:
        return cls(
            detail_url=tuple(escape(part) for part in url_parts("contacts:detail")),
            stage_labels={escape(value): escape(label) for value, label in Stage.choices},
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

    def quick_kinds(self) -> list[InteractionKind]:
        """The one-click kinds in their admin-set order, read once (one query) a request."""
        if self.kinds is None:
            self.kinds = selectors_warmth.quick_kinds()
        return self.kinds

    def use_kinds(self, codes: list[str]) -> None:
        """Take the one-click kinds' codes (in order) the caller read with other things."""
        self.kinds = [InteractionKind(code=code) for code in codes]


def contact_badge(
    kit: RowKit,
    contact: Contact,
    *,
    value: float,
    tier: str,
    viewer_id: int | None,
    quick: bool = True,
    name: str | None = None,
) -> SafeString:
    """``contacts/_warmth_badge.html`` for ``contact`` as ``viewer_id`` sees it: the one-click
    buttons only on the viewer's own contact, not erased (and only with ``quick``). ``name`` is
    not used (the template writes the contact's name); kept for the caller's signature."""
    own = viewer_id is not None and contact.owner_id == viewer_id and not contact.is_erased
    return render_to_string(
        "contacts/_warmth_badge.html",
        {
            "contact": contact,
            "value": value,
            "tier": tier,
            "kinds": kit.quick_kinds() if quick and own else (),
            "message": "",
            "undo": None,
        },
    )
