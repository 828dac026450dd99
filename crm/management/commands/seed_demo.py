import importlib

from django.core.management.base import BaseCommand

from crm.demo import DEMO_LOGINS, DEMO_PASSWORD

# In dependency order: people, their contacts, the library, the planned posts, and last the
# interactions (some of which react to those posts).
DEMO_MODULES = [
    "crm.demo",
    "contacts.demo",
    "content.demo",
    "scheduler.demo",
    "contacts.demo_interactions",
]


class Command(BaseCommand):
    help = "Create the demo team, logins and data. Safe to run again."

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            importlib.import_module(name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<8} {login.role.label}")
