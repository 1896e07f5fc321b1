"""Backup and restore of the whole site (SECURITY C6): the database and MEDIA_ROOT in one file.

A backup is an uncompressed tar archive holding

- the database: on PostgreSQL a `pg_dump` custom-format dump (compressed by
  pg_dump), taken in the same snapshot as the counts below; on SQLite a copy
  made with the online backup API (consistent while the site runs), gzipped;
- `media/`: photos, campaign plans, and the export files a job still points at;
- `manifest.json` last: format and version, engine, applied migrations, per
  table the row count and the sum of every decimal (money) column, the
  media's file count and size, the database member's SHA-256.

A restore only writes into an empty database and an empty media directory.
It checks the manifest and the dump's checksum, unpacks the media into a
temporary directory, restores the database (`pg_restore --single-transaction`
or the SQLite file moved into place), recounts every table and money column
against the manifest, and only then moves the media into place. Nothing here
names an app: tables come from the database, money columns from the apps
registry.
"""

from __future__ import annotations

import contextlib
import glob
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from aidsite.export_jobs import EXPORTS_DIR
from aidsite.models import ExportJob

FORMAT_NAME = "township-aid-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MEDIA_ARCNAME = "media"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3.gz"}
ENGINE_LABELS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# gzip level 1: a SQLite file shrinks about fourfold at a fraction of level 6's time.
SQLITE_GZIP_LEVEL = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message (Chinese) tells the operator why."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds or a restore wrote, for the command's last line."""

    path: Path
    engine: str
    tables: int
    rows: int
    media_files: int
    media_bytes: int
    file_bytes: int
    seconds: float
    created_at: str
    notes: tuple[str, ...] = ()


# --- what is counted -------------------------------------------------------------


def money_columns() -> dict[str, list[tuple[str, int]]]:
    """Every decimal column of every model, by table: (column, decimal places)."""
    columns: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy:
            continue
        for field in opts.local_concrete_fields:
            if isinstance(field, models.DecimalField):
                columns[opts.db_table].append((field.column, field.decimal_places))
    return {table: sorted(set(cols)) for table, cols in columns.items()}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_names(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT c.relname FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%' AND pg_catalog.pg_table_is_visible(c.oid) "
            "ORDER BY c.relname"
        )
    return [row[0] for row in cursor.fetchall()]


def _money_text(value: Any, places: int) -> str:
    return str(Decimal(value or 0).quantize(Decimal(1).scaleb(-places)))


def database_census(cursor: Any, vendor: str) -> dict[str, dict[str, Any]]:
    """Per table: the row count and, for each decimal column, its exact sum as text.

    `cursor` is any DB-API cursor on the database (Django's, or sqlite3's on a
    copy). SQLite keeps decimals as floating-point numbers, so there each value
    is summed as an integer number of its smallest unit (fen), which is exact.
    """
    money = money_columns()
    census: dict[str, dict[str, Any]] = {}
    for table in _table_names(cursor, vendor):
        columns = money.get(table, [])
        sums = []
        for column, places in columns:
            if vendor == "sqlite":
                sums.append(f"SUM(CAST(ROUND({_quote(column)} * {10**places}) AS INTEGER))")
            else:
                sums.append(f"SUM({_quote(column)})")
        cursor.execute(f"SELECT {', '.join(['COUNT(*)', *sums])} FROM {_quote(table)}")  # noqa: S608
        row = cursor.fetchone()
        entry: dict[str, Any] = {"rows": int(row[0])}
        if columns:
            entry["money"] = {
                column: _money_text(
                    Decimal(value or 0).scaleb(-places) if vendor == "sqlite" else value, places
                )
                for (column, places), value in zip(columns, row[1:], strict=True)
            }
        census[table] = entry
    return census


def _applied_migrations(cursor: Any) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    applied: dict[str, list[str]] = defaultdict(list)
    for app, name in cursor.fetchall():
        applied[app].append(name)
    return dict(applied)


def _valid_export_files(cursor: Any, tables: dict[str, Any]) -> set[str]:
    """Export files a job in this snapshot still points at (the purge clears the path when one expires)."""
    table = ExportJob._meta.db_table
    if table not in tables:
        return set()
    column = ExportJob._meta.get_field("file_path").column
    cursor.execute(f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''")  # noqa: S608
    return {row[0] for row in cursor.fetchall()}


def _snapshot_facts(cursor: Any, vendor: str) -> dict[str, Any]:
    """What the manifest records about the database, read in the snapshot being backed up."""
    tables = database_census(cursor, vendor)
    if "django_migrations" not in tables:
        raise BackupError("数据库尚未初始化（没有迁移记录），没有可备份的数据")
    return {
        "tables": tables,
        "migrations": _applied_migrations(cursor),
        "valid_exports": _valid_export_files(cursor, tables),
    }


def census_differences(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """Each difference between two censuses as a Chinese sentence naming the table."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            problems.append(f"表 {table}：备份中有，恢复后没有")
            continue
        if table not in expected:
            problems.append(f"表 {table}：恢复后多出这张表")
            continue
        if expected[table]["rows"] != found[table]["rows"]:
            problems.append(
                f"表 {table}：备份时 {expected[table]['rows']} 行，恢复后 {found[table]['rows']} 行"
            )
        want, got = expected[table].get("money", {}), found[table].get("money", {})
        for column in sorted(set(want) | set(got)):
            if want.get(column) != got.get(column):
                problems.append(
                    f"表 {table} 金额列 {column}：备份时合计 {want.get(column, '无')}，"
                    f"恢复后合计 {got.get(column, '无')}"
                )
    return problems


# --- PostgreSQL tools ---------------------------------------------------------------


def _tool_major(path: str) -> int | None:
    try:
        output = subprocess.run(  # noqa: S603
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    return int(match.group(1)) if match else None


def postgres_tool(name: str, server_major: int) -> str:
    """`pg_dump` or `pg_restore` of the server's major version, else the nearest newer one."""
    candidates = [f"/usr/lib/postgresql/{server_major}/bin/{name}"]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    newer: list[tuple[int, str]] = []
    for path in dict.fromkeys(candidates):
        if not os.access(path, os.X_OK):
            continue
        major = _tool_major(path)
        if major == server_major:
            return path
        if major is not None and major > server_major:
            newer.append((major, path))
    if newer:
        return min(newer)[1]
    raise BackupError(
        f"找不到 PostgreSQL {server_major} 的 {name}：请安装 postgresql-client-{server_major}"
        f"（Debian：apt-get install postgresql-client-{server_major}）后重试"
    )


def postgres_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The child's environment: the configured connection as libpq variables, the password included.

    Nothing secret goes on a command line, where any user of the machine could read it.
    """
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    libpq = {
        "host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "passfile": "PGPASSFILE", "service": "PGSERVICE",
        "connect_timeout": "PGCONNECT_TIMEOUT",
    }
    for key, variable in libpq.items():
        if options.get(key):
            env[variable] = str(options[key])
    explicit = {"NAME": "PGDATABASE", "USER": "PGUSER", "PASSWORD": "PGPASSWORD", "HOST": "PGHOST", "PORT": "PGPORT"}
    for key, variable in explicit.items():
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGAPPNAME"] = "township-aid-backup"
    return env


def _run_tool(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-1500:]
        raise BackupError(f"{what}失败（{Path(command[0]).name} 退出码 {result.returncode}）：{detail}")


def _server_major(connection: Any) -> int:
    connection.ensure_connection()
    return int(connection.pg_version) // 10000


# --- files ----------------------------------------------------------------------------


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashing(source: IO[bytes], target: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest()


def _files_in(root: Path) -> Iterator[Path]:
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            yield Path(dirpath) / name


def _add_media(tar: tarfile.TarFile, media_root: Path, valid_exports: set[str]) -> tuple[int, int]:
    """Add MEDIA_ROOT under `media/`; export files count only if a job still points at them."""
    if not media_root.is_dir():
        return 0, 0
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(media_root):
        directory = Path(dirpath)
        dirnames.sort()
        relative_dir = directory.relative_to(media_root)
        tar.add(directory, arcname=str(Path(MEDIA_ARCNAME) / relative_dir), recursive=False)
        for name in sorted(filenames):
            relative = (relative_dir / name).as_posix()
            if relative.startswith(f"{EXPORTS_DIR}/") and relative not in valid_exports:
                continue
            path = directory / name
            try:
                info = tar.gettarinfo(str(path), arcname=f"{MEDIA_ARCNAME}/{relative}")
                if not info.isreg():
                    continue  # symbolic links and devices are not the site's files
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            except FileNotFoundError:
                continue  # deleted while we walked (an export purged): not part of the backup
            files += 1
            size += info.size
    return files, size


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


def _sqlite_path(settings_dict: dict[str, Any]) -> Path | None:
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        return None
    return Path(name).resolve()


# --- backup ---------------------------------------------------------------------------


def _snapshot_postgresql(connection: Any, dump: Path) -> dict[str, Any]:
    """Dump the database and count it in one snapshot, so the counts describe the dump exactly."""
    tool = postgres_tool("pg_dump", _server_major(connection))
    env = postgres_environment(connection.settings_dict)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        facts = {"server_version": server_version, **_snapshot_facts(cursor, "postgresql")}
        # The exported snapshot lives as long as this transaction: pg_dump runs inside it.
        _run_tool(
            [tool, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dump}"],
            env, "导出数据库（pg_dump）",
        )
    return facts


def _snapshot_sqlite(connection: Any, dump: Path, work: Path) -> dict[str, Any]:
    """Copy the database with the online backup API (one step: one consistent read), then gzip it."""
    connection.ensure_connection()
    copy_path = work / "database.sqlite3"
    copy = sqlite3.connect(copy_path)
    try:
        connection.connection.backup(copy)
        # One self-contained file: no -wal beside it to lose.
        copy.execute("PRAGMA journal_mode=DELETE")
        facts = {"server_version": sqlite3.sqlite_version, **_snapshot_facts(copy.cursor(), "sqlite")}
    finally:
        copy.close()
    with copy_path.open("rb") as source, gzip.open(dump, "wb", compresslevel=SQLITE_GZIP_LEVEL) as target:
        shutil.copyfileobj(source, target, CHUNK)
    copy_path.unlink()
    return facts


def _backup_target(given: str | Path) -> Path:
    """FILE itself, or a dated file inside FILE when it is a directory (for a daily timer)."""
    path = Path(given)
    if str(given).endswith(("/", os.sep)) and not path.is_dir():
        raise BackupError(f"目录不存在：{path}")
    if path.is_dir():
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        path = path / f"资助系统备份-{stamp}.tar"
    if path.exists():
        raise BackupError(f"备份文件已存在：{path}。请换一个文件名，不会覆盖已有的备份")
    if not path.parent.is_dir():
        raise BackupError(f"目录不存在：{path.parent}")
    return path.resolve()


def backup_create(*, target: str | Path, using: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Write the database and the media into one new tar file (0600), atomically."""
    started = time.perf_counter()
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"不支持备份 {vendor} 数据库：只支持 PostgreSQL 和 SQLite")
    if connection.in_atomic_block:
        raise BackupError("备份不能在数据库事务中进行")
    target = _backup_target(target)
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if target.is_relative_to(media_root):
        raise BackupError(f"备份文件不能放在媒体目录 {media_root} 里面")

    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=target.parent))
    partial = work / "archive.tar"
    try:
        member = DATABASE_MEMBERS[vendor]
        dump = work / member
        if vendor == "postgresql":
            facts = _snapshot_postgresql(connection, dump)
        else:
            facts = _snapshot_sqlite(connection, dump, work)
        dump.chmod(0o600)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                tar.add(dump, arcname=member, recursive=False)
                # The media walk comes after the snapshot: a photo uploaded meanwhile is an
                # unreferenced file in the backup, never a row pointing at a missing file.
                media_files, media_bytes = _add_media(tar, media_root, facts["valid_exports"])
                manifest = {
                    "format": FORMAT_NAME,
                    "format_version": FORMAT_VERSION,
                    "created_at": timezone.now().isoformat(),
                    "engine": vendor,
                    "server_version": facts["server_version"],
                    "database_member": member,
                    "database_bytes": dump.stat().st_size,
                    "database_sha256": _sha256_of(dump),
                    "migrations": facts["migrations"],
                    "tables": facts["tables"],
                    "media": {"files": media_files, "bytes": media_bytes},
                }
                _add_bytes(tar, MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            raw.flush()
            os.fsync(raw.fileno())
        if target.exists():
            raise BackupError(f"备份文件已存在：{target}。不会覆盖已有的备份")
        os.replace(partial, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupSummary(
        path=target,
        engine=vendor,
        tables=len(manifest["tables"]),
        rows=sum(t["rows"] for t in manifest["tables"].values()),
        media_files=media_files,
        media_bytes=media_bytes,
        file_bytes=target.stat().st_size,
        seconds=time.perf_counter() - started,
        created_at=manifest["created_at"],
    )


# --- restore --------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile, source: Path) -> dict[str, Any]:
    """The manifest of a backup made by this program, or a BackupError saying what is wrong."""
    foreign = f"{source} 不是本系统的备份文件"
    try:
        member = tar.getmember(MANIFEST_NAME)
        handle = tar.extractfile(member)
        if handle is None:
            raise KeyError(MANIFEST_NAME)
        manifest = json.loads(handle.read(16 * CHUNK))
    except KeyError as exc:
        raise BackupError(f"{foreign}（没有 {MANIFEST_NAME}），或者文件不完整") from exc
    except (ValueError, tarfile.TarError, OSError) as exc:
        raise BackupError(f"{foreign}（{MANIFEST_NAME} 无法读取），或者文件已损坏") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise BackupError(f"{foreign}（格式标记不符）")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本 {version} 不受本程序支持（本程序读取版本 {FORMAT_VERSION}）：请用生成该备份的程序版本恢复"
        )
    required = {
        "engine": str, "database_member": str, "database_sha256": str, "tables": dict, "migrations": dict,
        "media": dict,
    }
    if any(not isinstance(manifest.get(key), kind) for key, kind in required.items()):
        raise BackupError(f"{foreign}（{MANIFEST_NAME} 内容不完整）")
    return manifest


def _open_archive(source: Path) -> tarfile.TarFile:
    if not source.is_file():
        raise BackupError(f"找不到备份文件：{source}")
    try:
        return tarfile.open(source, mode="r:")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{source} 不是本系统的备份文件（无法作为归档读取），或者文件已损坏") from exc


def _migration_notes(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup from a newer program; say when the program has migrations still to apply."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    installed = {config.label for config in apps.get_app_configs()}
    in_backup = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(f"{app}.{name}" for app, name in in_backup - known if app in installed)
    if unknown:
        raise BackupError(
            "备份来自更新版本的程序，本程序不认识这些迁移："
            + "、".join(unknown[:5])
            + ("等" if len(unknown) > 5 else "")
            + "。请先把程序升级到与备份相同的版本再恢复"
        )
    pending = {key for key in known if key[0] in installed} - in_backup
    if pending:
        return [f"本程序比备份多 {len(pending)} 个迁移：恢复后请运行 python manage.py migrate"]
    return []


def _media_problem(media_root: Path) -> str | None:
    if media_root.exists() and not media_root.is_dir():
        return f"媒体目录 {media_root} 不是目录"
    if media_root.is_dir() and next(_files_in(media_root), None) is not None:
        return (
            f"媒体目录 {media_root} 里已有文件：恢复只写入空的媒体目录，"
            "请先把它改名移走（或设置 MEDIA_ROOT 指向一个新目录）后重试"
        )
    return None


def _postgresql_tables_present(connection: Any) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def _sqlite_tables_present(path: Path) -> list[str]:
    if not path.exists() or path.stat().st_size == 0:
        return []
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return _table_names(probe.cursor(), "sqlite")
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"目标文件 {path} 已存在且不是 SQLite 数据库：请换一个新文件名") from exc


def _not_empty(engine: str, where: str, tables: list[str]) -> BackupError:
    shown = "、".join(tables[:3]) + ("等" if len(tables) > 3 else "")
    fresh = (
        "让 DATABASE_URL 指向一个还不存在的新文件"
        if engine == "sqlite"
        else "新建一个空的 PostgreSQL 数据库（createdb），让 DATABASE_URL 指向它"
    )
    return BackupError(
        f"目标数据库{where}不是空的（已有 {len(tables)} 张表，如 {shown}）：为免覆盖现有数据，"
        f"恢复只写入新建的空数据库。请{fresh}，再运行 restore（不要先运行 migrate）"
    )


def _extract_database(tar: tarfile.TarFile, manifest: dict[str, Any], target: Path) -> None:
    """Unpack the database member, checking it against the manifest's SHA-256."""
    name = manifest["database_member"]
    try:
        handle = tar.extractfile(tar.getmember(name))
        if handle is None:
            raise KeyError(name)
        with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            digest = _copy_hashing(handle, out)
    except KeyError as exc:
        raise BackupError(f"备份文件不完整：缺少数据库部分 {name}") from exc
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"备份文件已损坏：读取数据库部分 {name} 出错（{exc}）") from exc
    if digest != manifest["database_sha256"]:
        raise BackupError(f"备份文件已损坏：数据库部分 {name} 的校验值与清单不符，未做任何恢复")


def _extract_media(tar: tarfile.TarFile, manifest: dict[str, Any], work: Path) -> Path | None:
    """Unpack `media/` into `work` (paths checked by tarfile's data filter) and count it."""
    members = [m for m in tar.getmembers() if m.name == MEDIA_ARCNAME or m.name.startswith(f"{MEDIA_ARCNAME}/")]
    if not members:
        if manifest["media"]["files"]:
            raise BackupError("备份文件不完整：清单记有媒体文件，归档里却没有")
        return None
    try:
        tar.extractall(path=work, members=members, filter="data")
    except tarfile.FilterError as exc:
        raise BackupError(f"备份文件里有不安全的路径（{exc}），拒绝恢复") from exc
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"备份文件已损坏：解开媒体文件出错（{exc}）") from exc
    root = work / MEDIA_ARCNAME
    files = [path for path in _files_in(root)]
    found = {"files": len(files), "bytes": sum(path.stat().st_size for path in files)}
    if found != manifest["media"]:
        raise BackupError(
            f"备份文件已损坏：媒体文件 {found['files']} 个、{found['bytes']} 字节，"
            f"清单记的是 {manifest['media']['files']} 个、{manifest['media']['bytes']} 字节"
        )
    return root


def _place_media(unpacked: Path | None, media_root: Path) -> None:
    if unpacked is None:
        return
    if media_root.is_dir():
        shutil.rmtree(media_root)  # holds no file: checked before anything was written
    os.replace(unpacked, media_root)


def _verify(manifest: dict[str, Any], census: dict[str, Any], migrations: dict[str, list[str]]) -> None:
    problems = census_differences(manifest["tables"], census)
    if migrations != manifest["migrations"]:
        problems.append("迁移记录与备份清单不一致")
    if problems:
        raise BackupError(
            "恢复后核对不一致，恢复失败：" + "；".join(problems[:10]) + ("……" if len(problems) > 10 else "")
        )


def _restore_postgresql(connection: Any, manifest: dict[str, Any], dump: Path) -> None:
    tool = postgres_tool("pg_restore", _server_major(connection))
    env = postgres_environment(connection.settings_dict)
    # One transaction: a dump that fails halfway leaves the database as empty as it was.
    _run_tool(
        [tool, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--no-password",
         f"--dbname={connection.settings_dict['NAME']}", str(dump)],
        env, "恢复数据库（pg_restore）",
    )
    with connection.cursor() as cursor:
        census = database_census(cursor, "postgresql")
        migrations = _applied_migrations(cursor)
    try:
        _verify(manifest, census, migrations)
    except BackupError as exc:
        raise BackupError(
            f"{exc}。数据库 {connection.settings_dict['NAME']} 里的数据不可信：请删除并重新新建这个空数据库后，"
            "换一份备份再恢复；媒体目录未写入"
        ) from exc
    with connection.cursor() as cursor:
        # pg_restore leaves no planner statistics; the first pages would be slow without them.
        cursor.execute("ANALYZE")


def _restore_sqlite(manifest: dict[str, Any], packed: Path, database: Path) -> None:
    """Unzip next to the target, verify the copy, then move it into place in one rename."""
    fd, name = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite3", dir=database.parent)
    unpacked = Path(name).resolve()
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(packed, "rb") as source:
            shutil.copyfileobj(source, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        copy = sqlite3.connect(f"{unpacked.as_uri()}?mode=ro", uri=True)
        try:
            cursor = copy.cursor()
            census, migrations = database_census(cursor, "sqlite"), _applied_migrations(cursor)
        finally:
            copy.close()
        _verify(manifest, census, migrations)
        # The empty target's journal files would be replayed onto the restored file.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(unpacked, database)
    except (OSError, EOFError, zlib.error, sqlite3.DatabaseError) as exc:
        raise BackupError(f"备份文件中的 SQLite 数据库无法读取（{exc}），未做任何恢复") from exc
    finally:
        unpacked.unlink(missing_ok=True)


def backup_restore(*, source: Path, using: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Restore a backup into an empty database and an empty MEDIA_ROOT, then verify it."""
    started = time.perf_counter()
    source = Path(source)
    connection = connections[using]
    vendor = connection.vendor
    with contextlib.closing(_open_archive(source)) as tar:
        manifest = read_manifest(tar, source)
        engine = manifest["engine"]
        if engine not in DATABASE_MEMBERS:
            raise BackupError(f"备份清单中的数据库类型 {engine} 不受支持")
        if engine != vendor:
            raise BackupError(
                f"这份备份来自 {ENGINE_LABELS[engine]} 数据库，当前配置的是 "
                f"{ENGINE_LABELS.get(vendor, vendor)}：请让 DATABASE_URL 指向一个空的 "
                f"{ENGINE_LABELS[engine]} 数据库"
            )
        notes = _migration_notes(manifest)

        database: Path | None = None
        if vendor == "sqlite":
            database = _sqlite_path(connection.settings_dict)
            if database is None:
                raise BackupError("当前配置的是内存中的 SQLite 数据库，无法恢复到它：请让 DATABASE_URL 指向一个新文件")
            if not database.parent.is_dir():
                raise BackupError(f"目录不存在：{database.parent}")
            present = _sqlite_tables_present(database)
            where = f" {database} "
        else:
            present = _postgresql_tables_present(connection)
            where = f" {connection.settings_dict['NAME']} "
        if present:
            raise _not_empty(vendor, where, present)
        media_root = Path(settings.MEDIA_ROOT).resolve()
        problem = _media_problem(media_root)
        if problem:
            raise BackupError(problem)

        media_root.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root.parent))
        try:
            dump = work / "database"
            _extract_database(tar, manifest, dump)
            unpacked = _extract_media(tar, manifest, work)
            if vendor == "postgresql":
                _restore_postgresql(connection, manifest, dump)
            else:
                assert database is not None
                connection.close()
                _restore_sqlite(manifest, dump, database)
            _place_media(unpacked, media_root)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    tables = manifest["tables"]
    return BackupSummary(
        path=source,
        engine=vendor,
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        media_files=manifest["media"]["files"],
        media_bytes=manifest["media"]["bytes"],
        file_bytes=source.stat().st_size,
        seconds=time.perf_counter() - started,
        created_at=str(manifest.get("created_at", "")),
        notes=tuple(notes),
    )
