from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, **kwargs):  # type: ignore[no-untyped-def]
    # Permissions are created by post_migrate too; syncing after every migrate keeps
    # the role groups exactly in step with aidsite.access.ROLE_PERMISSIONS.
    from aidsite.access import roles_sync

    roles_sync()


class AidsiteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "aidsite"
    verbose_name = _("系统与权限")

    def ready(self) -> None:
        post_migrate.connect(_sync_role_groups, dispatch_uid="aidsite_sync_role_groups")
