"""What the ledger workbooks share: the permission, its check, the export-centre kind, the access-log entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Model

from aidsite.access import log_access, require, scope_queryset
from aidsite.export_jobs import ExportKind
from aidsite.lib.excel import WorkbookResult
from aidsite.models import AccessAction
from students.models import Term
from subsidies.models import Policy

if TYPE_CHECKING:
    from aidsite.access import Actor

# Rows fetched per round trip while a workbook streams.
CHUNK = 2000
EXPORT_PERMISSION = "subsidies.export_disbursementbatch"


def ledger_export_require(actor: Actor) -> None:
    require(actor, EXPORT_PERMISSION, denied="没有导出发放台账的权限。")


def choice_labels(choices: Any) -> dict[str, str]:
    # Resolved once per export: a lazy translation per cell costs more than the cell.
    return {value: str(label) for value, label in choices}


def scoped_get(model: type[Model], actor: Actor, pk: Any) -> Any:
    """The object `pk` if `actor` may see it (DoesNotExist otherwise); None without a `pk`."""
    if not pk:
        return None
    return scope_queryset(actor, model.objects.all()).get(pk=pk)


class LedgerWorkbookKind(ExportKind):
    """A ledger workbook in the export centre: the ledger's export permission, its jobs' parameters."""

    permission = EXPORT_PERMISSION

    @staticmethod
    def term_and_policy(parameters: dict[str, Any]) -> tuple[Term, Policy | None]:
        """A job's term and its policy (None for every policy), from the export form's `parameters()`."""
        term = Term.objects.select_related("school_year").get(pk=parameters["term"])
        policy = Policy.objects.filter(pk=parameters.get("policy")).first() if parameters.get("policy") else None
        return term, policy


def export_log(actor: Actor, what: str, result: WorkbookResult, detail: dict[str, Any]) -> None:
    log_access(user=actor, action=AccessAction.EXPORT, what=what, row_count=result.rows, detail=detail)
