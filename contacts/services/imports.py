"""Contact import: start (store the file, enqueue on commit) and run (in a Celery worker).

The run writes in batches; each batch's contacts and the import's progress commit together,
so a redelivered task (a worker died mid-file) resumes after the last committed batch and a
finished import is never run twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from contacts.importing import (
    MAX_BYTES,
    CleanRow,
    ColumnNote,
    ImportFileError,
    RowProblem,
    clean_row,
    read_rows,
    stage_lookup,
)
from contacts.models import (
    Contact,
    ContactImport,
    DuplicatePolicy,
    ImportStatus,
    Persona,
    Stage,
)
from contacts.services.contacts import groups_resolve, tags_resolve
from crm.database import bulk_set
from crm.models import User

BATCH_SIZE = 1000
ALLOWED_SUFFIXES = (".csv", ".xlsx")

SAME_PHONE_AS_ROW = gettext_noop("Same mobile number as row %(row)s.")
SAME_WECHAT_AS_ROW = gettext_noop("Same WeChat ID as row %(row)s.")
TWO_CONTACTS = gettext_noop("The mobile number and the WeChat ID belong to two different contacts.")
ERASED = gettext_noop("This contact was erased on request.")
ALREADY_THERE = gettext_noop("You already have this contact; row skipped.")
UPDATED_BY_ANOTHER_ROW = gettext_noop("Another row already updated this contact.")


def contact_import_start(
    *,
    owner: User,
    file: IO[bytes] | File,
    filename: str,
    on_duplicate: str = DuplicatePolicy.SKIP,
    persona: Persona | None = None,
    queue: str | None = None,
) -> ContactImport:
    """Store the upload and enqueue its import once the transaction commits.

    Returns the pending ``ContactImport`` (its id is what the browser and the API poll).
    Raises ``ValidationError`` on ``file``, ``on_duplicate`` or ``persona`` for bad input.
    """
    if not filename.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError({"file": _("Upload a .csv or .xlsx file.")}, code="bad_type")
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than 10 MB; split it into smaller files.")},
            code="too_large",
        )
    if isinstance(size, int) and size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    if on_duplicate not in DuplicatePolicy.values:
        raise ValidationError({"on_duplicate": _("Choose update or skip.")}, code="invalid")
    if persona is not None and persona.owner_id != owner.pk:
        raise ValidationError({"persona": _("Choose one of your own.")}, code="not_owner")
    with transaction.atomic():
        contact_import = ContactImport(
            owner=owner, original_name=filename[:200], on_duplicate=on_duplicate, persona=persona
        )
        suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
        django_file = file if isinstance(file, File) else File(file)
        contact_import.file.save(f"import{suffix}", django_file, save=False)
        contact_import.save()
        transaction.on_commit(lambda: _enqueue(contact_import.pk, queue))
    return contact_import


def _enqueue(import_id: int, queue: str | None) -> None:
    from contacts.tasks import contact_import_task

    options = {"queue": queue} if queue else {}
    contact_import_task.apply_async(args=[import_id], **options)


def _claim(import_id: int) -> bool:
    """Take the import for this run: pending, or running but abandoned by a dead worker."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 300) + 60)
    return bool(
        ContactImport.objects.filter(pk=import_id)
        .filter(
            Q(status=ImportStatus.PENDING) | Q(status=ImportStatus.RUNNING, started_at__lt=stale)
        )
        .update(status=ImportStatus.RUNNING, started_at=now)
    )


def _personas(owner: User) -> dict[str, int | None]:
    """The owner's personas by nickname; ``None`` for a nickname two of them share."""
    by_nickname: dict[str, int | None] = {}
    for pk, nickname in Persona.objects.filter(owner=owner).values_list("pk", "nickname"):
        by_nickname[nickname] = None if nickname in by_nickname else pk
    return by_nickname


def _prepare(contact_import: ContactImport) -> tuple[list[CleanRow | RowProblem], list[ColumnNote]]:
    """Every row of the file, checked (a row to write or the problem that keeps it out), and
    the columns that were not read."""
    with contact_import.file.open("rb") as handle:
        sheet = read_rows(handle, contact_import.original_name or contact_import.file.name)
    stages = stage_lookup()
    personas = _personas(contact_import.owner) if "persona" in sheet.columns else {}
    seen_phone: dict[str, int] = {}
    seen_wechat: dict[str, int] = {}
    results: list[CleanRow | RowProblem] = []
    for row, values in sheet.rows:
        result = clean_row(row, values, stages, personas)
        if isinstance(result, CleanRow):
            if result.phone and result.phone in seen_phone:
                result = RowProblem(
                    row, "phone", SAME_PHONE_AS_ROW, {"row": seen_phone[result.phone]}
                )
            elif result.wechat_id and result.wechat_id in seen_wechat:
                result = RowProblem(
                    row, "wechat_id", SAME_WECHAT_AS_ROW, {"row": seen_wechat[result.wechat_id]}
                )
            else:
                if result.phone:
                    seen_phone[result.phone] = row
                if result.wechat_id:
                    seen_wechat[result.wechat_id] = row
        results.append(result)
    return results, sheet.notes


def contact_import_run(*, import_id: int) -> ContactImport:
    """Run the import (in a worker). Safe to call twice: a finished import is left alone.

    Afterwards ``created_count + updated_count + skipped_count == total`` and ``errors`` has
    one ``{row, column, reason}`` for every row that was not created or updated.
    """
    if not _claim(import_id):
        return ContactImport.objects.get(pk=import_id)
    contact_import = ContactImport.objects.select_related("owner", "persona").get(pk=import_id)
    return _run(contact_import)


def _run(contact_import: ContactImport) -> ContactImport:
    # The report is stored as msgids and params: it is read later, by whoever opens it, in
    # their language (the worker has none).
    import_id = contact_import.pk
    try:
        results, notes = _prepare(contact_import)
    except ImportFileError as exc:
        return _finish(contact_import, ImportStatus.FAILED, exc.message, exc.params)
    ContactImport.objects.filter(pk=import_id).update(
        total=len(results), ignored_columns=[note.as_dict() for note in notes]
    )
    start = contact_import.processed  # resume after the last committed batch
    for offset in range(start, len(results), BATCH_SIZE):
        batch = results[offset : offset + BATCH_SIZE]
        with transaction.atomic():
            created, updated, problems = _write_batch(contact_import, batch)
            fresh = ContactImport.objects.select_for_update().get(pk=import_id)
            ContactImport.objects.filter(pk=import_id).update(
                processed=F("processed") + len(batch),
                created_count=F("created_count") + created,
                updated_count=F("updated_count") + updated,
                skipped_count=F("skipped_count") + len(problems),
                errors=fresh.errors + [p.as_dict() for p in problems],
            )
    contact_import.refresh_from_db()
    return _finish(contact_import, ImportStatus.DONE, "")


def _finish(
    contact_import: ContactImport, status: str, failure: str, failure_params: dict | None = None
) -> ContactImport:
    """Record the outcome and delete the uploaded file: the row report is kept in ``errors``,
    and a stored copy of the sheet would keep personal data past an erasure (PIPL)."""
    contact_import.status = status
    contact_import.failure = failure
    contact_import.failure_params = failure_params or {}
    contact_import.finished_at = timezone.now()
    if contact_import.file.name:
        contact_import.file.storage.delete(contact_import.file.name)
        contact_import.file.name = ""
    contact_import.save(
        update_fields=["status", "failure", "failure_params", "finished_at", "file"]
    )
    return contact_import


# What a row sets on a contact it updates, by attribute; a value left empty in the file
# (None for a date, a yes/no or a persona) keeps what the agent already has.
_TEXT_FIELDS = ("name", "remark", "wechat_id", "phone", "source", "city", "stage", "notes")
_OTHER_FIELDS = ("next_follow_up", "marketing_consent", "persona_id")


def _given(row: CleanRow) -> dict[str, Any]:
    """The values the row's cells give (an empty cell never wipes what the agent has)."""
    given: dict[str, Any] = {key: getattr(row, key) for key in _TEXT_FIELDS if getattr(row, key)}
    given.update((key, getattr(row, key)) for key in _OTHER_FIELDS if getattr(row, key) is not None)
    return given


def _write_batch(
    contact_import: ContactImport, batch: list[CleanRow | RowProblem]
) -> tuple[int, int, list[RowProblem]]:
    """Write a batch in a few queries; returns (created, updated, problems).

    An updated contact whose values the row does not change is not written at all, so an
    export imported back leaves every contact as it was, its ``updated`` time included. A
    persona named in the row wins over the one chosen for the whole import, which goes to new
    contacts and to existing ones without a persona.
    """
    owner = contact_import.owner
    update_existing = contact_import.on_duplicate == DuplicatePolicy.UPDATE
    problems = [item for item in batch if isinstance(item, RowProblem)]
    rows = [item for item in batch if isinstance(item, CleanRow)]
    phones = {r.phone for r in rows if r.phone}
    wechats = {r.wechat_id for r in rows if r.wechat_id}
    by_phone: dict[str, Contact] = {}
    by_wechat: dict[str, Contact] = {}
    if phones or wechats:
        for contact in Contact.objects.filter(owner=owner).filter(
            Q(phone__in=phones) | Q(wechat_id__in=wechats)
        ):
            if contact.phone:
                by_phone[contact.phone] = contact
            if contact.wechat_id:
                by_wechat[contact.wechat_id] = contact

    new: list[tuple[CleanRow, Contact]] = []
    matched: dict[int, tuple[CleanRow, Contact]] = {}
    rewrite: list[Contact] = []
    for row in rows:
        match_phone = by_phone.get(row.phone) if row.phone else None
        match_wechat = by_wechat.get(row.wechat_id) if row.wechat_id else None
        if match_phone and match_wechat and match_phone.pk != match_wechat.pk:
            problems.append(RowProblem(row.row, "wechat_id", TWO_CONTACTS))
            continue
        existing = match_phone or match_wechat
        if existing is None:
            contact = Contact(
                owner=owner,
                persona_id=row.persona_id or contact_import.persona_id,
                name=row.name,
                remark=row.remark,
                wechat_id=row.wechat_id,
                phone=row.phone,
                source=row.source,
                city=row.city,
                stage=row.stage or Stage.NEW_FRIEND,
                notes=row.notes,
                next_follow_up=row.next_follow_up,
                marketing_consent=bool(row.marketing_consent),
            )
            new.append((row, contact))
            continue
        column = "phone" if match_phone else "wechat_id"
        if existing.is_erased:
            problems.append(RowProblem(row.row, column, ERASED))
        elif not update_existing:
            problems.append(RowProblem(row.row, column, ALREADY_THERE))
        elif existing.pk in matched:
            problems.append(RowProblem(row.row, column, UPDATED_BY_ANOTHER_ROW))
        else:
            given = _given(row)
            if "persona_id" not in given and contact_import.persona_id and not existing.persona_id:
                given["persona_id"] = contact_import.persona_id
            if any(getattr(existing, key) != value for key, value in given.items()):
                for key, value in given.items():
                    setattr(existing, key, value)
                rewrite.append(existing)
            matched[existing.pk] = (row, existing)

    Contact.objects.bulk_create([contact for _row, contact in new], batch_size=BATCH_SIZE)
    if rewrite:
        now = timezone.now()
        for contact in rewrite:
            contact.updated = now
        bulk_set(
            Contact,
            rewrite,
            [*_TEXT_FIELDS, "next_follow_up", "marketing_consent", "persona", "updated"],
        )
    _link_tags_and_groups(owner, [*new, *matched.values()])
    problems.sort(key=lambda problem: problem.row)
    return len(new), len(matched), problems


def _link_tags_and_groups(owner: User, written: list[tuple[CleanRow, Contact]]) -> None:
    tag_names = {name for row, _contact in written for name in row.tags}
    group_names = {name for row, _contact in written for name in row.groups}
    tags = {tag.name: tag.pk for tag in tags_resolve(owner=owner, names=sorted(tag_names))}
    groups = {g.name: g.pk for g in groups_resolve(owner=owner, names=sorted(group_names))}
    tag_links = defaultdict(set)
    group_links = defaultdict(set)
    for row, contact in written:
        tag_links[contact.pk].update(tags[name] for name in row.tags)
        group_links[contact.pk].update(groups[name] for name in row.groups)
    TagLink = Contact.tags.through
    GroupLink = Contact.groups.through
    TagLink.objects.bulk_create(
        [TagLink(contact_id=c, tag_id=t) for c, ids in tag_links.items() for t in ids],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )
    GroupLink.objects.bulk_create(
        [GroupLink(contact_id=c, contactgroup_id=g) for c, ids in group_links.items() for g in ids],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )
