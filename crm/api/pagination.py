from rest_framework.pagination import CursorPagination as BaseCursorPagination


class CursorPagination(BaseCursorPagination):
    """Cursor pages: stable under inserts and as fast on page 1,000 as on page 1.

    Views set ``ordering`` to an indexed, unique-ending ordering of their model.
    """

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200
