"""``manage.py recompute_warmth [--team ID | --owner ID] [--reweigh]``: warmth from history."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from contacts.models import InteractionKind
from contacts.services import interactions_reweigh, warmth_recompute


class Command(BaseCommand):
    help = (
        "Recompute every contact's stored warmth and last interaction from the interaction "
        "history in one set-based SQL statement (after a half-life change, or to audit)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--team", type=int, help="only this team's contacts (team id)")
        scope.add_argument("--owner", type=int, help="only this agent's contacts (user id)")
        parser.add_argument(
            "--reweigh",
            action="store_true",
            help="first give past interactions their kind's current weight (all teams)",
        )

    def handle(self, *args, team: int | None, owner: int | None, reweigh: bool, **opts) -> None:
        started = time.perf_counter()
        if reweigh:
            interactions_reweigh(kinds=InteractionKind.objects.all())
        changed = warmth_recompute(team_id=team, owner_id=owner)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{changed} contacts changed in {elapsed:.2f} s")
