"""Cursor pages that hold the boundary row's value of every ordering term (a keyset).

DRF's ``CursorPagination`` keeps only the first term's value and counts the rows that share it
(an offset). Going back across a run of equal values it lost rows (DRF issues #7709, #7887),
and it caps the offset at 1,000, so a run longer than that (contacts never touched, tags used
by no one) repeated one page for ever. Here a cursor holds the values of the whole ordering,
which ends in a unique column, and a page is the rows strictly after (or before) them.

A column that is personal data stays out of the cursor (``contacts.selectors_list.ANCHORED``,
for the API and the contact list page alike): URLs end up in access logs and browser history, and an
erased contact's name must not outlive it there. For such a term (a view's
``cursor_anchored``) the cursor holds nothing, and the boundary row's value is read by its
id, among the rows the caller may see; if the row is gone or not theirs, the page is empty.
"""

from __future__ import annotations

import binascii
from base64 import b64decode, b64encode
from collections.abc import Iterable, Sequence
from typing import Any
from urllib import parse

from django.core.exceptions import ValidationError
from django.db.models import Q
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor
from rest_framework.pagination import CursorPagination as BaseCursorPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

UNIQUE_TERMS = frozenset({"id", "pk"})


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


def with_unique_end(ordering: Sequence[str]) -> tuple[str, ...]:
    """``ordering`` ending in the id (the same way as its last term) if it does not already:
    a keyset needs an ordering that no two rows share."""
    terms = tuple(ordering)
    if any(term.lstrip("-") in UNIQUE_TERMS for term in terms):
        return terms
    return (*terms, "-id" if terms and terms[-1].startswith("-") else "id")


def _reverse(ordering: Sequence[str]) -> tuple[str, ...]:
    return tuple(term[1:] if term.startswith("-") else f"-{term}" for term in ordering)


class CursorPagination(BaseCursorPagination):
    """Cursor pages: stable under inserts, as fast on page 1,000 as on page 1, and the same
    pages going back as going forward.

    Views set ``ordering`` to an indexed ordering of their model, of columns that hold no NULL
    (a NULL is neither before nor after a position); the id is added at its end when it is
    not in it (a nullable column is ordered through a ``Coalesce`` annotation, as the
    contacts' ``last_touch``). A view's ``cursor_anchored`` names the terms kept out of its
    cursors. The contact list page pages with the same code (``paginate_ordered``)."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        return with_unique_end(super().get_ordering(request, queryset, view))

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        return self.paginate_ordered(
            queryset,
            request,
            ordering=self.get_ordering(request, queryset, view),
            anchored=getattr(view, "cursor_anchored", ()),
            anchors=view.get_queryset() if view is not None else queryset,
        )

    def paginate_ordered(
        self,
        queryset,
        request,
        *,
        ordering: Sequence[str],
        anchored: Iterable[str] = (),
        anchors=None,
        first: bool = False,
    ) -> list:
        """The page of ``queryset`` in ``ordering`` (ending in a unique column) that the
        request's cursor opens, the first page without one; ``anchored`` terms stay out of the
        cursors and their value is read from the boundary row among ``anchors`` (the rows the
        caller may see, before filters). The API's ``paginate_queryset`` and the contact list
        page both page here; a cursor its columns cannot hold is ``NotFound``. ``first``:
        the first page, whatever the request's cursor."""
        self.request = request
        if not getattr(self, "page_size", None):
            self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = with_unique_end(ordering)
        self.anchored = frozenset(anchored)
        self.cursor = None if first else self.decode_cursor(request)
        backwards = self.cursor is not None and self.cursor.reverse
        position = None if self.cursor is None else self.cursor.position
        ordering = _reverse(self.ordering) if backwards else self.ordering
        if position is not None and len(position) != len(ordering):
            raise NotFound(self.invalid_cursor_message)
        rows = queryset.order_by(*ordering)
        if position is None:
            # One row more than the page tells whether there is a page beyond it.
            rows = list(rows[0 : self.page_size + 1])
        else:
            try:
                position = self._anchored(anchors, ordering, position)
                if position is None:  # the boundary row is gone, or not the caller's
                    rows = []
                else:
                    rows = rows.filter(keyset_after(ordering, position))
                    rows = list(rows[0 : self.page_size + 1])
            except (ValidationError, ValueError, TypeError) as error:
                # A position its columns cannot hold: text for a number, not a date-time.
                raise NotFound(self.invalid_cursor_message) from error
        self.page = rows[: self.page_size]
        beyond = len(rows) > self.page_size
        given = self.cursor is not None and self.cursor.position is not None
        if backwards:
            self.page.reverse()
            self.has_next, self.has_previous = given, beyond
        else:
            self.has_next, self.has_previous = beyond, given
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        # Nothing before a backwards cursor's position: the next page is the first.
        position = self._position(self.page[-1]) if self.page else None
        return self.encode_cursor(Cursor(offset=0, reverse=False, position=position))

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        # Nothing after a cursor's position (its rows are gone): the previous page is the last.
        position = self._position(self.page[0]) if self.page else None
        return self.encode_cursor(Cursor(offset=0, reverse=True, position=position))

    def _anchored(self, anchors, ordering: Sequence[str], position: list[str]) -> list[str] | None:
        """``position`` with the value of each anchored term read from the row of the
        position's id, among ``anchors`` (the rows the caller may see, before filters);
        ``None`` if there is no such row. One query, and only for an ordering with an
        anchored term."""
        names = [term.lstrip("-") for term in ordering]
        anchored = [name for name in names if name in self.anchored]
        if not anchored:
            return position
        pk = next(
            value for name, value in zip(names, position, strict=True) if name in UNIQUE_TERMS
        )
        found = list(anchors.order_by().filter(pk=pk).values(*anchored)[:1])
        if not found:
            return None
        return [
            str(found[0][name]) if name in self.anchored else value
            for name, value in zip(names, position, strict=True)
        ]

    def _position(self, row) -> tuple[str, ...]:
        """``row``'s value of each ordering term, as text; nothing for an anchored one."""
        read = row.__getitem__ if isinstance(row, dict) else row.__getattribute__
        return tuple(
            "" if term.lstrip("-") in self.anchored else str(read(term.lstrip("-")))
            for term in self.ordering
        )

    def decode_cursor(self, request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            text = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(text, keep_blank_values=True, strict_parsing=True)
            reverse = bool(int(tokens.get("r", ["0"])[0]))
        except (binascii.Error, UnicodeError, ValueError) as error:
            raise NotFound(self.invalid_cursor_message) from error
        position = tokens.get("p")
        if position is not None and any("\x00" in value for value in position):
            raise NotFound(self.invalid_cursor_message)  # no text column holds it
        return Cursor(offset=0, reverse=reverse, position=position)

    def encode_cursor(self, cursor: Cursor) -> str:
        tokens: dict[str, Any] = {}
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = list(cursor.position)
        if not tokens:  # the first page
            return remove_query_param(self.base_url, self.cursor_query_param)
        encoded = b64encode(parse.urlencode(tokens, doseq=True).encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)
