"""The campaign report (宣传活动工作报告) as an export-centre kind (SECURITY F2).

A campaign report gathers every activity and summary of the campaign's
kindergartens, so a township's or the county's copy runs to many pages: it is
rendered in the background (`aidsite.export_jobs`), not inside the request. A
single visit record (one page) stays in-request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset
from aidsite.export_jobs import ExportError, ExportKind
from aidsite.lib.pdf import render_pdf
from campaigns.models import Campaign
from campaigns.reports import campaign_report_context, campaign_report_title

if TYPE_CHECKING:
    from aidsite.access import Actor

CAMPAIGN_REPORT_KIND = "campaign_report"
TEMPLATE = "reports/campaign_report.html"

__all__ = ["CAMPAIGN_REPORT_KIND", "CampaignReport", "CampaignReportForm", "campaign_report_title"]


class CampaignReportForm(forms.Form):
    """The export centre's parameters: one campaign the user may see."""

    campaign = forms.ModelChoiceField(label=_("宣传活动"), queryset=Campaign.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = scope_queryset(
            user, Campaign.objects.select_related("school_year")
        )

    def parameters(self) -> dict[str, Any]:
        return {"campaign": self.cleaned_data["campaign"].pk}

    def title(self) -> str:
        return campaign_report_title(self.cleaned_data["campaign"])


class CampaignReport(ExportKind):
    """The campaign report PDF: only the kindergartens in the actor's scope (a director: their own)."""

    identifier = CAMPAIGN_REPORT_KIND
    label = _("宣传活动工作报告（PDF）")
    permission = "campaigns.export_campaign"
    suffix = "pdf"
    form = CampaignReportForm

    def run(
        self, *, actor: Actor, parameters: dict[str, Any], out: IO[bytes], progress: Callable[[float], None]
    ) -> int:
        campaign = (
            scope_queryset(actor, Campaign.objects.select_related("school_year", "township"))
            .filter(pk=parameters.get("campaign"))
            .first()
        )
        if campaign is None:
            raise ExportError("所选宣传活动不存在或不在您的权限范围内。")
        context = campaign_report_context(
            campaign=campaign,
            today=timezone.localdate(),
            schools=scope_queryset(actor, campaign.schools.all()),
        )
        progress(20)
        # The actor decides whether free text is printed in full (templates: mask_personal).
        out.write(render_pdf(TEMPLATE, {**context, "printed_at": timezone.now(), "user": actor}))
        return len(context["activities"])
