"""The post card for templates: ``{% post_card post %}`` draws :func:`scheduler.cards.render_card`
with the request's :class:`~scheduler.cards.CardKit` (built once per request)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from crm.html import escape
from scheduler.cards import CardKit, render_card, render_grid

register = template.Library()


@register.simple_tag(takes_context=True)
def post_card(
    context, post, reviewer: bool = False, error: str = "", preview_open: bool = False
) -> SafeString:
    """One post's card; ``reviewer`` draws the lead's review actions instead of the agent's,
    ``preview_open`` shows the post's preview (text, pictures, findings) unfolded."""
    return render_card(
        post,
        CardKit.for_request(context["request"]),
        reviewer=reviewer,
        error=error,
        preview_open=preview_open,
    )


@register.simple_tag(takes_context=True)
def week_grid(context, rows, caption, reviewer: bool = False) -> SafeString:
    """A calendar section's week table (``days`` and ``today`` from the page's context)."""
    return render_grid(
        rows=rows,
        days=context["days"],
        today=context.get("today"),
        caption=str(caption),
        kit=CardKit.for_request(context["request"]),
        reviewer=reviewer,
    )


@register.simple_tag(takes_context=True)
def team_week_sections(context, sections) -> SafeString:
    """The team week's sections: each agent's name over their week table with review actions.
    One tag rather than a template loop around ``week_grid``, which resolved each section's
    variables and the tag's arguments ten times over."""
    kit = CardKit.for_request(context["request"])
    days, today = context["days"], context.get("today")
    parts = []
    for section in sections:
        name = str(section["agent"])
        grid = render_grid(
            rows=section["rows"], days=days, today=today, caption=name, kit=kit, reviewer=True
        )
        parts.append(f'\n<section class="card">\n  <h2>{escape(name)}</h2>\n  {grid}\n</section>\n')
    return SafeString("".join(parts))  # the name escaped, the table escaped by render_grid
