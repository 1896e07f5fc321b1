"""Benchmark: computing a whole term's aid (all policies) for a county (not a test).

    .venv/bin/python bench/compute_aid.py [--students 10000,100000]     # SQLite (a temporary file)
    .ci/with-postgres .venv/bin/python bench/compute_aid.py            # PostgreSQL (DATABASE_URL)

For each size it empties the database, bulk-creates a county of that many
enrolled students (10 townships; kindergartens, rural primary and junior
schools with boarders, high schools, vocational schools, a special school;
about 18% of households with a hardship category, a fifth of villages
province-designated poor, 1% of students enrolled at two schools), then
times `entitlements_compute` for the autumn term, every policy, county-wide,
and counts its queries; then times the recomputation (nothing changes).
Target: under 10 s on SQLite and PostgreSQL, and a query count that
does not grow with the number of students. "cpu" is this process's CPU time
(the database server's work is not in it on PostgreSQL); wall time on a busy
machine is the less reliable figure. On PostgreSQL the two COPY statements per
policy that insert new rows and their history run outside Django's execute
path, so the query column leaves them out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidsite.settings")
os.environ.setdefault("SECURE_PRODUCTION", "0")

TOWNSHIPS = 10
VILLAGES_PER_TOWNSHIP = 20
# stage, share of students, school size, school flags
STAGES = [
    ("kindergarten", 0.20, 150, {"is_inclusive": True, "is_county_approved": True}),
    ("primary", 0.38, 400, {"is_rural": True, "is_boarding": True}),
    ("junior", 0.20, 600, {"is_rural": True, "is_boarding": True}),
    ("high", 0.12, 1500, {}),
    ("vocational", 0.08, 1200, {"tuition": Decimal("2400")}),
    ("special", 0.02, 200, {}),
]


def build_county(students: int, seed: int = 7) -> None:
    """Bulk-create townships, villages, schools, households, students and enrollments."""
    from aidsite.lib.idcard import complete_id_number
    from students.models import (
        Enrollment,
        Household,
        HouseholdCategory,
        HouseholdHardship,
        School,
        SchoolYear,
        Student,
        Township,
        Village,
    )

    rng = random.Random(seed)
    year = SchoolYear.objects.get(name="2022-2023")
    townships = Township.objects.bulk_create(
        [Township(name=f"测试{n + 1:02d}镇") for n in range(TOWNSHIPS)]
    )
    villages = Village.objects.bulk_create(
        [
            Village(township=t, name=f"第{v + 1}村", is_poor_village=(v % 5 == 0))
            for t in townships
            for v in range(VILLAGES_PER_TOWNSHIP)
        ]
    )
    villages_of = {t.pk: [v for v in villages if v.township_id == t.pk] for t in townships}

    school_rows = []
    plan = []  # (school index, stage) per student
    for stage, share, size, flags in STAGES:
        count = round(students * share)
        n_schools = max(1, -(-count // size))
        first = len(school_rows)
        for k in range(n_schools):
            township = townships[k % TOWNSHIPS]
            school_rows.append(
                School(
                    name=f"{township.name}{stage}{k + 1}",
                    township=township,
                    stages=stage,
                    **flags,
                )
            )
        plan.extend((first + (i % n_schools), stage) for i in range(count))
    schools = School.objects.bulk_create(school_rows)

    households, people = [], []
    base_birth = dt.date(2004, 1, 1)
    for i, (school_index, _stage) in enumerate(plan):
        school = schools[school_index]
        village = rng.choice(villages_of[school.township_id])
        households.append(Household(village=village, head_name=f"户主{i}"))
    households = Household.objects.bulk_create(households, batch_size=5000)

    hardships = []
    categories = list(HouseholdCategory.values)
    for household in households:
        if rng.random() < 0.18:
            hardships.append(HouseholdHardship(household=household, category=rng.choice(categories), year_registered=2020))
    HouseholdHardship.objects.bulk_create(hardships, batch_size=5000)

    for i, household in enumerate(households):
        birth = base_birth + dt.timedelta(days=(i // 1000) % 4000)
        sex_digit = i % 1000
        number = complete_id_number(f"{370800 + i // 4_000_000:06d}{birth:%Y%m%d}{sex_digit:03d}")
        people.append(
            Student(
                name=f"学生{i}",
                id_number=number,
                sex="M" if sex_digit % 2 else "F",
                birth_date=birth,
                household=household,
                is_orphan=rng.random() < 0.01,
                is_martyr_child=rng.random() < 0.002,
                is_disabled=rng.random() < 0.01,
            )
        )
    people = Student.objects.bulk_create(people, batch_size=5000)

    enrollments = []
    for person, (school_index, stage) in zip(people, plan, strict=True):
        school = schools[school_index]
        enrollments.append(
            Enrollment(
                student=person,
                school=school,
                school_year=year,
                stage=stage,
                grade="一年级",
                class_name="1班",
                is_boarding=stage in ("primary", "junior") and rng.random() < 0.3,
                is_agri_major=stage == "vocational" and rng.random() < 0.2,
                study_year=rng.randint(1, 3) if stage == "vocational" else None,
            )
        )
    # 1% enrolled twice in the year (a transfer not closed): the conflicts to report.
    for person, (school_index, stage) in list(zip(people, plan, strict=True))[:: 100]:
        others = [k for k, s in enumerate(schools) if s.stages == stage and k != school_index]
        if others:
            enrollments.append(
                Enrollment(student=person, school=schools[rng.choice(others)], school_year=year, stage=stage)
            )
    Enrollment.objects.bulk_create(enrollments, batch_size=5000)


def _counter(counts: list[int]):  # type: ignore[no-untyped-def]
    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counts.append(1)
        return execute(sql, params, many, context)

    return wrapper


def run(students: int) -> dict[str, float | int]:
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from aidsite.access import SystemActor
    from students.models import Enrollment, Season, Term
    from subsidies.models import Entitlement
    from subsidies.services.entitlements import entitlements_compute

    actor = SystemActor("compute_aid 基准测试")

    call_command("flush", interactive=False, verbosity=0)
    call_command("open_year", "2022-2023", stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.perf_counter()
    build_county(students)
    built = time.perf_counter() - started
    term = Term.objects.select_related("school_year").get(school_year__name="2022-2023", season=Season.AUTUMN)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # Timed runs count statements with an execute wrapper: CaptureQueriesContext
    # formats every bulk INSERT's parameters into SQL text, which would dominate
    # the time it measures. It counts the recomputation below, as a cross-check.
    first_count: list[int] = []
    with connection.execute_wrapper(_counter(first_count)):
        started, cpu = time.perf_counter(), time.process_time()
        result = entitlements_compute(term=term, actor=actor)
        first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    second_count: list[int] = []
    with connection.execute_wrapper(_counter(second_count)):
        started, cpu = time.perf_counter(), time.process_time()
        again = entitlements_compute(term=term, actor=actor)
        second, second_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert not again.has_changes, "recomputation changed something"
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        entitlements_compute(term=term, actor=actor)
    captured_count = len(captured.captured_queries)
    return {
        "students": students,
        "enrollments": Enrollment.objects.count(),
        "build_s": built,
        "compute_s": first,
        "compute_cpu": first_cpu,
        "compute_queries": len(first_count),
        "entitlements": Entitlement.objects.count(),
        "conflicts": len(result.conflicts),
        "recompute_s": second,
        "recompute_cpu": second_cpu,
        "recompute_queries": len(second_count),
        "captured_queries": captured_count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", default="10000,100000", help="comma-separated county sizes")
    args = parser.parse_args()
    sizes = [int(s) for s in args.students.split(",") if s]

    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.TemporaryDirectory(prefix="bench-aid-")
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'students':>9} {'enrollments':>11} {'entitlements':>12} {'build s':>8} {'compute s':>9} {'(cpu)':>6} {'queries':>7} {'recompute s':>11} {'(cpu)':>6} {'queries':>7} {'conflicts':>9} {'captured':>8}")
    for size in sizes:
        r = run(size)
        print(
            f"{r['students']:>9,} {r['enrollments']:>11,} {r['entitlements']:>12,} {r['build_s']:>8.1f} "
            f"{r['compute_s']:>9.2f} {r['compute_cpu']:>6.2f} {r['compute_queries']:>7} {r['recompute_s']:>11.2f} {r['recompute_cpu']:>6.2f} {r['recompute_queries']:>7} {r['conflicts']:>9,} {r['captured_queries']:>8}"
        )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
