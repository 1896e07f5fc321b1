from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"
    verbose_name = _("宣传与走访")

    def ready(self) -> None:
        from aidsite.export_jobs import export_kind_register
        from campaigns.report_jobs import CampaignReport

        export_kind_register(CampaignReport())
