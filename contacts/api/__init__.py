"""REST API for personas, contacts, groups, tags and imports (registered in crm/api/urls.py)."""
