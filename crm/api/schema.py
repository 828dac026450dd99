"""OpenAPI post-processing: document the error answers every operation can give.

drf-spectacular documents only the success of each operation, yet any of them can answer
400 (bad input), 401 (no or bad credentials), 403 (role), 404 (not yours, or a stale cursor)
or 429 (throttled), and the post actions 409 (someone changed the post first). Clients and
the schemathesis run in CI (crm/tests/security/test_api_fuzz.py) rely on the schema saying so.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "``detail`` for a general error, or field name -> list of messages.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": "Invalid input: field errors, or ``detail``.",
    "401": "Not signed in: no, or a wrong, token or session.",
    "403": "Signed in, but the role may not do this.",
    "404": "No such object among those the caller may see (or a stale page cursor).",
    "429": "Too many requests: throttled, or locked out after failed logins.",
}
CONFLICT = "The post changed state meanwhile; reload it and try again."
CONFLICT_PREFIXES = ("/api/v1/posts/", "/api/v1/plans/")


def document_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry: add the error responses."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": error})
            if method != "get" and path.startswith(CONFLICT_PREFIXES):
                responses.setdefault("409", {"description": CONFLICT, "content": error})
    return result
