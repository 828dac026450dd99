"""An agent's private pool: personas (WeChat accounts), contacts, groups, tags and imports;
interactions and warmth alerts.

A package of named parts; every model and constant is importable from ``contacts.models``
as before (migrations name ``contacts.models.validate_licence_number``).
"""

from contacts.models.imports import ContactImport, DuplicatePolicy, ImportStatus
from contacts.models.interactions import (
    Alert,
    AlertKind,
    AlertRun,
    Interaction,
    InteractionCode,
    InteractionKind,
    InteractionQuerySet,
)
from contacts.models.personas import (
    AVATAR_MIN_SIDE,
    LICENCE_RE,
    NICKNAME_MAX_CHARS,
    SIGNATURE_MAX_CHARS,
    SIGNATURE_MIN_CHARS,
    TRADE_WORDS,
    VALUE_WORDS,
    ChecklistItem,
    Persona,
    nurturing_days,
    validate_licence_number,
)
from contacts.models.pool import (
    Contact,
    ContactGroup,
    ContactQuerySet,
    GroupKind,
    Stage,
    Tag,
)

__all__ = [
    "AVATAR_MIN_SIDE",
    "LICENCE_RE",
    "NICKNAME_MAX_CHARS",
    "SIGNATURE_MAX_CHARS",
    "SIGNATURE_MIN_CHARS",
    "TRADE_WORDS",
    "VALUE_WORDS",
    "Alert",
    "AlertKind",
    "AlertRun",
    "ChecklistItem",
    "Contact",
    "ContactGroup",
    "ContactImport",
    "ContactQuerySet",
    "DuplicatePolicy",
    "GroupKind",
    "ImportStatus",
    "Interaction",
    "InteractionCode",
    "InteractionKind",
    "InteractionQuerySet",
    "Persona",
    "Stage",
    "Tag",
    "nurturing_days",
    "validate_licence_number",
]
