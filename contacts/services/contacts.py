"""Writes on contacts, their tags and groups, erasure and phone reveals."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import django.dispatch
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact, ContactGroup, GroupKind, Stage, Tag
from contacts.phones import normalise_phone
from crm.models import User
from crm.services import audit_log

# Sent inside the erasure transaction with ``contact`` and ``actor``: other modules holding
# personal data about a contact (the interactions' free text) wipe theirs in a receiver.
contact_erased = django.dispatch.Signal()

TAG_SPLIT_RE = re.compile("[,\uff0c\u3001]")  # , and the full-width comma and 、
_EDITABLE = {
    "name",
    "remark",
    "wechat_id",
    "phone",
    "source",
    "city",
    "stage",
    "notes",
    "next_follow_up",
    "marketing_consent",
    "persona",
}


def split_names(text: str) -> list[str]:
    """``"宝妈, 高意向、宝妈"`` -> ``["宝妈", "高意向"]``.

    Split on commas (half- and full-width) and 、, stripped and de-duplicated in order.
    """
    seen: dict[str, None] = {}
    for part in TAG_SPLIT_RE.split(text or ""):
        part = part.strip()
        if part:
            seen.setdefault(part[:40], None)
    return list(seen)


def normalise_notes(text: str) -> str:
    """Notes with plain ``\\n`` line ends. A browser's text box sends ``\\r\\n``; a workbook
    cell keeps no ``\\r``, so notes stored that way would change on an export and import."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def tags_resolve(*, owner: User, names: Iterable[str]) -> list[Tag]:
    """The owner's tags with these names, creating the missing ones. Order follows ``names``."""
    wanted = [name.strip()[:40] for name in names if name and name.strip()]
    if not wanted:
        return []
    Tag.objects.bulk_create(
        [Tag(owner=owner, name=name) for name in set(wanted)], ignore_conflicts=True
    )
    by_name = {tag.name: tag for tag in Tag.objects.filter(owner=owner, name__in=wanted)}
    return [by_name[name] for name in dict.fromkeys(wanted)]


def _tag_check_name(tag: Tag) -> None:
    if not tag.name:
        raise ValidationError({"name": _("A tag needs a name.")}, code="required")
    clash = Tag.objects.filter(owner_id=tag.owner_id, name=tag.name).exclude(pk=tag.pk)
    if clash.exists():
        raise ValidationError({"name": _("You already have a tag of that name.")}, code="dup")


def tag_create(*, owner: User, name: str) -> Tag:
    """A new tag of the owner's; an empty name or one the owner already uses is a field error."""
    tag = Tag(owner=owner, name=name.strip()[:40])
    _tag_check_name(tag)
    tag.save()
    return tag


def tag_rename(*, tag: Tag, name: str) -> Tag:
    """Give the tag a new name; an empty name or one the owner already uses is a field error."""
    tag.name = name.strip()[:40]
    _tag_check_name(tag)
    tag.save(update_fields=["name"])
    return tag


def groups_resolve(*, owner: User, names: Iterable[str]) -> list[ContactGroup]:
    """The owner's groups with these names, creating missing ones as tag groups."""
    wanted = [name.strip()[:60] for name in names if name and name.strip()]
    if not wanted:
        return []
    ContactGroup.objects.bulk_create(
        [ContactGroup(owner=owner, name=name) for name in set(wanted)], ignore_conflicts=True
    )
    by_name = {g.name: g for g in ContactGroup.objects.filter(owner=owner, name__in=wanted)}
    return [by_name[name] for name in dict.fromkeys(wanted)]


def _check_same_owner(owner: User, objects: Iterable[Any], field: str) -> None:
    for obj in objects:
        if obj is not None and obj.owner_id != owner.pk:
            raise ValidationError({field: _("Choose one of your own.")}, code="not_owner")


def _check_unique(contact: Contact) -> None:
    """Field errors for a phone or WeChat ID the owner already has on another contact."""
    errors: dict[str, str] = {}
    others = Contact.objects.filter(owner_id=contact.owner_id).exclude(pk=contact.pk)
    if contact.phone and others.filter(phone=contact.phone).exists():
        errors["phone"] = _("You already have a contact with this mobile number.")
    if contact.wechat_id and others.filter(wechat_id=contact.wechat_id).exists():
        errors["wechat_id"] = _("You already have a contact with this WeChat ID.")
    if errors:
        raise ValidationError(errors, code="duplicate")


def _apply(contact: Contact, fields: dict[str, Any]) -> None:
    unknown = set(fields) - _EDITABLE
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for key, value in fields.items():
        setattr(contact, key, value)
    contact.name = (contact.name or "").strip()
    contact.wechat_id = (contact.wechat_id or "").strip()
    if not contact.name:
        raise ValidationError({"name": _("A contact needs a name.")}, code="required")
    if "notes" in fields:
        contact.notes = normalise_notes(contact.notes)
    if "phone" in fields:
        try:
            contact.phone = normalise_phone(contact.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}, code="invalid_phone") from exc
    if contact.stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")}, code="invalid_stage")


def _save(contact: Contact) -> None:
    _check_unique(contact)
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as exc:  # a concurrent write took the phone or WeChat ID first
        raise ValidationError(
            {"phone": _("You already have a contact with this mobile number or WeChat ID.")},
            code="duplicate",
        ) from exc


@transaction.atomic
def contact_create(
    *,
    owner: User,
    name: str,
    tag_names: Iterable[str] = (),
    groups: Iterable[ContactGroup] = (),
    **fields: Any,
) -> Contact:
    """Create a contact for ``owner``; the phone is normalised to E.164.

    Raises ``ValidationError`` with field errors for a missing name, a bad or duplicate phone,
    a duplicate WeChat ID, or a persona/group of another owner.
    """
    groups = list(groups)
    _check_same_owner(owner, [fields.get("persona")], "persona")
    _check_same_owner(owner, groups, "groups")
    contact = Contact(owner=owner)
    _apply(contact, {"name": name, **fields})
    _save(contact)
    contact.tags.set(tags_resolve(owner=owner, names=tag_names))
    contact.groups.set(groups)
    return contact


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    tag_names: Iterable[str] | None = None,
    groups: Iterable[ContactGroup] | None = None,
    **fields: Any,
) -> Contact:
    """Change the given fields (and, when passed, replace the tags or groups)."""
    if contact.is_erased:
        raise ValidationError(_("An erased contact cannot be edited."), code="erased")
    owner = contact.owner
    _check_same_owner(owner, [fields.get("persona")], "persona")
    if groups is not None:
        groups = list(groups)
        _check_same_owner(owner, groups, "groups")
    _apply(contact, fields)
    _save(contact)
    if tag_names is not None:
        contact.tags.set(tags_resolve(owner=owner, names=tag_names))
    if groups is not None:
        contact.groups.set(groups)
    return contact


def contact_phone_reveal(*, contact: Contact, actor: User) -> str:
    """The full mobile number, with an audit event saying who saw whose number and when."""
    audit_log(actor=actor, action="contact.phone_reveal", target=contact)
    return contact.phone_national if contact.phone.startswith("+86") else contact.phone


@transaction.atomic
def contact_erase(*, contact: Contact, actor: User, reason: str = "") -> Contact:
    """Erase a contact's personal data on request (PIPL art. 47), keeping an anonymous shell.

    Name, remark, phone, WeChat ID, city, notes, follow-up date, tags and groups are wiped;
    the row stays with its stage, source, created date and warmth so that counts stay right.
    Receivers of ``contact_erased`` wipe what other modules hold (interaction free text).
    """
    if contact.is_erased:
        return contact
    Contact.objects.filter(pk=contact.pk).update(
        name="",
        remark="",
        phone="",
        wechat_id="",
        city="",
        notes="",
        next_follow_up=None,
        marketing_consent=False,
        erased_at=timezone.now(),
    )
    contact.tags.clear()
    contact.groups.clear()
    # The admin's history names the object it changed; keep the entries, drop the name.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk)
    ).update(object_repr=f"#{contact.pk}", change_message="")
    contact_erased.send(sender=Contact, contact=contact, actor=actor)
    # Who and when are on the event; the reason is the requester's words, never personal data.
    audit_log(actor=actor, action="contact.erase", target=contact, reason=reason[:200])
    contact.refresh_from_db()
    return contact


def _ids(contacts: QuerySet[Contact]) -> list[int]:
    return list(contacts.active().values_list("pk", flat=True))


@transaction.atomic
def contacts_tag(*, owner: User, contacts: QuerySet[Contact], tag_names: Iterable[str]) -> int:
    """Add the tags to each of the owner's contacts in ``contacts``; returns how many contacts."""
    ids = _ids(contacts.owned_by(owner))
    tags = tags_resolve(owner=owner, names=tag_names)
    through = Contact.tags.through
    through.objects.bulk_create(
        [through(contact_id=cid, tag_id=tag.pk) for cid in ids for tag in tags],
        ignore_conflicts=True,
    )
    return len(ids)


@transaction.atomic
def contacts_untag(*, owner: User, contacts: QuerySet[Contact], tags: Iterable[Tag]) -> int:
    """Remove the tags from the owner's contacts in ``contacts``; returns how many contacts."""
    tags = list(tags)
    _check_same_owner(owner, tags, "tags")
    ids = _ids(contacts.owned_by(owner))
    Contact.tags.through.objects.filter(contact_id__in=ids, tag__in=tags).delete()
    return len(ids)


@transaction.atomic
def contacts_move_to_group(
    *, owner: User, contacts: QuerySet[Contact], group: ContactGroup, exclusive: bool = False
) -> int:
    """Put the contacts in ``group`` (and, if ``exclusive``, take them out of all others)."""
    _check_same_owner(owner, [group], "group")
    ids = _ids(contacts.owned_by(owner))
    through = Contact.groups.through
    if exclusive:
        through.objects.filter(contact_id__in=ids).exclude(contactgroup=group).delete()
    through.objects.bulk_create(
        [through(contact_id=cid, contactgroup_id=group.pk) for cid in ids], ignore_conflicts=True
    )
    return len(ids)


def contacts_set_stage(*, owner: User, contacts: QuerySet[Contact], stage: str) -> int:
    """Set the lifecycle stage of the owner's contacts; returns how many rows changed."""
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")}, code="invalid_stage")
    return contacts.owned_by(owner).active().update(stage=stage, updated=timezone.now())


def group_create(
    *, owner: User, name: str, kind: str = GroupKind.TAG_GROUP, description: str = ""
) -> ContactGroup:
    """A new group of the owner's; a name the owner already uses is a field error."""
    group = ContactGroup(owner=owner, name=name.strip(), kind=kind, description=description)
    return _group_save(group)


def group_update(*, group: ContactGroup, **fields: Any) -> ContactGroup:
    for key in ("name", "kind", "description"):
        if key in fields:
            setattr(group, key, fields[key].strip() if key == "name" else fields[key])
    return _group_save(group)


def _group_save(group: ContactGroup) -> ContactGroup:
    if not group.name:
        raise ValidationError({"name": _("A group needs a name.")}, code="required")
    if group.kind not in GroupKind.values:
        raise ValidationError({"kind": _("Unknown kind of group.")}, code="invalid")
    clash = ContactGroup.objects.filter(owner_id=group.owner_id, name=group.name)
    if clash.exclude(pk=group.pk).exists():
        raise ValidationError({"name": _("You already have a group of that name.")}, code="dup")
    group.save()
    return group


def group_delete(*, group: ContactGroup) -> None:
    """Delete the group; its contacts stay, only the membership goes."""
    group.delete()
