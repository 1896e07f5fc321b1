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
        _register_access_and_admin_index()


# --- roles, shared models and admin index sections ---------------------------------------


def _register_access_and_admin_index() -> None:
    """What each role may do with the registry, and where staff find it on the admin index."""
    # aidsite.access imports aidsite.models: importable only once the app registry is ready.
    from aidsite.access import grant, share_models
    from aidsite.admin_index import admin_section_register
    from aidsite.models import Role

    grant(Role.COUNTY_ADMIN, "students.*")
    grant(
        Role.TOWNSHIP_STAFF,
        "students.view_*",
        "students.export_*",
        "students.view_full_personal_data",
        "students.*_household",
        "students.*_householdhardship",
        "students.*_student",
        "students.*_enrollment",
        "students.add_village",
        "students.change_village",
        "students.*_dropoutcase",
        "students.*_dropoutcontact",
        "students.*_twoafteroffer",
    )
    grant(
        Role.DIRECTOR,
        "students.view_student",
        "students.view_enrollment",
        "students.view_household",
        "students.view_school",
    )
    grant(
        Role.AUDITOR,
        "students.view_*",
        "students.export_*",
        "students.view_full_personal_data",
    )
    # The school calendar is read by every role, whatever its scope.
    share_models("students.schoolyear", "students.term")

    admin_section_register(
        _("学生名册"),
        ["students.student", "students.household", "students.enrollment", "students.externallistimport"],
    )
    admin_section_register(_("乡镇、村与学校"), ["students.township", "students.village", "students.school"])
    admin_section_register(_("学年与学期"), ["students.schoolyear", "students.term"])
