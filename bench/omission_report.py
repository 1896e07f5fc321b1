"""Benchmark: `manage.py omission_report` on a county with its household members (not a test).

    .venv/bin/python bench/omission_report.py [--students 10000,100000]     # SQLite (a temporary file)
    .ci/with-postgres .venv/bin/python bench/omission_report.py            # PostgreSQL (DATABASE_URL)

For each size it empties the database and builds the county of
`bench/compute_aid.py` (one household per student, about 18% of them with a
hardship category), then bulk-inserts four members per household (the student,
the head, the spouse and a younger or older sibling of any age: about 400,000
people for 100,000 students), computes the autumn term's aid for every policy and
records a payment account for about 70% of the students, and stores the civil-affairs
list (低保/特困) as `import_external civil` would: every member of those households, one in
fifty under another name. Then it runs
`omission_report` county-wide and prints, per sheet, the time and the number of
queries of the sheet's read, then the whole command's time and queries.

Baseline, measured in the same run: the plain table writer
(`aidsite.lib.excel.write_table_workbook`) writing the same 应助未助 rows.

Target: the whole command under 30 s with a number of queries per sheet that
does not grow with the county. A sheet whose selector still raises
NotImplementedError (another part of issue 13, not merged yet) is written empty
and marked "未合并" in its row: its figure is then missing from the total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidsite.settings")
os.environ.setdefault("SECURE_PRODUCTION", "0")

MEMBER_CHUNK = 20_000


def add_members(seed: int = 11) -> int:
    """Four members per household, bulk-inserted: the student, head, spouse and a sibling."""
    from aidsite.lib.bulk import insert_rows
    from aidsite.lib.idcard import complete_id_number
    from students.models import HouseholdMember, Relation, Student

    rng = random.Random(seed)
    fields = [
        HouseholdMember._meta.get_field(n)
        for n in ("household", "name", "id_number", "relation", "sex", "birth_date")
    ]
    students = Student.objects.values_list(
        "household_id", "name", "id_number", "sex", "birth_date"
    ).order_by("id")
    rows: list[list[Any]] = []
    count = 0
    for i, (household_id, name, number, sex, birth) in enumerate(
        students.iterator(chunk_size=5000)
    ):
        rows.append([household_id, name, number, Relation.CHILD, sex, birth])
        for k, (relation, base) in enumerate(
            (
                (Relation.HEAD, dt.date(1975, 1, 1)),
                (Relation.SPOUSE, dt.date(1977, 1, 1)),
                (Relation.CHILD, dt.date(2006, 1, 1)),
            )
        ):
            # Siblings spread over 2006–2020: some of compulsory-school age with no enrollment.
            days = (i // 1000) % 4000 + (
                rng.randrange(0, 5000) if relation == Relation.CHILD else 0
            )
            born = base + dt.timedelta(days=days)
            digit = i % 1000
            # Region code 41/42/43 + i // 1000 and the sequence i % 1000: unique whatever the birth date.
            member_number = complete_id_number(f"{41 + k}{i // 1000:04d}{born:%Y%m%d}{digit:03d}")
            rows.append(
                [
                    household_id,
                    f"成员{k}-{i}",
                    member_number,
                    relation,
                    "M" if digit % 2 else "F",
                    born,
                ]
            )
        if len(rows) >= MEMBER_CHUNK:
            insert_rows(HouseholdMember, fields, rows)
            count += len(rows)
            rows = []
    insert_rows(HouseholdMember, fields, rows)
    return count + len(rows)


def add_civil_list(changed_every: int = 50) -> int:
    """The civil-affairs list (低保/特困) as stored by `import_external civil`: one row per member of
    each 低保 or 特困 household, every `changed_every`-th under another name (a difference to list)."""
    from aidsite.lib.bulk import insert_rows
    from students.external_models import ExternalListImport, ExternalListRow, ExternalSource
    from students.importing.external import EXTERNAL_ROW_FIELDS
    from students.models import HouseholdCategory, HouseholdHardship, HouseholdMember

    snapshot = ExternalListImport.objects.create(source=ExternalSource.CIVIL, file_name="民政名单.xlsx")
    categories = dict(
        HouseholdHardship.objects.filter(
            category__in=[HouseholdCategory.DIBAO, HouseholdCategory.EXTREME]
        ).values_list("household_id", "category")
    )
    fields = [ExternalListRow._meta.get_field(n) for n in ("list_import", *EXTERNAL_ROW_FIELDS)]
    members = HouseholdMember.objects.filter(household_id__in=list(categories)).values_list(
        "household_id", "household__village__township__name", "household__village__name",
        "household__head_name", "name", "id_number",
    ).order_by("id")  # fmt: skip
    rows: list[list[Any]] = []
    for number, (household_id, township, village, head, name, id_number) in enumerate(members.iterator(chunk_size=5000), start=4):
        values = {
            "row_number": number, "township": township, "village": village, "head_name": head,
            "name": f"{name}甲" if number % changed_every == 0 else name, "id_number": id_number,
            "category": categories[household_id], "start_date": dt.date(2020, 1, 1),
        }  # fmt: skip
        rows.append([snapshot.pk, *(values.get(f, _blank(f)) for f in EXTERNAL_ROW_FIELDS)])
    insert_rows(ExternalListRow, fields, rows)
    ExternalListImport.objects.filter(pk=snapshot.pk).update(row_count=len(rows))
    return len(rows)


def _blank(field: str) -> Any:
    from students.external_models import ExternalListRow

    model_field = ExternalListRow._meta.get_field(field)
    return None if model_field.null else ""


def add_accounts(share: float = 0.7, seed: int = 13) -> None:
    from django.utils import timezone

    from aidsite.lib.bulk import insert_rows
    from students.models import Student
    from subsidies.models import PaymentAccount, PaymentMethod

    rng = random.Random(seed)
    fields = [
        PaymentAccount._meta.get_field(n)
        for n in ("student", "method", "account_number", "bank_name", "holder_name", "updated_at")
    ]
    now = timezone.now()
    rows = [
        [pk, PaymentMethod.BANK_CARD, f"6217{pk:012d}", "农商银行", "家长", now]
        for pk in Student.objects.values_list("pk", flat=True).order_by("pk")
        if rng.random() < share
    ]
    insert_rows(PaymentAccount, fields, rows)


class SheetMeter:
    """Wraps one sheet's selector: its time and queries; an unmerged one (NotImplementedError) returns []."""

    def __init__(self, label: str, function: Callable[..., list[Any]]) -> None:
        self.label, self.function = label, function
        self.seconds, self.queries, self.rows, self.merged = 0.0, 0, 0, True

    def __call__(self, **kwargs: Any) -> list[Any]:
        from django.db import connection

        counted: list[int] = []
        started = time.perf_counter()
        with connection.execute_wrapper(_counter(counted)):
            try:
                rows = self.function(**kwargs)
            except NotImplementedError:
                rows, self.merged = [], False
        self.seconds, self.queries, self.rows = (
            time.perf_counter() - started,
            len(counted),
            len(rows),
        )
        return rows


def _counter(counts: list[int]):  # type: ignore[no-untyped-def]
    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counts.append(1)
        return execute(sql, params, many, context)

    return wrapper


def build(students: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from aidsite.access import SystemActor
    from bench.compute_aid import build_county
    from students.models import Season, Term
    from subsidies.services.entitlements import entitlements_compute

    call_command("flush", interactive=False, verbosity=0)
    call_command("open_year", "2022-2023", stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.perf_counter()
    build_county(students)
    members = add_members()
    term = Term.objects.select_related("school_year").get(
        school_year__name="2022-2023", season=Season.AUTUMN
    )
    entitlements_compute(term=term, actor=SystemActor("omission_report 基准测试"))
    add_accounts()
    civil_rows = add_civil_list()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"members": members, "civil_rows": civil_rows, "build_s": time.perf_counter() - started}


def run(students: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from aidsite.access import SystemActor
    from aidsite.lib.excel import write_table_workbook
    from students import external_lists, omissions
    from students.models import Term
    from subsidies.exports import omissions as report
    from subsidies.exports.omissions import unaided_rows
    from subsidies.selectors.omissions import unaided_students

    built = build(students)
    meters = {
        "疑似失学辍学": SheetMeter("疑似失学辍学", omissions.suspected_dropouts),
        "适龄未入园": SheetMeter("适龄未入园", omissions.not_in_kindergarten),
        "应助未助": SheetMeter("应助未助", report.unaided_students),
        "名单比对差异": SheetMeter("名单比对差异", external_lists.list_differences),
    }
    originals = (
        omissions.suspected_dropouts,
        omissions.not_in_kindergarten,
        report.unaided_students,
        external_lists.list_differences,
    )
    omissions.suspected_dropouts, omissions.not_in_kindergarten = (
        meters["疑似失学辍学"],
        meters["适龄未入园"],
    )
    report.unaided_students, external_lists.list_differences = (
        meters["应助未助"],
        meters["名单比对差异"],
    )
    with tempfile.TemporaryDirectory(prefix="bench-omission-") as out:
        total: list[int] = []
        try:
            with connection.execute_wrapper(_counter(total)):
                started, cpu = time.perf_counter(), time.process_time()
                call_command(
                    "omission_report", "--year", "2022-2023", "--term", "autumn",
                    "--output", str(Path(out) / "report.xlsx"), stdout=open(os.devnull, "w"),  # noqa: SIM115
                )  # fmt: skip
                command_s, command_cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            (
                omissions.suspected_dropouts,
                omissions.not_in_kindergarten,
                report.unaided_students,
                external_lists.list_differences,
            ) = originals
        # Baseline: the plain writer on the same 应助未助 rows, read again outside the timing.
        term = Term.objects.select_related("school_year").get(
            school_year__name="2022-2023", season="autumn"
        )
        rows = unaided_students(actor=SystemActor("基准"), term=term)
        started = time.perf_counter()
        write_table_workbook(
            str(Path(out) / "raw.xlsx"), unaided_rows(rows, reveal=True), sheet_name="应助未助"
        )
        raw_s = time.perf_counter() - started
        size_mb = (Path(out) / "report.xlsx").stat().st_size / 1e6
    return {
        "students": students, **built, "meters": meters, "command_s": command_s, "command_cpu": command_cpu,
        "queries": len(total), "raw_s": raw_s, "size_mb": size_mb,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", default="10000,100000", help="comma-separated county sizes")
    args = parser.parse_args()
    sizes = [int(s) for s in args.students.split(",") if s]

    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.TemporaryDirectory(prefix="bench-omission-db-")
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(
        f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    for size in sizes:
        r = run(size)
        print(
            f"\n{r['students']:,} students, {r['members']:,} household members, {r['civil_rows']:,} rows of the civil-affairs list (built in {r['build_s']:.1f} s)"
        )
        print(f"  {'sheet':<8} {'rows':>8} {'read s':>7} {'queries':>7}")
        for label, m in r["meters"].items():
            note = (
                "" if m.merged else "  未合并（selector raises NotImplementedError; written empty）"
            )
            print(f"  {label:<8} {m.rows:>8,} {m.seconds:>7.2f} {m.queries:>7}{note}")
        print(
            f"  omission_report: {r['command_s']:.2f} s ({r['command_cpu']:.2f} s CPU), {r['queries']} queries, "
            f"{r['size_mb']:.1f} MB; baseline plain writer on the 应助未助 rows: {r['raw_s']:.2f} s"
        )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
