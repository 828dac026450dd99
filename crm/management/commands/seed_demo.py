import importlib

from django.apps import apps
from django.core.management.base import BaseCommand

from crm.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Create the demo team, logins and data. Safe to run again."

    def handle(self, *args, **options):
        # Each app that has a demo module seeds its own data, in INSTALLED_APPS order, so the
        # contacts exist before the posts that mention them.
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<8} {login.role.label}")
