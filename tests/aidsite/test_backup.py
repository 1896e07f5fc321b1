"""`manage.py backup` / `manage.py restore` (SECURITY C6): a round trip into a fresh database.

The restore runs as an operator runs it: a separate `manage.py restore` process
whose DATABASE_URL names a new, empty database (SQLite: a new file; PostgreSQL:
a database created in the same throw-away cluster) and whose MEDIA_ROOT is a
new directory. Row counts and money totals are recounted here, with this
file's own queries, on both sides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.utils import timezone

from aidsite.models import ExportJob, ExportJobStatus
from campaigns.visits import visit_record
from students.models import Season, Term
from subsidies.models import Entitlement, LedgerEntry
from subsidies.services.ledgers import batch_approve, batch_prepare
from subsidies.services.policies import policies_seed_load
from tests.campaigns.conftest import SYSTEM, png_bytes
from tests.factories import make_school_year, make_township
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


# --- an independent census: every table's rows, every decimal column's total ---------


def _decimal_columns() -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_concrete_fields:
            if isinstance(field, models.DecimalField) and not model._meta.proxy:
                columns.setdefault(model._meta.db_table, []).append(field.column)
    return columns


def census(cursor: Any, vendor: str) -> dict[str, tuple[int, dict[str, Decimal]]]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    tables = sorted(row[0] for row in cursor.fetchall())
    money = _decimal_columns()
    result = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        rows = cursor.fetchone()[0]
        totals = {}
        for column in money.get(table, []):
            cursor.execute(f'SELECT "{column}" FROM "{table}"')
            totals[column] = sum((Decimal(str(v)) for (v,) in cursor.fetchall() if v is not None), Decimal(0))
        result[table] = (rows, totals)
    return result


def source_census() -> dict[str, tuple[int, dict[str, Decimal]]]:
    with connection.cursor() as cursor:
        return census(cursor, connection.vendor)


# --- a fresh database for the restore process ------------------------------------------


@dataclass
class Target:
    url: str
    census: Callable[[], dict[str, tuple[int, dict[str, Decimal]]]]
    run_sql: Callable[[str], None]


@pytest.fixture
def fresh_database(tmp_path) -> Iterator[Target]:
    """A new, empty database of the engine under test, and how to count it."""
    if connection.vendor == "sqlite":
        path = tmp_path / "fresh.sqlite3"

        def sqlite_census():
            if not path.exists():
                return {}
            db = sqlite3.connect(path)
            try:
                return census(db.cursor(), "sqlite")
            finally:
                db.close()

        def sqlite_sql(sql: str) -> None:
            db = sqlite3.connect(path)
            db.executescript(sql)
            db.close()

        yield Target(url=f"sqlite:///{path}", census=sqlite_census, run_sql=sqlite_sql)
        return

    import psycopg

    name = f"test_aid_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    params = connection.get_connection_params()
    params.pop("options", None)
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = name

    def pg_census():
        with psycopg.connect(**params) as db, db.cursor() as cursor:
            return census(cursor, "postgresql")

    def pg_sql(sql: str) -> None:
        with psycopg.connect(**params, autocommit=True) as db:
            db.execute(sql)

    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    try:
        yield Target(url=url, census=pg_census, run_sql=pg_sql)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, database_url: str, media_root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


# --- the data: students, entitlements, an approved ledger, a photo, export files ---------


@dataclass
class County:
    photo_path: str
    photo_bytes: bytes
    valid_export: str
    stale_export: str


def build_county() -> County:
    year = make_school_year("2022-2023")
    policies_seed_load(school_year=year)
    term = Term.objects.get(school_year=year, season=Season.AUTUMN)
    township = make_township("青山镇")
    paid = approved_entitlements(term=term, township=township, count=3, amount=Decimal("600.00"))
    approved_entitlements(term=term, township=township, count=2, amount=Decimal("312.55"))
    preparer, approver = two_staff(township)
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=batch, actor=approver)

    child = paid[0]
    visit = visit_record(
        actor=SYSTEM,
        school=child.enrollment.school, household=child.student.household, children=[child.student],
        visited_at=dt.datetime.combine(term.start_date, dt.time(10), tzinfo=dt.UTC), led_by="李雪",
        photos=[SimpleUploadedFile("家访.png", png_bytes(), content_type="image/png")],
    )
    photo = visit.photos.get()

    media = Path(settings.MEDIA_ROOT)
    (media / "exports").mkdir(parents=True, exist_ok=True)
    valid, stale = "exports/valid-ledger.xlsx", "exports/expired-ledger.xlsx"
    (media / valid).write_bytes(b"still valid export")
    (media / stale).write_bytes(b"expired export the purge has not reached yet")
    now = timezone.now()
    ExportJob.objects.create(
        owner=preparer, kind="ledger", title="发放台账", status=ExportJobStatus.DONE, file_path=valid,
        expires_at=now + dt.timedelta(days=7),
    )
    ExportJob.objects.create(
        owner=preparer, kind="ledger", title="发放台账", status=ExportJobStatus.EXPIRED, file_path="",
        expires_at=now - dt.timedelta(days=1),
    )
    return County(
        photo_path=photo.image.name, photo_bytes=(media / photo.image.name).read_bytes(),
        valid_export=valid, stale_export=stale,
    )


def backup_of_county(tmp_path: Path) -> tuple[County, Path]:
    county = build_county()
    backup = tmp_path / "备份.tar"
    call_command("backup", str(backup), stdout=io.StringIO())
    return county, backup


def rewrite_member(source: Path, target: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    """A copy of the archive `source` with member `name`'s bytes passed through `change`."""
    rewrite_members(source, target, {name: change})


def rewrite_members(source: Path, target: Path, changes: dict[str, Callable[[bytes], bytes]]) -> None:
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read() if member.isfile() else None
            if member.name in changes and data is not None:
                data = changes[member.name](data)
                member.size = len(data)
            new.addfile(member, io.BytesIO(data) if data is not None else None)


def edit_manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return change


# --- the tests ---------------------------------------------------------------------------


def test_a_backup_restored_into_a_fresh_database_has_every_row_every_money_total_and_the_media(
    tmp_path, fresh_database
):
    county, backup = backup_of_county(tmp_path)
    before = source_census()
    # The data is what the test claims: money in the entitlement and ledger tables.
    assert before[Entitlement._meta.db_table][1]["amount"] == Decimal("2425.10")
    assert before[LedgerEntry._meta.db_table][0] == 5
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600

    media = tmp_path / "restored-media"
    result = manage("restore", str(backup), database_url=fresh_database.url, media_root=media)

    assert result.returncode == 0, result.stderr
    assert "一致" in result.stdout
    assert fresh_database.census() == before
    assert (media / county.photo_path).read_bytes() == county.photo_bytes
    assert (media / county.valid_export).read_bytes() == b"still valid export"
    assert not (media / county.stale_export).exists()


def test_restore_refuses_a_database_that_already_holds_data_and_leaves_it_untouched(tmp_path, fresh_database):
    _, backup = backup_of_county(tmp_path)
    fresh_database.run_sql("CREATE TABLE ledger_kept (amount NUMERIC(12, 2)); INSERT INTO ledger_kept VALUES (88.80);")
    before = fresh_database.census()
    media = tmp_path / "restored-media"

    result = manage("restore", str(backup), database_url=fresh_database.url, media_root=media)

    assert result.returncode != 0
    assert "不是空的" in result.stderr and "ledger_kept" in result.stderr
    assert fresh_database.census() == before == {"ledger_kept": (1, {})}
    assert not media.exists()


def _random_bytes(path: Path, backup: Path) -> None:
    path.write_bytes(os.urandom(4096))


def _foreign_tar(path: Path, backup: Path) -> None:
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))


def _truncated(path: Path, backup: Path) -> None:
    data = backup.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _dump_member() -> str:
    return "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3.gz"


def _damaged_dump(path: Path, backup: Path) -> None:
    rewrite_member(backup, path, _dump_member(), lambda data: data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])


def _cut_dump_with_a_matching_checksum(path: Path, backup: Path) -> None:
    """A dump that breaks off partway although its checksum matches: the database tool fails midway."""
    with tarfile.open(backup) as tar:
        whole = tar.extractfile(_dump_member()).read()
    cut = whole[: len(whole) * 6 // 10]
    rewrite_members(backup, path, {
        _dump_member(): lambda data: cut,
        "manifest.json": edit_manifest(lambda m: m.update(database_sha256=hashlib.sha256(cut).hexdigest())),
    })


def _other_engine(path: Path, backup: Path) -> None:
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    rewrite_member(backup, path, "manifest.json", edit_manifest(lambda m: m.update(engine=other)))


def _newer_format(path: Path, backup: Path) -> None:
    rewrite_member(backup, path, "manifest.json", edit_manifest(lambda m: m.update(format_version=99)))


def _from_a_newer_program(path: Path, backup: Path) -> None:
    def add_migration(manifest: dict[str, Any]) -> None:
        manifest["migrations"]["students"].append("9999_from_a_newer_program")

    rewrite_member(backup, path, "manifest.json", edit_manifest(add_migration))


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (_random_bytes, "不是本系统的备份文件"),
        (_foreign_tar, "不是本系统的备份文件"),
        (_truncated, "不是本系统的备份文件"),
        (_damaged_dump, "校验值与清单不符"),
        (_cut_dump_with_a_matching_checksum, "恢复失败"),
        (_other_engine, "这份备份来自"),
        (_newer_format, "格式版本 99"),
        (_from_a_newer_program, "students.9999_from_a_newer_program"),
    ],
    ids=[
        "random-bytes", "foreign-tar", "truncated", "damaged-dump", "cut-dump", "other-engine",
        "newer-format", "newer-program",
    ],
)
def test_restore_refuses_a_corrupt_or_foreign_file_and_writes_nothing(
    tmp_path, fresh_database, make_file, message
):
    _, backup = backup_of_county(tmp_path)
    bad = tmp_path / "bad.tar"
    make_file(bad, backup)
    media = tmp_path / "restored-media"

    result = manage("restore", str(bad), database_url=fresh_database.url, media_root=media)

    assert result.returncode != 0
    assert message in result.stderr
    assert fresh_database.census() == {}
    assert not media.exists()


def test_restore_fails_loudly_when_the_restored_money_differs_from_the_manifest(tmp_path, fresh_database):
    _, backup = backup_of_county(tmp_path)
    table = Entitlement._meta.db_table

    def inflate(manifest: dict[str, Any]) -> None:
        manifest["tables"][table]["money"]["amount"] = "9999.99"

    tampered = tmp_path / "tampered.tar"
    rewrite_member(backup, tampered, "manifest.json", edit_manifest(inflate))
    media = tmp_path / "restored-media"

    result = manage("restore", str(tampered), database_url=fresh_database.url, media_root=media)

    assert result.returncode != 0
    assert "核对不一致" in result.stderr and table in result.stderr and "9999.99" in result.stderr
    assert not media.exists()
    if connection.vendor == "sqlite":
        # The restored file is checked before it is moved into place.
        assert fresh_database.census() == {}


def test_backup_into_a_directory_makes_a_new_dated_file_and_never_overwrites_one(tmp_path):
    build_county()
    folder = tmp_path / "backups"
    folder.mkdir()

    call_command("backup", str(folder), stdout=io.StringIO())
    (made,) = folder.iterdir()
    assert made.name.startswith("资助系统备份-") and made.suffix == ".tar"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600

    with pytest.raises(CommandError, match="已存在") as refused:
        call_command("backup", str(made), stdout=io.StringIO())
    assert refused.value.returncode != 0
    assert list(folder.iterdir()) == [made]
    with pytest.raises(CommandError, match="目录不存在"):
        call_command("backup", f"{tmp_path / 'no-such-folder'}/", stdout=io.StringIO())
    assert not (tmp_path / "no-such-folder").exists()


@pytest.mark.postgres
def test_pg_dump_gets_the_password_through_its_environment_never_its_command_line(tmp_path, monkeypatch):
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_run = subprocess.run

    def spy(command, *args, **kwargs):
        calls.append((list(command), dict(kwargs.get("env") or {})))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    # The throw-away cluster trusts local connections, so any password is accepted.
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-Passw0rd")
    call_command("backup", str(tmp_path / "b.tar"), stdout=io.StringIO())

    dumps = [(command, env) for command, env in calls if Path(command[0]).name == "pg_dump" and len(command) > 2]
    assert len(dumps) == 1
    command, env = dumps[0]
    assert not any("s3cret-Passw0rd" in part for part in command)
    assert env["PGPASSWORD"] == "s3cret-Passw0rd"
    assert env["PGDATABASE"] == connection.settings_dict["NAME"]
