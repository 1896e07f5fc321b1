from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subsidies"
    verbose_name = _("资助")

    def ready(self) -> None:
        post_migrate.connect(_sqlite_guards, sender=self)
        _register_access()
        _export_kinds_register()
        _student_record_register()
        _import_kinds_register()


def _import_kinds_register() -> None:
    """`import_xlsx applications`: the students app's command knows no subsidy, so it is handed in."""
    from students.importing.kinds import ImportKind, import_kind_register
    from subsidies.importing.applications import KIND, LABEL, applications_import

    import_kind_register(ImportKind(name=KIND, label=LABEL, run=applications_import))


def _student_record_register() -> None:
    """The student's page (students knows no subsidy) shows their entitlements and payments."""
    from students.record import student_record_section_register
    from subsidies.record import applications_section, entitlements_section, payments_section

    student_record_section_register("subsidies.entitlements", entitlements_section, order=10)
    student_record_section_register("subsidies.applications", applications_section, order=15)
    student_record_section_register("subsidies.payments", payments_section, order=20)


def _export_kinds_register() -> None:
    """Offer the ledger workbooks and the printed reports in the export centre.

    Their parameter forms live with the views (forms/), so they are handed in
    here: the exports and reports themselves import no form.
    """
    from aidsite.export_jobs import export_kind_register
    from subsidies.exports.aid import AidListWorkbook
    from subsidies.exports.conflicts import ConflictsWorkbook
    from subsidies.exports.fund_report import FundsReportWorkbook
    from subsidies.exports.funds import FundsWorkbook
    from subsidies.exports.ledger import LedgerWorkbook
    from subsidies.exports.omissions import OmissionWorkbook
    from subsidies.forms.donors import DonorStatementForm
    from subsidies.forms.funds import FundsReportExportForm
    from subsidies.forms.ledgers import (
        AidListExportForm,
        ConflictExportForm,
        FundsExportForm,
        LedgerExportForm,
    )
    from subsidies.forms.omissions import OmissionExportForm
    from subsidies.reports import REPORTS
    from subsidies.reports.donor_statement import DonorStatementReport

    # The aid list first: the auditors' most common export.
    export_kind_register(AidListWorkbook(form=AidListExportForm))
    export_kind_register(LedgerWorkbook(form=LedgerExportForm))
    export_kind_register(FundsWorkbook(form=FundsExportForm))
    export_kind_register(ConflictsWorkbook(form=ConflictExportForm))
    export_kind_register(OmissionWorkbook(form=OmissionExportForm))
    export_kind_register(FundsReportWorkbook(form=FundsReportExportForm))
    # A report prints the same selection (term, policy, township, school) as the ledger.
    for report in REPORTS:
        export_kind_register(report(form=LedgerExportForm))
    export_kind_register(DonorStatementReport(form=DonorStatementForm))


# --- roles and shared models ---------------------------------------------------------------


def _register_access() -> None:
    """What each role may do with aid policies, lists, ledgers and notices."""
    # aidsite.access imports aidsite.models: importable only once the app registry is ready.
    from aidsite.access import grant, share_models
    from aidsite.models import Role

    grant(Role.COUNTY_ADMIN, "subsidies.*")
    grant(
        Role.TOWNSHIP_STAFF,
        "subsidies.view_*",
        "subsidies.export_*",
        # The aid-list workflow: compute, override, approve; never the policies.
        "subsidies.add_entitlement",
        "subsidies.change_entitlement",
        "subsidies.approve_entitlement",
        "subsidies.*_entitlementoverride",
        "subsidies.add_entitlementapproval",
        # Aid by application: enter, attach evidence and check (初审); the county decides.
        "subsidies.add_aidapplication",
        "subsidies.change_aidapplication",
        "subsidies.check_aidapplication",
        "subsidies.add_applicationevidence",
        "!subsidies.decide_aidapplication",
        # Disbursement ledgers: prepare, approve (four-eyes), reverse, bank results.
        "subsidies.prepare_disbursementbatch",
        "subsidies.approve_disbursementbatch",
        "subsidies.reverse_ledgerentry",
        "subsidies.import_bankresult",
        "subsidies.*_paymentaccount",
        # Social donors: record donors, pledges and pairings; their money goes through the ledgers.
        "subsidies.add_donor",
        "subsidies.change_donor",
        "subsidies.add_pledge",
        "subsidies.change_pledge",
        "subsidies.add_pairing",
        # Public notices: publish, and withdraw one posted by mistake; never delete.
        "subsidies.add_publicnotice",
        "subsidies.change_publicnotice",
    )
    grant(Role.AUDITOR, "subsidies.view_*", "subsidies.export_*")
    # The county's aid policies are read by every role (the model permissions keep them county-edited).
    share_models(
        "subsidies.policy",
        "subsidies.policytier",
        "subsidies.policystageamount",
        "subsidies.policydailyrate",
        "subsidies.policycategory",
    )


def _sqlite_guards(*, using: str, **kwargs: Any) -> None:
    """SQLite's own copy of the PostgreSQL trigger that freezes approved entitlements (SECURITY B6).

    django-pgtrigger installs triggers on PostgreSQL only. SQLite drops a
    table's triggers whenever a migration rebuilds the table, so they are
    (re)created after every `migrate` rather than once in a migration. Only
    updates are guarded here: `flush` empties SQLite tables with DELETE (where
    PostgreSQL truncates), and a delete trigger would make every database
    holding an approved list impossible to flush. The production database,
    PostgreSQL, also refuses deleting an approved row.
    """
    from django.db import connections

    from subsidies.models import Entitlement, entitlement_frozen_change_sql

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    table = connection.ops.quote_name(Entitlement._meta.db_table)
    frozen = entitlement_frozen_change_sql(distinct="IS NOT")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS entitlement_locked_frozen")
        cursor.execute("DROP TRIGGER IF EXISTS entitlement_locked_not_deleted")
        # Identifiers and the condition come from model metadata only, never from data (E6).
        cursor.execute(
            f"CREATE TRIGGER entitlement_locked_frozen BEFORE UPDATE ON {table} "  # noqa: S608
            f"FOR EACH ROW WHEN {frozen} "
            "BEGIN SELECT RAISE(ABORT, '已审核的资助名单不能修改'); END"
        )
