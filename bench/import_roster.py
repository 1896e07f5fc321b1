"""Benchmark: importing a county-size students roster, against a floor measured in the same run.

    python bench/import_roster.py [--rows N]                           # SQLite (a temporary file)
    .ci/with-postgres .venv/bin/python bench/import_roster.py          # PostgreSQL (DATABASE_URL)

Builds a roster of N students (default 100,000) with the demo generator and
writes it as .xlsx (title row, 填报单位 line, header, data), then measures,
each phase in its own process on an empty database (so that each peak memory
figure is its own):

- floor: reading the same file with openpyxl and bulk-inserting the same
  households, hardships, students and enrollments, with no validation and no
  history;
- import: `roster_import(kind="students")`, validation and history included;
- import without history: the same with SIMPLE_HISTORY_ENABLED off (the cost
  of the audit trail);
- re-import: the same file a second time (every row unchanged).

Prints seconds, rows/s, the ratio import/floor (target: within 3x) and the
peak resident memory of each phase (target: under 500 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidsite.settings")
os.environ.setdefault("SECURE_PRODUCTION", "0")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _django_fresh_db() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        # A PostgreSQL run reuses one database: empty it between phases.
        call_command("flush", interactive=False, verbosity=0)


def _places(workdir: Path) -> None:
    from aidsite.access import SystemActor
    from students.importing import roster_import

    for kind in ("villages", "schools"):
        report = roster_import(
            kind=kind, source=workdir / f"{kind}.xlsx", actor=SystemActor("import_roster 基准")
        )
        assert report.ok, [str(e) for e in report.errors[:5]]


def phase_build(workdir: Path, rows: int) -> dict:
    from students.demo_roster import HEADERS, demo_roster, roster_xlsx

    started = time.perf_counter()
    roster = demo_roster(students=rows)
    for kind in ("villages", "schools", "students"):
        roster_xlsx(
            workdir / f"{kind}.xlsx",
            headers=HEADERS[kind],
            rows=roster.rows(kind),
            title=f"2022-2023学年{kind}名册",
            unit="县教育和体育局",
        )
    return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def phase_floor(workdir: Path) -> dict:
    """Read the file and insert the same rows: no validation, no history, no comparison."""
    _django_fresh_db()
    _places(workdir)
    import datetime as dt

    from django.db import transaction
    from openpyxl import load_workbook

    from students.models import (
        Enrollment,
        Household,
        HouseholdHardship,
        School,
        Student,
        Village,
    )
    from students.school_years import school_year_open

    categories = {"建档立卡": "registered", "低保": "dibao", "特困": "extreme", "其他困难": "other"}
    stages = {"学前": "kindergarten", "小学": "primary", "初中": "junior", "普通高中": "high"}
    stages |= {"中职": "vocational", "特殊教育": "special"}
    started, cpu = time.perf_counter(), time.process_time()
    villages = {
        (t, n): pk for pk, t, n in Village.objects.values_list("pk", "township__name", "name")
    }
    schools = dict(School.objects.values_list("name", "pk"))
    year, _ = school_year_open(name="2022-2023")
    workbook = load_workbook(workdir / "students.xlsx", read_only=True, data_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    for cells in rows:
        if cells and cells[0] == "姓名":
            header = list(cells)
            break
    # Plain tuples while reading, model instances 2,000 at a time while writing: the
    # cheapest way to insert these rows with Django, so the floor is a real lower bound.
    households: dict[tuple[int, str], tuple[str, list[str]]] = {}
    students: list[tuple] = []
    enrollments: list[tuple] = []
    count = 0
    for cells in rows:
        if not cells or cells[0] is None:
            continue
        count += 1
        r = dict(zip(header, cells, strict=False))
        key = (villages[(r["乡镇"], r["村"])], r["户主姓名"])
        if key not in households:
            households[key] = (r["联系电话"] or "", (r["家庭类别"] or "").split("、"))
        number = r["身份证号"]
        personal = r["个人类别"] or ""
        students.append((r["姓名"], number, key, personal))
        enrollments.append(
            (
                number,
                schools[r["学校"]],
                stages[r["学段"]],
                r["年级"] or "",
                r["班级"] or "",
                r["是否寄宿"] == "是",
                r["专业"] or "",
                r["是否涉农专业"] == "是",
            )
        )
    workbook.close()

    def chunks(items: list, size: int = 2000):
        for start in range(0, len(items), size):
            yield items[start : start + size]

    with transaction.atomic():
        household_pks: dict[tuple[int, str], int] = {}
        for chunk in chunks(list(households.items())):
            made = Household.objects.bulk_create(
                [Household(village_id=k[0], head_name=k[1], phone=v[0]) for k, v in chunk]
            )
            household_pks.update({(h.village_id, h.head_name): h.pk for h in made})
        pairs = [
            (household_pks[k], categories[c]) for k, v in households.items() for c in v[1] if c
        ]
        for chunk in chunks(pairs):
            HouseholdHardship.objects.bulk_create(
                [HouseholdHardship(household_id=h, category=c) for h, c in chunk]
            )
        student_pks: dict[str, int] = {}
        for chunk in chunks(students):
            made = Student.objects.bulk_create(
                [
                    Student(
                        name=name,
                        id_number=number,
                        sex="M" if int(number[16]) % 2 else "F",
                        birth_date=dt.date(
                            int(number[6:10]), int(number[10:12]), int(number[12:14])
                        ),
                        household_id=household_pks[key],
                        is_orphan="孤儿" in personal,
                        is_martyr_child="烈士子女" in personal,
                        is_disabled="残疾" in personal,
                    )
                    for name, number, key, personal in chunk
                ]
            )
            student_pks.update({s.id_number: s.pk for s in made})
        for chunk in chunks(enrollments):
            Enrollment.objects.bulk_create(
                [
                    Enrollment(
                        student_id=student_pks[e[0]],
                        school_id=e[1],
                        school_year_id=year.pk,
                        stage=e[2],
                        grade=e[3],
                        class_name=e[4],
                        is_boarding=e[5],
                        major=e[6],
                        is_agri_major=e[7],
                    )
                    for e in chunk
                ]
            )
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rows": count,
        "peak_mb": _peak_mb(),
    }


def phase_import(workdir: Path, history: bool = True) -> dict:
    _django_fresh_db()
    from django.conf import settings

    settings.SIMPLE_HISTORY_ENABLED = history
    _places(workdir)
    from aidsite.access import SystemActor
    from students.importing import roster_import
    from students.models import Student

    actor = SystemActor("import_roster 基准")
    started, cpu = time.perf_counter(), time.process_time()
    report = roster_import(kind="students", source=workdir / "students.xlsx", actor=actor)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert report.ok, [str(e) for e in report.errors[:5]]
    result = {
        "seconds": seconds,
        "cpu": cpu,
        "rows": report.total_rows,
        "created": report.created,
        "students": Student.objects.count(),
        "history": Student.history.count(),
        "peak_mb": _peak_mb(),
    }
    if history:
        started = time.perf_counter()
        again = roster_import(kind="students", source=workdir / "students.xlsx", actor=actor)
        result["again_seconds"] = time.perf_counter() - started
        result["again_unchanged"] = again.unchanged
        result["again_history"] = Student.history.count()
        result["peak_mb"] = _peak_mb()
    return result


def _child(phase: str, workdir: Path, rows: int, env: dict[str, str]) -> dict:
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            "--phase",
            phase,
            "--workdir",
            str(workdir),
            "--rows",
            str(rows),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        # A failing phase says why (its traceback), not just its exit status.
        sys.stderr.write(completed.stderr[-4000:])
        raise SystemExit(f"phase {phase} failed with exit status {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--phase", choices=["build", "floor", "import", "import-nohistory"])
    parser.add_argument("--workdir")
    args = parser.parse_args()

    if args.phase:
        workdir = Path(args.workdir)
        result = {
            "build": lambda: phase_build(workdir, args.rows),
            "floor": lambda: phase_floor(workdir),
            "import": lambda: phase_import(workdir),
            "import-nohistory": lambda: phase_import(workdir, history=False),
        }[args.phase]()
        print(json.dumps(result))
        return

    database_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        workdir = Path(tmp)
        base_env = dict(os.environ)

        def env_for(phase: str) -> dict[str, str]:
            env = dict(base_env)
            if not database_url.startswith(("postgres://", "postgresql://")):
                env["DATABASE_URL"] = f"sqlite:///{workdir / (phase + '.sqlite3')}"
            env["IMPORT_MAX_ROWS"] = str(max(args.rows + 10, 200_000))
            env["IMPORT_MAX_FILE_BYTES"] = str(1024 * 1024 * 1024)
            env["IMPORT_MAX_UNCOMPRESSED_BYTES"] = str(4 * 1024 * 1024 * 1024)
            return env

        vendor = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(f"数据库：{vendor}，学生名册 {args.rows} 行")
        built = _child("build", workdir, args.rows, env_for("build"))
        size = (workdir / "students.xlsx").stat().st_size / 1048576
        print(f"生成名册：{built['seconds']:.1f} 秒，文件 {size:.1f} MB")
        floor = _child("floor", workdir, args.rows, env_for("floor"))
        full = _child("import", workdir, args.rows, env_for("import"))
        bare = _child("import-nohistory", workdir, args.rows, env_for("import-nohistory"))

    rows = full["rows"]

    def line(label: str, result: dict) -> str:
        return (
            f"{label:<24}{result['seconds']:>8.1f} s {rows / result['seconds']:>8.0f} rows/s"
            f"   cpu {result['cpu']:>6.1f} s   peak {result['peak_mb']:>5.0f} MB"
        )

    print(line("floor (read + insert)", floor))
    print(line("import (full)", full))
    print(line("import without history", bare))
    print(
        f"{'re-import (unchanged)':<24}{full['again_seconds']:>8.1f} s "
        f"{rows / full['again_seconds']:>10.0f} rows/s   unchanged {full['again_unchanged']}"
    )
    print(
        f"ratio import/floor: {full['seconds'] / floor['seconds']:.2f}x wall, "
        f"{full['cpu'] / floor['cpu']:.2f}x cpu (target ≤ 3x)"
    )
    print(f"history cost: {full['seconds'] - bare['seconds']:+.1f} s")
    print(
        f"students {full['students']}, student history rows {full['history']} "
        f"(after re-import {full['again_history']})"
    )


if __name__ == "__main__":
    main()
