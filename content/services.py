"""Writes on the content library: create, edit, check, move through review, add images.

Every status change goes through ``content_transition``; every save re-runs the compliance
check through ``content_check``; the scheduler checks post text through ``check_text``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.compliance import CheckContext, Checker, Finding
from content.compliance_rules import (
    compliance_checker,
    compliance_checker_now,
    rules_version_in_db,
)
from content.models import MAX_IMAGES, ContentImage, ContentItem, Status, Tag
from crm.images import MOMENT, ProcessedImage, process_image
from crm.models import User
from crm.services import audit_log

# The review workflow. Anything not listed here is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.IN_REVIEW}),
    Status.IN_REVIEW: frozenset({Status.APPROVED, Status.DRAFT}),
    # Back to review when approved text is edited: what goes out must be what was approved.
    Status.APPROVED: frozenset({Status.RETIRED, Status.IN_REVIEW}),
    Status.RETIRED: frozenset({Status.DRAFT}),
}
# Fields whose change means the item must be checked and reviewed again.
CHECKED_FIELDS = frozenset({"title", "body", "category", "product_line"})


class TransitionRefused(ValidationError):
    """A status change the workflow or the compliance report does not allow; says why."""


def check_text(
    *,
    text: str,
    category: str | None = None,
    product_line: str | None = None,
    persona_licence: str | None = None,
    persona_name: str | None = None,
    checker: Checker | None = None,
) -> list[Finding]:
    """Findings for ``text`` under the active rules, spans pointing into ``text`` itself.

    The scheduler calls this when a post is scheduled and again when it is sent, passing the
    persona's licence number and name so that persona-dependent rules (an ad must carry the
    licence number) can run. An empty category or product line means "unknown".
    ``checker`` defaults to the one for the active rules.
    """
    context = CheckContext(
        category=category or None,
        product_line=product_line or None,
        persona_licence=persona_licence or None,
        persona_name=persona_name or None,
    )
    return (checker or compliance_checker()).check(text, context)


def finding_as_dict(finding: Finding, field: str = "body") -> dict[str, Any]:
    """A finding as stored on the item (and returned by the API): JSON-able, with its field."""
    return {
        "field": field,
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
        "suggestion": finding.suggestion,
        "start": finding.start,
        "end": finding.end,
        "matched": finding.matched,
    }


# Title and body are checked as one text, so a disclosure in the body satisfies a product word
# in the title; "。" keeps a pattern from running on from the title into the body.
SEPARATOR = "。\n"


def content_check(
    *, item: ContentItem, save: bool = True, checker: Checker | None = None
) -> list[dict[str, Any]]:
    """Check the item's title and body and store the report on it; returns the findings.

    Each stored finding names its ``field`` ("title" or "body", spans relative to that field;
    "item" with an empty span for something missing from the whole text, such as a
    disclosure). Afterwards ``item.has_block`` says whether anything blocks approval.
    ``checker`` defaults to the one for the active rules.
    """
    offset = len(item.title) + len(SEPARATOR)
    found = check_text(
        text=item.title + SEPARATOR + item.body,
        category=item.category,
        product_line=item.product_line,
        checker=checker,
    )
    findings: list[dict[str, Any]] = []
    for finding in found:
        stored = finding_as_dict(finding, "body")
        if finding.start == finding.end:
            stored.update(field="item", start=0, end=0)
        elif finding.start < len(item.title):
            stored.update(field="title", end=min(finding.end, len(item.title)))
        else:
            start = max(finding.start - offset, 0)
            stored.update(start=start, end=max(finding.end - offset, start))
        findings.append(stored)
    item.findings = findings
    item.has_block = any(f["severity"] == "block" for f in findings)
    item.warning_count = sum(1 for f in findings if f["severity"] == "warn")
    item.checked_at = timezone.now()
    if save and item.pk:
        item.save(update_fields=["findings", "has_block", "warning_count", "checked_at", "updated"])
    return findings


RECHECK_BATCH = 200  # items locked, checked and written per transaction
REPORT_FIELDS = ("findings", "has_block", "warning_count")


@dataclass(frozen=True)
class RecheckRun:
    """What one ``content_recheck_all`` call did.

    ``next_after_id`` is where to go on (``None``: the library is done); ``stale`` means the
    rules changed under the run, so it stopped and the run enqueued by that change takes over.
    """

    version: str
    checked: int
    changed: int
    next_after_id: int | None
    stale: bool = False


def content_recheck_all(
    *,
    after_id: int = 0,
    version: str | None = None,
    batch_size: int = RECHECK_BATCH,
    max_batches: int | None = None,
) -> RecheckRun:
    """Re-check every item that is not retired, by id from ``after_id``, against the rules now.

    Called after a compliance rule changed, since stored reports (``has_block`` keeps an item
    out of the planner's library) were made under the old rules. Each batch is one transaction
    over locked rows, so an edit saved meanwhile is never overwritten with a report on its old
    text; only rows whose report changed are rewritten (``updated`` is left alone: the library's
    order is about content, not checks). ``version`` is the rules stamp the run started with
    (``None``: now); when the rows' stamp differs at a batch the run stops as ``stale``, because
    the newer change enqueued its own run. Stops after ``max_batches`` batches when given.
    Safe to run twice: a second run finds nothing to change.
    """
    current, checker = compliance_checker_now()
    if version is None:
        version = current
    elif version != current:
        return RecheckRun(version, 0, 0, after_id, stale=True)
    checked = changed = batches = 0
    pending = ContentItem.objects.exclude(status=Status.RETIRED).order_by("pk")
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            items = list(pending.filter(pk__gt=after_id).select_for_update()[:batch_size])
            if not items:
                return RecheckRun(version, checked, changed, None)
            # Read after taking the locks: a rule committed since the run began is seen here.
            if rules_version_in_db() != version:
                return RecheckRun(version, checked, changed, after_id, stale=True)
            now = timezone.now()
            moved: list[ContentItem] = []
            for item in items:
                before = [getattr(item, name) for name in REPORT_FIELDS]
                content_check(item=item, save=False, checker=checker)
                if [getattr(item, name) for name in REPORT_FIELDS] != before:
                    moved.append(item)
            if moved:
                ContentItem.objects.bulk_update(moved, [*REPORT_FIELDS, "checked_at"])
            moved_ids = {item.pk for item in moved}
            same = [item.pk for item in items if item.pk not in moved_ids]
            ContentItem.objects.filter(pk__in=same).update(checked_at=now)
        checked += len(items)
        changed += len(moved)
        after_id = items[-1].pk
        batches += 1
    return RecheckRun(version, checked, changed, after_id)


def tags_from_names(names: Iterable[str], kind: str) -> list[Tag]:
    """The tags of ``kind`` with these names, created when new. Blank names are skipped."""
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        tag, _created = Tag.objects.get_or_create(kind=kind, name=name[:40])
        tags.append(tag)
    return tags


def _validate_dates(valid_from: datetime.date | None, valid_until: datetime.date | None) -> None:
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end of validity cannot be before its start.")})


@transaction.atomic
def content_create(
    *,
    actor: User | None,
    title: str,
    body: str,
    category: str,
    product_line: str = "",
    topic_tags: Sequence[str] = (),
    audience_tags: Sequence[str] = (),
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> ContentItem:
    """A new draft item, already checked. Tags are given by name and created when new."""
    _validate_dates(valid_from, valid_until)
    item = ContentItem(
        title=title,
        body=body,
        category=category,
        product_line=product_line or "",
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor if actor is not None and actor.pk else None,
        status=Status.DRAFT,
    )
    item.full_clean(exclude=["topic_tags", "audience_tags"])
    content_check(item=item, save=False)
    item.save()
    item.topic_tags.set(tags_from_names(topic_tags, Tag.Kind.TOPIC))
    item.audience_tags.set(tags_from_names(audience_tags, Tag.Kind.AUDIENCE))
    audit_log(actor=actor, action="content.create", target=item)
    return item


@transaction.atomic
def content_update(
    *,
    item: ContentItem,
    actor: User | None,
    topic_tags: Sequence[str] | None = None,
    audience_tags: Sequence[str] | None = None,
    **fields: Any,
) -> ContentItem:
    """Change an item's fields (not its status) and re-check it.

    Editing the checked text of an approved item sends it back to review.
    """
    allowed = {"title", "body", "category", "product_line", "valid_from", "valid_until"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"content_update cannot set {sorted(unknown)}")
    changed = {name for name, value in fields.items() if getattr(item, name) != value}
    for name, value in fields.items():
        setattr(item, name, "" if value is None and name == "product_line" else value)
    _validate_dates(item.valid_from, item.valid_until)
    item.full_clean(exclude=["topic_tags", "audience_tags"])
    item.save()
    if topic_tags is not None:
        item.topic_tags.set(tags_from_names(topic_tags, Tag.Kind.TOPIC))
    if audience_tags is not None:
        item.audience_tags.set(tags_from_names(audience_tags, Tag.Kind.AUDIENCE))
    return content_edited(item=item, actor=actor, changed_fields=changed)


def content_edited(
    *, item: ContentItem, actor: User | None, changed_fields: Iterable[str]
) -> ContentItem:
    """After an edit (API or admin): re-check, and send changed approved text back to review."""
    content_check(item=item)
    if item.status == Status.APPROVED and CHECKED_FIELDS & set(changed_fields):
        content_transition(item=item, to=Status.IN_REVIEW, actor=actor)
    return item


def content_transition(*, item: ContentItem, to: str, actor: User | None) -> ContentItem:
    """Move the item to status ``to``; raises ``TransitionRefused`` saying why when not allowed.

    Approving re-runs the compliance check first and is refused while a block finding exists.
    The caller may rely on the row being updated (who and when) and an audit event written.
    """
    to = Status(to)
    with transaction.atomic():
        locked = ContentItem.objects.select_for_update().get(pk=item.pk)
        if to not in TRANSITIONS[locked.status]:
            raise TransitionRefused(
                _("“%(title)s” cannot go from %(old)s to %(new)s.")
                % {
                    "title": locked.title,
                    "old": Status(locked.status).label,
                    "new": to.label,
                },
                code="illegal_transition",
            )
        refusal = None
        if to == Status.APPROVED:
            content_check(item=locked)
            if locked.has_block:
                codes = sorted({f["code"] for f in locked.findings if f["severity"] == "block"})
                refusal = TransitionRefused(
                    _("“%(title)s” cannot be approved while it has block findings (%(codes)s).")
                    % {"title": locked.title, "codes": ", ".join(codes)},
                    code="blocked",
                )
        if refusal is None:
            old = locked.status
            now = timezone.now()
            locked.status = to
            locked.status_changed_at = now
            locked.status_changed_by = actor if actor is not None and actor.pk else None
            update = ["status", "status_changed_at", "status_changed_by", "updated"]
            if to == Status.APPROVED:
                locked.approved_at = now
                locked.approved_by = locked.status_changed_by
                update += ["approved_at", "approved_by"]
            locked.save(update_fields=update)
            audit_log(actor=actor, action="content.status", target=locked, old=old, new=str(to))
    # The caller's object reflects the new state too.
    for name in (
        "status",
        "status_changed_at",
        "status_changed_by_id",
        "approved_at",
        "approved_by_id",
        "findings",
        "has_block",
        "warning_count",
        "checked_at",
    ):
        setattr(item, name, getattr(locked, name))
    if refusal is not None:
        # Raised after the commit, so the fresh compliance report is kept.
        raise refusal
    return item


def content_transition_many(
    *, items: Iterable[ContentItem], to: str, actor: User | None
) -> tuple[list[ContentItem], list[TransitionRefused]]:
    """Move each item on its own; returns (moved, refusals). One refusal stops no other."""
    moved, refused = [], []
    for item in items:
        try:
            moved.append(content_transition(item=item, to=to, actor=actor))
        except TransitionRefused as exc:
            refused.append(exc)
    return moved, refused


@transaction.atomic
def content_image_add(
    *,
    item: ContentItem,
    file: IO[bytes] | Any = None,
    position: int | None = None,
    processed: ProcessedImage | None = None,
) -> ContentImage:
    """Run ``file`` through the image pipeline and attach it to the item.

    ``processed`` may carry the pipeline's result when a form has already run it (the admin
    validates the upload in the form). Raises ``ImageRejected`` (a ValidationError with a
    readable message) for a bad file and ValidationError when the item already has nine
    images or the position is out of range.
    """
    # Lock the item so two uploads cannot both take the ninth slot.
    ContentItem.objects.select_for_update().filter(pk=item.pk).first()
    taken = ContentImage.objects.filter(item=item)
    if taken.count() >= MAX_IMAGES:
        raise ValidationError(
            _("An item holds at most %(max)s images.") % {"max": MAX_IMAGES}, code="too_many"
        )
    if position is None:
        used = set(taken.values_list("position", flat=True))
        position = min(set(range(MAX_IMAGES)) - used)
    if not 0 <= position < MAX_IMAGES:
        raise ValidationError(
            {"position": _("Position must be between 0 and %(last)s.") % {"last": MAX_IMAGES - 1}}
        )
    if processed is None:
        processed = process_image(file, MOMENT)
    image = ContentImage(item=item, position=position)
    content_image_store(image=image, processed=processed)
    image.save()
    return image


def content_image_store(*, image: ContentImage, processed: ProcessedImage) -> ContentImage:
    """Write the pipeline's output into the image's files (not yet saving the row).

    Files replaced on an existing row are deleted once the transaction commits.
    """
    old = [name for name in (image.image.name, image.thumbnail.name) if name]
    name = f"{uuid.uuid4().hex}.jpg"
    image.image.save(name, ContentFile(processed.content), save=False)
    image.thumbnail.save(name, ContentFile(processed.thumbnail), save=False)
    image.width, image.height = processed.width, processed.height
    storage = image.image.storage
    for stale in old:
        transaction.on_commit(lambda stale=stale: storage.delete(stale))
    return image
