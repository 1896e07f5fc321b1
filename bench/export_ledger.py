"""Benchmark: export a 100,000-entry ledger; compare with the raw writer writing the same rows unstyled.

    .venv/bin/python bench/export_ledger.py [--rows 100000]
    .ci/with-postgres .venv/bin/python bench/export_ledger.py

Without DATABASE_URL it uses its own SQLite file under var/ (built once, reused).
The ledger (one township, one policy and term, one approved batch) is bulk-built
the first time. Each measurement runs in its own subprocess so that its peak
memory (ru_maxrss) is its own: the formal export (`ledger_export`: title, styles,
合计, 大写, signatures, widths) and the raw write (the same rows from the same
queryset, xlsxwriter constant_memory, `write_row`, no formats). Each runs
`--repeat` times (default 2), alternating; the fastest run of each is compared.
Prints seconds and peak memory of both and their ratio. Speed is not asserted anywhere.
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
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_ledger.sqlite3'}")
os.environ.setdefault("SECURE_PRODUCTION", "0")

TOWNSHIP = "基准镇"
YEAR = "2022-2023"


def _setup() -> None:
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(rows: int) -> None:
    """Bulk-build `rows` approved ledger entries (no history: this is a benchmark fixture)."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from aidsite.lib.idcard import complete_id_number
    from students.models import (
        Enrollment,
        Household,
        School,
        Stage,
        Student,
        Term,
        Township,
        Village,
    )
    from students.school_years import school_year_open
    from subsidies.models import (
        BatchStatus,
        DisbursementBatch,
        Entitlement,
        EntitlementApproval,
        EntitlementStatus,
        LedgerEntry,
        PaymentMethod,
        Policy,
    )
    from subsidies.services.policies import policies_seed_load

    call_command("migrate", verbosity=0)
    existing = LedgerEntry.objects.filter(batch__township__name=TOWNSHIP).count()
    if existing == rows:
        return
    if existing:
        raise SystemExit(f"{existing} entries already built for another size; delete {os.environ['DATABASE_URL']}")
    started = time.perf_counter()
    year, _ = school_year_open(name=YEAR)
    policies_seed_load(school_year=year)
    term = Term.objects.get(school_year=year, season="autumn")
    policy = Policy.objects.get(school_year=year, code="PRE-GRANT")
    User = get_user_model()
    preparer = User.objects.create_user(username="bench-preparer", password="bench-password-123")
    approver = User.objects.create_user(username="bench-approver", password="bench-password-123")
    township = Township.objects.create(name=TOWNSHIP)
    villages = Village.objects.bulk_create(
        [Village(township=township, name=f"第{i + 1}村", is_poor_village=i % 5 == 0) for i in range(40)]
    )
    schools = School.objects.bulk_create(
        [
            School(name=f"基准镇第{i + 1}幼儿园", township=township, village=villages[i % 40], stages=Stage.KINDERGARTEN,
                   is_inclusive=True, is_county_approved=True, is_rural=True)
            for i in range(60)
        ]
    )
    households = Household.objects.bulk_create(
        [Household(village=villages[i % 40], head_name=f"户主{i:06d}", address=f"第{i % 40 + 1}村{i}号") for i in range(rows)],
        batch_size=5000,
    )
    students = Student.objects.bulk_create(
        [
            Student(
                name=f"学生{i:06d}",
                # Region and sequence together are unique for up to 100,000 students.
                id_number=complete_id_number(f"{370829 + i // 1000:06d}2018{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"),
                sex="M" if i % 2 else "F",
                birth_date=dt.date(2018, 1 + i % 12, 1 + i % 28),
                household=households[i],
            )
            for i in range(rows)
        ],
        batch_size=5000,
    )
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(student=s, school=schools[i % 60], school_year=year, stage=Stage.KINDERGARTEN,
                       grade=("小班", "中班", "大班")[i % 3], class_name=f"{i % 4 + 1}班")
            for i, s in enumerate(students)
        ],
        batch_size=5000,
    )
    approval = EntitlementApproval.objects.create(
        term=term, township=township, policy_codes=policy.code, approved_by=approver, entitlement_count=rows,
        total_amount=Decimal("600.00") * rows,
    )
    now = timezone.now()
    entitlements = Entitlement.objects.bulk_create(
        [
            Entitlement(student=e.student, enrollment=e, policy=policy, term=term, tier=2, amount=Decimal("600.00"),
                        max_amount=Decimal("600.00"),
                        status=EntitlementStatus.APPROVED, computed_at=now, approval=approval)
            for e in enrollments
        ],
        batch_size=5000,
    )
    batch = DisbursementBatch.objects.create(
        township=township, policy=policy, term=term, sequence=1, status=BatchStatus.APPROVED,
        prepared_by=preparer, prepared_at=now, approved_by=approver, approved_at=now, entry_count=rows,
        total_amount=Decimal("600.00") * rows,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(batch=batch, entitlement=ent, student=ent.student, policy=policy, term=term,
                        school=ent.enrollment.school, amount=ent.amount, method=PaymentMethod.BANK_CARD,
                        account_number=f"6217{i:016d}", holder_name=f"家长{i:06d}", locked=True, created_at=now)
            for i, ent in enumerate(entitlements)
        ],
        batch_size=5000,
    )
    print(f"built {rows} entries in {time.perf_counter() - started:.1f} s")


def _selection():  # type: ignore[no-untyped-def]
    from students.models import Term, Township
    from subsidies.models import Policy
    from subsidies.selectors import LedgerFilter

    term = Term.objects.select_related("school_year").get(school_year__name=YEAR, season="autumn")
    return LedgerFilter(
        term=term,
        township=Township.objects.get(name=TOWNSHIP),
        policy=Policy.objects.get(school_year=term.school_year, code="PRE-GRANT"),
    )


def child(kind: str) -> None:
    _setup()
    from aidsite.access import SystemActor
    from subsidies.exports.ledger import ledger_export, ledger_queryset, ledger_rows

    selection = _selection()
    actor = SystemActor("bench/export_ledger.py")
    baseline = _peak_mb()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}.xlsx"
        started = time.perf_counter()
        if kind == "formal":
            rows = ledger_export(actor=actor, selection=selection, target=str(path), log=False).rows
        else:
            import xlsxwriter

            workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
            sheet = workbook.add_worksheet()
            rows = -1
            for number, row in enumerate(ledger_rows(ledger_queryset(actor, selection), reveal=True)):
                sheet.write_row(number, 0, row)
                rows += 1
            workbook.close()
        seconds = time.perf_counter() - started
        size = path.stat().st_size
    print(json.dumps({"kind": kind, "rows": rows, "seconds": seconds, "peak_mb": _peak_mb(),
                      "baseline_mb": baseline, "bytes": size}))


def _run(*arguments: str) -> str:
    return subprocess.run(
        [sys.executable, __file__, *arguments], check=True, capture_output=True, text=True, env=os.environ.copy()
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=["formal", "raw"])
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, alternating; the fastest counts")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.build:
        _setup()
        build(args.rows)
        from django.db import connection

        print(f"vendor={connection.vendor}")
        return
    # This parent stays small and imports nothing: on Linux a child's ru_maxrss
    # starts from its parent's size, so the measurements run in fresh children.
    built = _run("--build", "--rows", str(args.rows))
    vendor = built.strip().splitlines()[-1].split("=", 1)[1]
    for line in built.strip().splitlines()[:-1]:
        print(line)
    # Alternate the two and keep each one's fastest run: a shared machine's load
    # then weighs on both alike.
    runs: dict[str, list[dict]] = {"raw": [], "formal": []}
    for _ in range(max(args.repeat, 1)):
        for kind in ("raw", "formal"):
            runs[kind].append(json.loads(_run("--child", kind).strip().splitlines()[-1]))
    raw, formal = (min(runs[k], key=lambda r: r["seconds"]) for k in ("raw", "formal"))
    for kind in ("raw", "formal"):
        print(f"  {kind} runs: " + ", ".join(f"{r['seconds']:.2f} s" for r in runs[kind]))
    print(f"database: {vendor}; ledger rows: {formal['rows']:,}; 15 columns")
    for r in (raw, formal):
        label = "raw writer (same rows, no styling)" if r["kind"] == "raw" else "formal ledger export"
        print(f"  {label:<38} {r['seconds']:7.2f} s   peak {r['peak_mb']:6.1f} MB "
              f"(after start-up {r['baseline_mb']:.1f} MB)   {r['bytes'] / 1e6:.1f} MB file")
    ratio = formal["seconds"] / raw["seconds"]
    print(f"  formal / raw time: {ratio:.2f}x (target <= 1.3x); formal peak {formal['peak_mb']:.0f} MB (target < 150 MB)")


if __name__ == "__main__":
    main()
