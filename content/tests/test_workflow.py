"""The review workflow: one function moves an item's status and refuses illegal moves."""

import pytest

from content.models import Status
from content.services import (
    TransitionRefused,
    content_create,
    content_transition,
    content_update,
)
from content.tests.factories import BLOCKED_BODY, CLEAN_BODY, ContentItemFactory
from crm.models import AuditEvent

pytestmark = pytest.mark.django_db


def make(curator, body=CLEAN_BODY, **kw):
    return content_create(actor=curator, title="标题", body=body, category="value", **kw)


def test_draft_goes_through_review_to_approved_and_retired(curator):
    item = make(curator)
    content_transition(item=item, to=Status.IN_REVIEW, actor=curator)
    content_transition(item=item, to=Status.APPROVED, actor=curator)
    item.refresh_from_db()
    assert item.status == Status.APPROVED
    assert item.approved_by == curator and item.approved_at is not None
    assert item.status_changed_by == curator
    content_transition(item=item, to=Status.RETIRED, actor=curator)
    item.refresh_from_db()
    assert item.status == Status.RETIRED
    moves = list(
        AuditEvent.objects.filter(action="content.status", target_id=str(item.pk))
        .order_by("at", "pk")
        .values_list("detail__new", flat=True)
    )
    assert moves == ["in_review", "approved", "retired"]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (Status.DRAFT, Status.APPROVED),
        (Status.DRAFT, Status.RETIRED),
        (Status.IN_REVIEW, Status.RETIRED),
        (Status.RETIRED, Status.APPROVED),
        (Status.RETIRED, Status.IN_REVIEW),
        (Status.APPROVED, Status.APPROVED),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(curator, start, to):
    item = ContentItemFactory(status=start)
    with pytest.raises(TransitionRefused) as refused:
        content_transition(item=item, to=to, actor=curator)
    assert refused.value.code == "illegal_transition"
    item.refresh_from_db()
    assert item.status == start


def test_approving_is_refused_while_a_block_finding_exists(curator):
    item = make(curator, body=BLOCKED_BODY)
    assert item.has_block
    content_transition(item=item, to=Status.IN_REVIEW, actor=curator)
    with pytest.raises(TransitionRefused) as refused:
        content_transition(item=item, to=Status.APPROVED, actor=curator)
    assert refused.value.code == "blocked"
    assert "R01" in refused.value.messages[0]
    item.refresh_from_db()
    assert item.status == Status.IN_REVIEW


def test_approval_rechecks_even_when_the_stored_report_is_stale(curator):
    # The row claims to be clean (written around the services), but its text is not.
    item = ContentItemFactory(status=Status.IN_REVIEW, body=BLOCKED_BODY, has_block=False)
    with pytest.raises(TransitionRefused):
        content_transition(item=item, to=Status.APPROVED, actor=curator)
    item.refresh_from_db()
    assert item.has_block


def test_editing_approved_text_sends_it_back_to_review(curator):
    item = make(curator)
    content_transition(item=item, to=Status.IN_REVIEW, actor=curator)
    content_transition(item=item, to=Status.APPROVED, actor=curator)
    content_update(item=item, actor=curator, body=BLOCKED_BODY)
    item.refresh_from_db()
    assert item.status == Status.IN_REVIEW
    assert item.has_block


def test_editing_only_validity_keeps_approval(curator):
    import datetime

    item = make(curator)
    content_transition(item=item, to=Status.IN_REVIEW, actor=curator)
    content_transition(item=item, to=Status.APPROVED, actor=curator)
    content_update(item=item, actor=curator, valid_until=datetime.date(2099, 1, 1))
    item.refresh_from_db()
    assert item.status == Status.APPROVED


def test_validity_cannot_end_before_it_starts(curator):
    import datetime

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make(
            curator,
            valid_from=datetime.date(2026, 5, 1),
            valid_until=datetime.date(2026, 4, 1),
        )
    assert "valid_until" in error.value.message_dict
