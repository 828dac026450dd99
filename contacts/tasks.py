"""Celery tasks: take ids, call a service. Safe to run twice (the service claims the row)."""

from celery import shared_task

from contacts.services import contact_import_run


@shared_task(name="contacts.tasks.contact_import_task")
def contact_import_task(import_id: int) -> str:
    """Run one contact import; returns its final status."""
    return contact_import_run(import_id=import_id).status
