"""The campaign report (宣传活动工作报告) as an export-centre job (SECURITY F2).

A campaign report gathers every activity and summary of the campaign's
kindergartens, so a township's or the county's copy runs to many pages: it is
rendered in the background (`aidsite.export_jobs`, kind "campaign_report"), not
inside the request. A single visit record (one page) stays in-request.
"""

from __future__ import annotations

from typing import IO, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset
from aidsite.export_jobs import ExportError
from campaigns.models import Campaign
from campaigns.reports import campaign_report_context

CAMPAIGN_REPORT_KIND = "campaign_report"
TEMPLATE = "reports/campaign_report.html"


def campaign_report_title(campaign: Campaign) -> str:
    return f"{campaign.name}工作报告"


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


def campaign_report_job(*, user: Any, parameters: dict[str, Any], out: IO[bytes], progress: Any) -> int:
    """Write the campaign report PDF for `user`: only the kindergartens in their scope (a director: their own)."""
    from aidsite.lib.pdf import render_pdf  # WeasyPrint is heavy; only the worker needs it

    campaign = (
        scope_queryset(user, Campaign.objects.select_related("school_year", "township"))
        .filter(pk=parameters.get("campaign"))
        .first()
    )
    if campaign is None:
        raise ExportError("所选宣传活动不存在或不在您的权限范围内。")
    context = campaign_report_context(
        campaign=campaign,
        today=timezone.localdate(),
        schools=scope_queryset(user, campaign.schools.all()),
    )
    progress(20)
    # `user` decides whether free text is printed in full (templates: mask_personal).
    out.write(render_pdf(TEMPLATE, {**context, "printed_at": timezone.now(), "user": user}))
    return len(context["activities"])
