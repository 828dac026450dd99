from django.apps import AppConfig


class HomesConfig(AppConfig):
    """The home pages: the agent's, the lead's, the curator's and the administrator's. The top
    of the house: it reads from contacts, content and scheduler, and nothing imports it."""

    name = "homes"
    verbose_name = "Homes"
