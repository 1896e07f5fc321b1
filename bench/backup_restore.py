"""Benchmark: back up and restore a 100,000-student county, with a baseline from the same run (not a test).

    .venv/bin/python bench/backup_restore.py [--students 100000] [--media-mb 500]
    .ci/with-postgres .venv/bin/python bench/backup_restore.py

Without DATABASE_URL it uses its own SQLite file under var/ (built once, reused).
The county is the one bench/compute_aid.py builds (townships, villages, schools,
households with hardship categories, students, enrollments), then the autumn
term's entitlements computed for every policy and one approved disbursement
batch per township and policy holding every entitlement (ledger entries), so
that the money columns are full. The media directory gets `--media-mb` of
photo-sized files of random bytes (incompressible, like JPEGs).

Each step runs as an operator runs it, a `manage.py` process (Django start-up
included): `backup FILE`, then `restore FILE` into a new database (SQLite: a
new file; PostgreSQL: `CREATE DATABASE` in the same cluster) and a new
MEDIA_ROOT. The baselines, measured in the same run: the database alone
copied by the plainest means (SQLite: a file copy; PostgreSQL: `pg_dump -Fc`
and `pg_restore` into another new database), and the media tree copied with
`cp -a`. The load average is printed before and after: the machine may be shared.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidsite.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_backup.sqlite3'}")
os.environ.setdefault("SECURE_PRODUCTION", "0")
MEDIA = ROOT / "var" / "bench_backup_media"
PHOTO_BYTES = 250 * 1024
YEAR = "2022-2023"


def _load_compute_aid():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_compute_aid", ROOT / "bench" / "compute_aid.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def build(students: int) -> None:
    """The county and its money, unless this database already holds one of this size."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from aidsite.access import SystemActor
    from students.models import Season, Student, Term
    from subsidies.models import (
        BatchStatus,
        DisbursementBatch,
        Entitlement,
        LedgerEntry,
        PaymentMethod,
    )
    from subsidies.services.entitlements import entitlements_compute

    call_command("migrate", verbosity=0)
    existing = Student.objects.count()
    if existing == students:
        print(f"reusing the county of {existing:,} students in {connection.settings_dict['NAME']}")
        return
    if existing:
        raise SystemExit(f"{existing} students already built for another size; delete {os.environ['DATABASE_URL']}")
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("open_year", YEAR, stdout=quiet)
    _load_compute_aid().build_county(students)
    term = Term.objects.select_related("school_year").get(school_year__name=YEAR, season=Season.AUTUMN)
    entitlements_compute(term=term, actor=SystemActor("backup_restore 基准测试"))

    User = get_user_model()
    preparer = User.objects.create_user(username="bench-preparer", password="bench-password-123")
    approver = User.objects.create_user(username="bench-approver", password="bench-password-123")
    now = timezone.now()
    # One approved batch per township and policy holding every awarded entitlement.
    groups: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for row in Entitlement.objects.filter(term=term, amount__gt=0).values_list(
        "pk", "student_id", "policy_id", "enrollment__school_id", "enrollment__school__township_id", "amount"
    ):
        groups[(row[4], row[2])].append(row)
    batches = {
        key: DisbursementBatch.objects.create(
            township_id=key[0], policy_id=key[1], term=term, status=BatchStatus.APPROVED,
            prepared_by=preparer, prepared_at=now, approved_by=approver, approved_at=now,
            entry_count=len(rows), total_amount=sum(r[5] for r in rows),
        )
        for key, rows in sorted(groups.items())
    }
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                batch=batches[key], entitlement_id=r[0], student_id=r[1], policy_id=r[2], term=term,
                school_id=r[3], amount=r[5], method=PaymentMethod.CASH, locked=True, created_at=now,
            )
            for key, rows in groups.items()
            for r in rows
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    entries = sum(len(rows) for rows in groups.values())
    print(f"built {students:,} students, {entries:,} awarded entitlements and ledger entries "
          f"in {time.perf_counter() - started:.0f} s")


def build_media(megabytes: int) -> tuple[int, int]:
    """Photo-sized files of random bytes under MEDIA (reused when the size matches)."""
    files = max(1, megabytes * 1024 * 1024 // PHOTO_BYTES)
    present = sorted(MEDIA.glob("campaigns/visitphoto/*.jpg")) if MEDIA.is_dir() else []
    if len(present) != files:
        shutil.rmtree(MEDIA, ignore_errors=True)
        folder = MEDIA / "campaigns" / "visitphoto"
        folder.mkdir(parents=True)
        for n in range(files):
            (folder / f"{n:06d}.jpg").write_bytes(os.urandom(PHOTO_BYTES))
    return files, files * PHOTO_BYTES


def _run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env or os.environ.copy(), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return seconds, result.stdout


def _timed(command: list[str], env: dict[str, str] | None = None) -> float:
    return _run(command, env)[0]


def _manage(*args: str, database_url: str, media_root: Path) -> tuple[float, float]:
    """The process's wall time and the time the command reports for its own work (no start-up)."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    seconds, output = _run([sys.executable, "manage.py", *args], env)
    own = re.search(r"用时 ([0-9.]+) 秒", output)
    return seconds, float(own.group(1)) if own else float("nan")


def _database_bytes(connection) -> int:  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        return Path(connection.settings_dict["NAME"]).stat().st_size
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--media-mb", type=int, default=500, help="size of the photo files in MEDIA_ROOT")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from aidsite.backup import postgres_environment, postgres_tool

    load_before = open("/proc/loadavg").read().split()[:3]  # noqa: SIM115
    build(args.students)
    media_files, media_bytes = build_media(args.media_mb)
    vendor = connection.vendor
    db_bytes = _database_bytes(connection)
    connection.close()
    url = os.environ["DATABASE_URL"]

    with tempfile.TemporaryDirectory(prefix="bench-backup-", dir=ROOT / "var") as tmp:
        work = Path(tmp)
        backup = work / "backup.tar"
        backup_s, backup_own = _manage("backup", str(backup), database_url=url, media_root=MEDIA)
        media_copy_s = _timed(["cp", "-a", str(MEDIA), str(work / "media-copy")])
        fresh: list[str] = []
        if vendor == "sqlite":
            source = Path(connection.settings_dict["NAME"])
            started = time.perf_counter()
            shutil.copyfile(source, work / "copy.sqlite3")
            base_backup_s = time.perf_counter() - started
            started = time.perf_counter()
            shutil.copyfile(work / "copy.sqlite3", work / "copy-back.sqlite3")
            base_restore_s = time.perf_counter() - started
            target_url = f"sqlite:///{work / 'restored.sqlite3'}"
            baseline = "file copy of the database"
        else:
            server_major = connection.pg_version // 10000
            env = postgres_environment(connection.settings_dict)
            dump = work / "plain.pgdump"
            base_backup_s = _timed([postgres_tool("pg_dump", server_major), "--format=custom", f"--file={dump}"], env)
            names = ["bench_restored", "bench_plain"]
            with connection.cursor() as cursor:
                for name in names:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                    cursor.execute(f'CREATE DATABASE "{name}"')
            fresh = names
            base_restore_s = _timed(
                [postgres_tool("pg_restore", server_major), "--no-owner", "--no-privileges", "--dbname=bench_plain",
                 str(dump)], env,
            )
            target_url = urlsplit(url)._replace(path="/bench_restored").geturl()
            baseline = "plain pg_dump -Fc / pg_restore"
        restore_s, restore_own = _manage("restore", str(backup), database_url=target_url, media_root=work / "restored-media")
        file_bytes = backup.stat().st_size
        if fresh:
            with connection.cursor() as cursor:
                for name in fresh:
                    cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    load_after = open("/proc/loadavg").read().split()[:3]  # noqa: SIM115

    mb = 1024 * 1024
    print(f"database: {vendor}; {args.students:,} students; database {db_bytes / mb:.0f} MB; "
          f"media {media_files:,} files, {media_bytes / mb:.0f} MB; {os.cpu_count()} CPUs")
    print(f"load average before {' '.join(load_before)}, after {' '.join(load_after)}")
    print(f"  backup  (manage.py backup, database + media):  {backup_s:7.1f} s "
          f"(the command's own work {backup_own:.1f} s)   file {file_bytes / mb:.0f} MB")
    print(f"  restore (manage.py restore, verified):         {restore_s:7.1f} s "
          f"(the command's own work {restore_own:.1f} s)")
    print(f"  baseline, {baseline}: backup {base_backup_s:.1f} s, restore {base_restore_s:.1f} s")
    print(f"  baseline, media tree copied with cp -a:        {media_copy_s:7.1f} s")
    print(f"  backup / (baseline + media copy):  {backup_s / (base_backup_s + media_copy_s):.2f}x")
    print(f"  restore / (baseline + media copy): {restore_s / (base_restore_s + media_copy_s):.2f}x")


if __name__ == "__main__":
    main()
