"""The printed reports: one module per report, each a `PrintedReport` registered with the export centre.

* notice    公示名单 per school and policy (public columns only, SECURITY D3).
* signsheet 发放签领表 per batch, split per school and per 1,000 rows.
* summary   资助统计表 per township and term.
* cards     明白卡 per household, one card a page, grouped per school.
"""

from subsidies.reports.cards import CardsReport, cards_contexts
from subsidies.reports.notice import (
    NoticeReport,
    notice_context,
    notice_context_for,
    notice_contexts,
)
from subsidies.reports.shared import (
    PrintedReport,
    RenderResult,
    Selection,
    printed_reports,
    report_render,
)
from subsidies.reports.signsheet import SignsheetReport, signsheet_context, signsheet_contexts
from subsidies.reports.summary import SummaryReport, summary_context

# In the order the export centre and `render_report` offer them.
REPORTS: tuple[type[PrintedReport], ...] = (NoticeReport, SignsheetReport, SummaryReport, CardsReport)

__all__ = [
    "REPORTS",
    "PrintedReport",
    "RenderResult",
    "Selection",
    "cards_contexts",
    "notice_context",
    "notice_context_for",
    "notice_contexts",
    "printed_reports",
    "report_render",
    "signsheet_context",
    "signsheet_contexts",
    "summary_context",
]
