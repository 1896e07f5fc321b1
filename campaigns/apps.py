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
        _register_access()
        _student_record_register()


def _student_record_register() -> None:
    """The student's page (students knows no campaign) shows the child's home visits."""
    from campaigns.record import visits_section
    from students.record import student_record_section_register

    student_record_section_register("campaigns.visits", visits_section, order=30)


def _register_access() -> None:
    """What each role may do with campaigns, cards, visits and mentoring."""
    # aidsite.access imports aidsite.models: importable only once the app registry is ready.
    from aidsite.access import grant
    from aidsite.models import Role

    grant(Role.COUNTY_ADMIN, "campaigns.*")
    grant(
        Role.TOWNSHIP_STAFF,
        "campaigns.view_*",
        "campaigns.export_*",
        # The township organises its publicity campaigns (phases, leading group, kindergartens).
        "campaigns.*_campaign",
        "campaigns.*_campaignphase",
        "campaigns.*_campaignmember",
    )
    # Directors enter their kindergarten's visits, cards, activities and mentoring.
    grant(Role.DIRECTOR, "campaigns.*")
    grant(Role.AUDITOR, "campaigns.view_*", "campaigns.export_*")
