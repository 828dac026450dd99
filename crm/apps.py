from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Teams and users")

    def ready(self) -> None:
        from crm.auth_backends import forget_user
        from crm.models import User

        def forget(sender, instance: User, **kwargs) -> None:
            forget_user(instance.pk)

        # weak=False: the receiver is a local function, which a weak reference would lose.
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                forget, sender=User, weak=False, dispatch_uid=f"crm.forget_cached_user.{name}"
            )
