"""The workflow table (``scheduler.workflow``): each action offered only where the state machine
lets it go, and the services refusing what the workflow does not offer."""

import pytest
from django.core.exceptions import ValidationError

from scheduler import services
from scheduler.models import PostStatus
from scheduler.tests.test_pages import this_week_post, world  # noqa: F401
from scheduler.workflow import (
    CAPABILITIES,
    EDITABLE,
    MOVABLE,
    TRANSITIONS,
    Action,
    Actor,
    available_actions,
    card_actions,
)

S = PostStatus
# Where each action takes a post.
TARGETS = {
    Action.APPROVE: {S.SCHEDULED},
    Action.SEND_BACK: {S.REJECTED},
    Action.SUBMIT: {S.PENDING_REVIEW, S.SCHEDULED},
    Action.POSTED: {S.POSTED},
    Action.CANCEL: {S.CANCELLED},
    Action.RETRY: {S.SCHEDULED},
}


@pytest.mark.parametrize("action", list(TARGETS))
def test_an_action_is_offered_only_where_the_state_machine_allows_its_move(action):
    statuses, _ = CAPABILITIES[action]
    for status in statuses:
        assert TARGETS[action] & TRANSITIONS[status], (action, status)


def test_edit_and_move_are_offered_where_the_services_allow_them():
    assert CAPABILITIES[Action.EDIT][0] == EDITABLE
    assert CAPABILITIES[Action.MOVE][0] == MOVABLE
    assert not (MOVABLE & {S.SENT, S.POSTED, S.MISSED, S.CANCELLED})


def test_review_actions_are_the_leads_and_the_rest_the_agents():
    assert available_actions(S.PENDING_REVIEW, Actor.REVIEWER) == [
        Action.APPROVE,
        Action.SEND_BACK,
        Action.CANCEL,
        Action.MOVE,
    ]
    assert Action.APPROVE not in available_actions(S.PENDING_REVIEW, Actor.AGENT)
    assert available_actions(S.FAILED, Actor.AGENT) == [Action.CANCEL, Action.MOVE, Action.RETRY]
    assert "retry" not in card_actions(S.FAILED, reviewer=False)  # asked for through the API


@pytest.mark.django_db
@pytest.mark.parametrize("status", sorted(set(S.values) - EDITABLE))
def test_the_service_refuses_an_edit_the_workflow_does_not_offer(world, status):  # noqa: F811
    post = this_week_post(world["persona"], status=status)
    with pytest.raises(ValidationError):
        services.post_edit(post=post, by=world["agent"], text="新的文字")
