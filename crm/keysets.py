"""Keyset conditions: the rows after a position in an ordering that ends in a unique column.

Both lists page this way: the API's cursor pages (``crm.api.pagination``) and the contact
list's (``contacts.selectors_list.Ordering.after``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q


def keyset_after(ordering: Sequence[str], position: Sequence[Any]) -> Q:
    """The rows after ``position`` (a row's value of each term of ``ordering``) in that
    ordering: later in the first term, or equal in it and later in the next, and so on."""
    later = None
    for term, value in reversed(list(zip(ordering, position, strict=True))):
        field = term.lstrip("-")
        beyond = Q(**{f"{field}__{'lt' if term.startswith('-') else 'gt'}": value})
        later = beyond if later is None else beyond | (Q(**{field: value}) & later)
    if len(ordering) > 1:
        # The same rows, and a range an index on the ordering can start at: PostgreSQL takes
        # the OR only as a filter, and would read every row before the position.
        first = ordering[0]
        way = "lte" if first.startswith("-") else "gte"
        later = Q(**{f"{first.lstrip('-')}__{way}": position[0]}) & later
    return later
