"""The post workflow: which status may follow which, and which action each status offers to
whom. The one home of these rules: the services refuse what is not here
(``services.post_transition`` checks ``TRANSITIONS``, ``post_edit`` ``EDITABLE``, ``post_move``
``MOVABLE``), the post card draws the buttons :func:`card_actions` gives, and the API refuses
through the same services.

No Django here beyond the status enum: the table is plain data.
"""

from __future__ import annotations

from enum import StrEnum

from scheduler.models import PostStatus

S = PostStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PENDING_REVIEW, S.SCHEDULED, S.CANCELLED}),
    S.PENDING_REVIEW: frozenset({S.SCHEDULED, S.REJECTED, S.CANCELLED}),
    # scheduled -> rejected: the lead withdraws approval, or the send-time check holds it.
    S.SCHEDULED: frozenset({S.SENT, S.REJECTED, S.FAILED, S.CANCELLED}),
    S.SENT: frozenset({S.POSTED, S.MISSED}),
    # A sent-back post is edited and resubmitted (re-checked), or dropped.
    S.REJECTED: frozenset({S.PENDING_REVIEW, S.SCHEDULED, S.CANCELLED}),
    # The agent may still confirm a post that went out late.
    S.MISSED: frozenset({S.POSTED}),
    S.FAILED: frozenset({S.SCHEDULED, S.CANCELLED}),
    S.POSTED: frozenset(),
    S.CANCELLED: frozenset(),
}
# The text may still change: a draft, or a post sent back (by the lead, or held by the
# compliance check). Anything further on is what the lead approved.
EDITABLE = frozenset({S.DRAFT, S.REJECTED})
# Not gone out yet, and not dropped: the post may take another slot.
MOVABLE = frozenset({S.DRAFT, S.PENDING_REVIEW, S.SCHEDULED, S.REJECTED, S.FAILED})


class Action(StrEnum):
    """A user's action on a post; the value is the action's URL slug (``posts/<pk>/<slug>/``)."""

    SUBMIT = "submit"
    APPROVE = "approve"
    SEND_BACK = "reject"
    EDIT = "edit"
    POSTED = "posted"
    CANCEL = "cancel"
    MOVE = "move"
    RETRY = "retry"


class Actor(StrEnum):
    """Who acts on a post: its persona's agent, or the lead who reviews the agent's posts."""

    AGENT = "agent"
    REVIEWER = "reviewer"


A = Action
# Per action: the statuses it is offered in, and to whom. In the order a card draws them.
CAPABILITIES: dict[Action, tuple[frozenset[str], frozenset[Actor]]] = {
    A.APPROVE: (frozenset({S.PENDING_REVIEW}), frozenset({Actor.REVIEWER})),
    A.SEND_BACK: (frozenset({S.PENDING_REVIEW, S.SCHEDULED}), frozenset({Actor.REVIEWER})),
    A.SUBMIT: (frozenset({S.DRAFT, S.REJECTED}), frozenset({Actor.AGENT})),
    A.EDIT: (EDITABLE, frozenset({Actor.AGENT})),
    A.POSTED: (frozenset({S.SENT, S.MISSED}), frozenset({Actor.AGENT})),
    A.CANCEL: (
        frozenset({S.DRAFT, S.PENDING_REVIEW, S.SCHEDULED, S.REJECTED, S.FAILED}),
        frozenset(Actor),
    ),
    A.MOVE: (MOVABLE, frozenset(Actor)),
    A.RETRY: (frozenset({S.FAILED}), frozenset({Actor.AGENT})),
}
# What the post card offers: every action but retry, which the agent asks for through the API
# once the channel is fixed.
CARD_ACTIONS = tuple(action for action in CAPABILITIES if action != A.RETRY)


def statuses_allowing(action: Action) -> frozenset[str]:
    """The statuses in which ``action`` is offered (to anyone)."""
    return CAPABILITIES[action][0]


def allows(action: Action, status: str, actor: Actor) -> bool:
    """Whether a post in ``status`` offers ``action`` to ``actor``."""
    statuses, actors = CAPABILITIES[action]
    return status in statuses and actor in actors


def available_actions(status: str, actor: Actor) -> list[Action]:
    """The actions a post in ``status`` offers to ``actor``, in the card's order."""
    return [action for action in CAPABILITIES if allows(action, status, actor)]


def card_actions(status: str, *, reviewer: bool) -> frozenset[str]:
    """The card's buttons for a post in ``status``: the review actions for ``reviewer``, the
    agent's otherwise (as slugs, so a template tests ``"approve" in actions``)."""
    actor = Actor.REVIEWER if reviewer else Actor.AGENT
    return frozenset(str(a) for a in available_actions(status, actor) if a in CARD_ACTIONS)
