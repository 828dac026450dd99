"""Writes on personas: fields and the avatar (through the shared image pipeline)."""

from __future__ import annotations

import uuid
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from contacts.models import Persona
from crm.images import AVATAR, ImageRejected, process_image
from crm.models import User

_FIELDS = {"nickname", "signature", "licence_number", "account_started"}


def _apply(persona: Persona, fields: dict[str, Any], avatar: IO[bytes] | None) -> None:
    unknown = set(fields) - _FIELDS
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for key, value in fields.items():
        setattr(persona, key, value)
    persona.nickname = (persona.nickname or "").strip()
    persona.signature = (persona.signature or "").strip()
    persona.clean()
    persona.full_clean(exclude=["owner", "avatar", "avatar_thumb"])
    if avatar is not None:
        try:
            image = process_image(avatar, AVATAR)
        except ImageRejected as exc:
            raise ValidationError({"avatar": exc.messages}, code=exc.code) from exc
        stem = uuid.uuid4().hex
        # Old files are left for a storage sweep; a rollback must never lose the current one.
        persona.avatar.save(f"{stem}.jpg", ContentFile(image.content), save=False)
        persona.avatar_thumb.save(f"{stem}-thumb.jpg", ContentFile(image.thumbnail), save=False)
        persona.avatar_side = min(image.width, image.height)


@transaction.atomic
def persona_create(*, owner: User, avatar: IO[bytes] | None = None, **fields: Any) -> Persona:
    """A new persona for ``owner``. A bad avatar raises ``ValidationError`` on ``avatar``."""
    persona = Persona(owner=owner)
    _apply(persona, fields, avatar)
    persona.save()
    return persona


@transaction.atomic
def persona_update(*, persona: Persona, avatar: IO[bytes] | None = None, **fields: Any) -> Persona:
    """Change the given fields; a new avatar replaces the old one (cropped, cleaned, resized)."""
    _apply(persona, fields, avatar)
    persona.save()
    return persona
