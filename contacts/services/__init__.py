"""Writes on personas, contacts, groups and tags, imports and exports.

Every function is keyword-only, typed, and atomic when it touches more than one row. Callers
pass objects they got from ``visible_to(user)`` / ``owned_by(user)``; these functions check
that related objects (persona, tags, groups) belong to the same owner.
"""

from contacts.services.contacts import (
    contact_create,
    contact_erase,
    contact_erased,
    contact_phone_reveal,
    contact_update,
    contacts_move_to_group,
    contacts_set_stage,
    contacts_tag,
    contacts_untag,
    group_create,
    group_delete,
    group_update,
    tag_create,
    tag_rename,
    tags_resolve,
)
from contacts.services.exports import contacts_export
from contacts.services.imports import contact_import_run, contact_import_start
from contacts.services.interactions import (
    interaction_delete,
    interaction_log,
    interaction_move,
    interactions_reweigh,
    warmth_recompute,
)
from contacts.services.personas import persona_create, persona_update

__all__ = [
    "contact_create",
    "contact_erase",
    "contact_erased",
    "contact_import_run",
    "contact_import_start",
    "contact_phone_reveal",
    "contact_update",
    "contacts_export",
    "contacts_move_to_group",
    "contacts_set_stage",
    "contacts_tag",
    "contacts_untag",
    "group_create",
    "group_delete",
    "group_update",
    "interaction_delete",
    "interaction_log",
    "interaction_move",
    "interactions_reweigh",
    "persona_create",
    "persona_update",
    "tag_create",
    "tag_rename",
    "tags_resolve",
    "warmth_recompute",
]
