from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "students"
    verbose_name = _("学生名册")

    def ready(self) -> None:
        from aidsite.export_jobs import export_kind_register, purge_hook_register
        from students.exports import StudentRosterExport
        from students.uploads import pending_uploads_sweep

        # The daily purge_exports also removes roster uploads nobody confirmed (SECURITY D5).
        purge_hook_register(pending_uploads_sweep)
        export_kind_register(StudentRosterExport())
