from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """The top floor: reads every app (the 工作台's to-dos); no other app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "oversight"
    verbose_name = _("督导与待办")

    def ready(self) -> None:
        # The admin index shows what apps register (aidsite names no app): the to-dos panel.
        from aidsite.admin_index import admin_index_panel_register
        from oversight.todos import todos_panel

        admin_index_panel_register("oversight/todos.html", todos_panel)
