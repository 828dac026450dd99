"""Publishers: where a due post goes. Pluggable by name (setting ``SCHEDULER_PUBLISHERS``).

Every publisher gets the post and its idempotency key and must be safe to call twice with the
same key (dispatch re-sends after a worker died mid-send; see ``scheduler.dispatch``). A
publisher that fails raises ``PublishError``; dispatch retries it with backoff.

- ``reminder`` (default): WeChat personal Moments have no publishing API, so the ready post
  goes on the agent's dashboard as a Reminder (text to copy, images to save), keyed by the
  idempotency key (unique), plus an e-mail when the agent has an address and
  ``SCHEDULER_EMAIL_REMINDERS`` is on. The e-mail goes while the row has no ``emailed_at``:
  a re-send after it went sends no second one, and the retry after a failed e-mail (or after
  a worker died before sending it) sends it then. A worker killed between the mail server's
  answer and stamping ``emailed_at`` can, at worst, repeat the e-mail once.
- ``wecom_webhook``: POSTs the text to a WeCom group robot: the agent's team's
  ``wecom_webhook_url``, else the site-wide ``SCHEDULER_WECOM_WEBHOOK_URL``.
  The robot API has no idempotency key; dispatch records each publisher's success per post
  (a unique row), so a retry after a *recorded* success skips it. A worker killed between the
  robot's answer and that record can, at worst, repeat the robot message once.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler.models import MomentPost, Reminder, ReminderKind


class PublishError(Exception):
    """The channel refused or could not be reached; the message is shown to the agent."""


class Publisher(Protocol):
    name: str

    def publish(self, *, post: MomentPost, idempotency_key: uuid.UUID) -> str:
        """Deliver the post; return a short receipt. Raise PublishError on failure."""


REGISTRY: dict[str, Callable[[], Publisher]] = {}


def register(name: str) -> Callable[[type], type]:
    def decorate(cls: type) -> type:
        cls.name = name
        REGISTRY[name] = cls
        return cls

    return decorate


def configured_publishers() -> list[Publisher]:
    """The publishers named in ``SCHEDULER_PUBLISHERS``, in order; an unknown name is a
    configuration error raised at once rather than a post silently not sent."""
    names = settings.SCHEDULER_PUBLISHERS or ["reminder"]
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise LookupError(f"Unknown SCHEDULER_PUBLISHERS: {', '.join(unknown)}")
    return [REGISTRY[name]() for name in names]


def post_message(post: MomentPost) -> str:
    return post.text


def media_link(path: str) -> str:
    """An uploaded file's address for an e-mail: a mail reader has no "current site", so a
    relative ``MEDIA_URL`` gets the site's address (``SITE_URL``) in front."""
    url = settings.MEDIA_URL + path
    if "://" in settings.MEDIA_URL:
        return url
    return settings.SITE_URL + url


@register("reminder")
class ReminderPublisher:
    name = "reminder"

    def publish(self, *, post: MomentPost, idempotency_key: uuid.UUID) -> str:
        owner = post.persona.owner
        try:
            # Insert first: the common case is one statement; a re-send hits the unique key.
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    idempotency_key=idempotency_key,
                    owner=owner,
                    post=post,
                    kind=ReminderKind.POST_READY,
                    text=post.text,
                    image_paths=post.image_paths,
                )
            created = True
        except IntegrityError:
            reminder, created = Reminder.objects.get(idempotency_key=idempotency_key), False
        if reminder.emailed_at is None and settings.SCHEDULER_EMAIL_REMINDERS and owner.email:
            self._email(reminder, post)
        delay = settings.SCHEDULER_TEST_PUBLISH_DELAY
        if delay:
            time.sleep(delay)
        return f"reminder {reminder.pk}" + ("" if created else " (existing)")

    def _email(self, reminder: Reminder, post: MomentPost) -> None:
        images = "\n".join(media_link(path) for path in post.image_paths)
        body = f"{post.text}\n\n{images}".strip()
        subject = _("Time to post on %(persona)s's Moments") % {"persona": post.persona.nickname}
        try:
            send_mail(subject, body, None, [post.persona.owner.email])
        except Exception as exc:  # SMTP errors vary by backend; the dashboard copy stands.
            raise PublishError(_("E-mail failed: %(error)s") % {"error": exc}) from exc
        Reminder.objects.filter(pk=reminder.pk).update(emailed_at=timezone.now())


def robot_url(post: MomentPost) -> str:
    """The WeCom robot a post goes to: its team's own, else the site-wide one ("" if none)."""
    team = post.persona.owner.team
    return (team.wecom_webhook_url if team else "") or settings.SCHEDULER_WECOM_WEBHOOK_URL


@register("wecom_webhook")
class WeComWebhookPublisher:
    """A WeCom (企业微信) group robot: https://developer.work.weixin.qq.com/document/path/91770"""

    name = "wecom_webhook"
    timeout = 10  # seconds; below the dispatch lease

    def publish(self, *, post: MomentPost, idempotency_key: uuid.UUID) -> str:
        url = robot_url(post)
        if not url:
            raise PublishError(_("No WeCom webhook URL is configured."))
        payload = {
            "msgtype": "text",
            "text": {"content": f"{post.persona.nickname}\n{post_message(post)}"},
        }
        request = urllib.request.Request(
            url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": str(idempotency_key),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise PublishError(_("WeCom answered HTTP %(code)s") % {"code": exc.code}) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise PublishError(_("WeCom unreachable: %(error)s") % {"error": exc}) from exc
        try:
            answer = json.loads(body)
        except ValueError as exc:
            raise PublishError(_("WeCom answered something that is not JSON.")) from exc
        if answer.get("errcode", 0) != 0:
            raise PublishError(
                _("WeCom refused: %(code)s %(msg)s")
                % {"code": answer.get("errcode"), "msg": answer.get("errmsg", "")}
            )
        return "wecom ok"
