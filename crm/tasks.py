import socket

from celery import shared_task
from django.utils import timezone

from crm.models import WorkerHeartbeat


@shared_task(name="crm.tasks.heartbeat")
def heartbeat(worker: str | None = None) -> str:
    """Record that a worker is consuming the queue (shown by /healthz). Safe to run twice."""
    name = worker or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"seen": timezone.now()})
    return name
