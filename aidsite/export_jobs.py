"""The export centre: long exports and PDF batches as background jobs (SECURITY F2).

An export or report kind is a subclass of `ExportKind`, registered by its own
app from `AppConfig.ready()` with `export_kind_register`; this module names
no app. A kind declares an identifier, a Chinese label, the permission needed
to start it, an optional form class for its parameters (`Form(data, user=…)`
with `parameters()` and `title()`), and `run(actor=…, parameters=…, out=…,
progress=…)`: it writes the file into the binary stream `out`, may call
`progress(0..100)` as it goes, scopes its rows with
`aidsite.access.scope_queryset(actor, …)`, masks personal data unless
`can_reveal_personal_data(actor)`, and returns the row count. It raises
`ExportError` with a Chinese message for a failure the user can act on;
anything else is logged and shown as a generic failure.

Jobs run through django-tasks (the database backend, `manage.py db_worker`;
the immediate backend in tests). Files go under MEDIA_ROOT/exports with a
random name, only their owner downloads them, and they are deleted
EXPORT_RETENTION_DAYS after they were made.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from aidsite.access import log_access
from aidsite.models import AccessAction, ExportJob, ExportJobStatus

if TYPE_CHECKING:
    from django import forms
    from django.contrib.auth.models import AbstractBaseUser
    from django.utils.functional import Promise

    from aidsite.access import Actor

logger = logging.getLogger(__name__)

EXPORTS_DIR = "exports"
GENERIC_FAILURE = "导出失败，请稍后重试；如仍失败请联系县资助中心管理员。"
EMPTY_SELECTION = "所选范围内没有可导出的数据，未生成文件；请检查所选的学期（学年）、资助项目、乡镇和学校。"
# Files in MEDIA_ROOT/exports that no job points at (a worker killed mid-write)
# are removed once they are this old (SECURITY D5).
ORPHAN_FILE_AGE = dt.timedelta(days=1)


class ExportError(Exception):
    """A failure the user can act on; the message (Chinese) is shown on the job."""


class ExportKind:
    """One kind of background export or printed report, offered by the export centre."""

    identifier: ClassVar[str]
    label: ClassVar[str | Promise]  # the Chinese name shown on the centre and the job
    permission: ClassVar[str]  # `app_label.codename` needed to start the job
    suffix: ClassVar[str] = "xlsx"  # file extension without the dot: "xlsx", "pdf"
    # A kind whose empty file means nothing (a ledger of no payments) fails with EMPTY_SELECTION
    # instead; one whose empty result is an answer (no duplicates found) leaves this off.
    refuse_empty: ClassVar[bool] = False
    form: type[forms.Form] | None = None

    def __init__(self, *, form: type[forms.Form] | None = None) -> None:
        # An app whose parameter forms live with its views hands the form in at registration.
        if form is not None:
            self.form = form

    def parameters(self, form: forms.Form | None) -> dict[str, Any]:
        """The job's parameters (JSON) from a valid form."""
        return form.parameters() if form is not None else {}  # type: ignore[attr-defined]

    def title(self, form: forms.Form | None) -> str:
        """The job's title, also the download's file name."""
        return form.title() if form is not None else str(self.label)  # type: ignore[attr-defined]

    def run(self, *, actor: Actor, parameters: dict[str, Any], out: IO[bytes], progress: Callable[[float], None]) -> int:
        """Write the file into `out` for `actor`; return the row count."""
        raise NotImplementedError


# Every registered kind by identifier, in registration order (the centre lists them so).
EXPORT_KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> None:
    """Offer `kind` in the export centre; called from the owning app's `AppConfig.ready()`."""
    registered = EXPORT_KINDS.get(kind.identifier)
    if registered is not None and type(registered) is not type(kind):
        raise ImproperlyConfigured(f"export kind {kind.identifier!r} is registered twice")
    EXPORT_KINDS[kind.identifier] = kind


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


# Other sweeps run by `purge_exports` (daily), registered from an app's `AppConfig.ready()`
# so this module names no app: e.g. roster uploads nobody confirmed (SECURITY D5).
PURGE_HOOKS: list[Callable[[], int]] = []


def purge_hook_register(hook: Callable[[], int]) -> None:
    """Have `purge_exports` call `hook()` (returns how many files it removed) each run."""
    if hook not in PURGE_HOOKS:
        PURGE_HOOKS.append(hook)


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the server's own account only (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask and ignored for a folder that already exists.
    path.chmod(0o700)
    return path


def private_file_open(path: Path) -> Any:
    """Open a new file for binary writing, mode 0600 from its first byte (SECURITY D5).

    The files hold minors' ID numbers; another account on the server never reads them,
    whatever the process umask is.
    """
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def export_kinds_for_user(user: Actor) -> dict[str, ExportKind]:
    return {key: kind for key, kind in EXPORT_KINDS.items() if user.has_perm(kind.permission)}


def export_file_path(job: ExportJob) -> Path | None:
    return Path(settings.MEDIA_ROOT) / job.file_path if job.file_path else None


def export_job_start(
    *, user: AbstractBaseUser, kind: str, parameters: dict[str, Any], title: str = ""
) -> ExportJob:
    """Record a job for `user` and queue it; the caller has validated `parameters`."""
    spec = EXPORT_KINDS[kind]
    if not user.has_perm(spec.permission):
        raise PermissionDenied
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=user,
            kind=kind,
            title=(title or str(spec.label))[:200],
            parameters=parameters,
            expires_at=timezone.now() + dt.timedelta(days=settings.EXPORT_RETENTION_DAYS),
        )
    # Queued after the job row is committed so a worker always finds it. With
    # the immediate backend (tests) the job has run when this returns.
    result = run_export_job.enqueue(job_id=job.pk)
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


@task()
def run_export_job(job_id: int) -> None:
    export_job_run(job_id=job_id)


def _claim(job_id: int) -> bool:
    """Mark a queued job running; False if it is not queued (run twice, or purged)."""
    now = timezone.now()
    return bool(
        ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.QUEUED).update(
            status=ExportJobStatus.RUNNING, started_at=now, progress=0
        )
    )


def export_job_run(*, job_id: int) -> None:
    """Run one job to completion, recording progress, the file or the error."""
    if not _claim(job_id):
        return
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    spec = EXPORT_KINDS.get(job.kind)
    if spec is None:
        _fail(job, "未知的导出类型。")
        return
    relative = f"{EXPORTS_DIR}/{secrets.token_urlsafe(18)}.{spec.suffix}"
    path = Path(settings.MEDIA_ROOT) / relative

    last = [0]

    def progress(percent: float) -> None:
        # One UPDATE per whole percent at most; 100 is written with the result.
        value = max(0, min(99, int(percent)))
        if value > last[0]:
            last[0] = value
            ExportJob.objects.filter(pk=job.pk).update(progress=value)

    try:
        with private_file_open(path) as out:
            rows = spec.run(actor=job.owner, parameters=job.parameters, out=out, progress=progress)
        if rows == 0 and spec.refuse_empty:
            # Never an empty file offered as if it held something: say so instead.
            raise ExportError(EMPTY_SELECTION)
    except ExportError as exc:
        path.unlink(missing_ok=True)
        _fail(job, str(exc))
        return
    except Exception:
        path.unlink(missing_ok=True)
        logger.exception("export job %s (%s) failed", job.pk, job.kind)
        _fail(job, GENERIC_FAILURE)
        return
    finished = timezone.now()
    stamp = timezone.localtime(finished).strftime("%Y%m%d-%H%M")
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJobStatus.DONE,
        progress=100,
        file_path=relative,
        download_name=f"{job.title}-{stamp}.{spec.suffix}"[:200],
        row_count=rows,
        finished_at=finished,
        expires_at=finished + dt.timedelta(days=settings.EXPORT_RETENTION_DAYS),
    )
    # Every bulk export is in the access log (SECURITY D2), each download again.
    log_access(
        user=job.owner,
        action=AccessAction.EXPORT,
        what=job.title,
        row_count=rows,
        detail={"export_job": job.pk, "kind": job.kind, "parameters": job.parameters},
    )


def _fail(job: ExportJob, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJobStatus.FAILED, error=message[:500], finished_at=timezone.now()
    )


def export_download_open(*, job: ExportJob, user: AbstractBaseUser) -> Path | None:
    """The file to send for a download by `user`, logged; None if there is none to send."""
    path = export_file_path(job)
    if (
        job.owner_id != user.pk
        or job.status != ExportJobStatus.DONE
        or job.expires_at <= timezone.now()
        or path is None
        or not path.is_file()
    ):
        return None
    log_access(
        user=user,
        action=AccessAction.DOWNLOAD,
        what=job.title,
        row_count=job.row_count,
        detail={"export_job": job.pk, "kind": job.kind},
    )
    return path


def export_jobs_purge(*, now: dt.datetime | None = None, owner: AbstractBaseUser | None = None) -> int:
    """Expire jobs past their date and delete their files; return how many expired.

    Without `owner` (the purge_exports command) files in the exports folder
    that no job points at are removed too, once they are a day old.
    """
    now = now or timezone.now()
    expired = ExportJob.objects.filter(expires_at__lte=now).exclude(status=ExportJobStatus.EXPIRED)
    if owner is not None:
        expired = expired.filter(owner=owner)
    jobs = list(expired.only("pk", "file_path"))
    for job in jobs:
        path = export_file_path(job)
        if path is not None:
            path.unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in jobs]).update(
        status=ExportJobStatus.EXPIRED, file_path=""
    )
    if owner is None:
        _purge_orphan_files(now)
        for hook in PURGE_HOOKS:
            hook()
    return len(jobs)


def _purge_orphan_files(now: dt.datetime) -> None:
    folder = Path(settings.MEDIA_ROOT) / EXPORTS_DIR
    if not folder.is_dir():
        return
    known = set(ExportJob.objects.exclude(file_path="").values_list("file_path", flat=True))
    cutoff = (now - ORPHAN_FILE_AGE).timestamp()
    for path in folder.iterdir():
        if f"{EXPORTS_DIR}/{path.name}" in known or not path.is_file():
            continue
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
