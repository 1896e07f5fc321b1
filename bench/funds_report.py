"""Benchmark: the funds report page (资金指标执行情况, /aid/funds/) on a county with its ledgers (not a test).

    .venv/bin/python bench/funds_report.py [--students 10000,100000]     # SQLite (a temporary file)
    .ci/with-postgres .venv/bin/python bench/funds_report.py            # PostgreSQL (DATABASE_URL)

For each size it empties the database and builds the county of
`bench/compute_aid.py`, computes the autumn term's aid for every policy,
records a payment account for about 70% of the students (`bench/omission_report.py`),
approves every township's list, prepares one batch per township and policy
(一卡通; the students without an account stay committed) and approves
all but one township's batches; then the bank returns: most entries paid, one in
forty failed, one in two hundred reversed (half of them to be paid again). The
county enters one allotment per township and policy and one earmarked per
school. Then the county administrator's GET of the page is timed in the server
(Django's test client, warm: the second of two requests) with its queries.

Baseline, measured in the same run: the floor of any such report, one aggregate
query summing the term's approved entitlements and its live entries.

Target: under 2 s at 100,000 students, the same number of queries at both sizes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidsite.settings")
os.environ.setdefault("SECURE_PRODUCTION", "0")


def _users() -> tuple[Any, Any]:
    from aidsite.models import Role
    from tests.factories import make_user

    return make_user(role=Role.COUNTY_ADMIN, username="bench_a"), make_user(
        role=Role.COUNTY_ADMIN, username="bench_b"
    )


def add_ledgers(term: Any, preparer: Any, approver: Any) -> dict[str, int]:
    """Approve every list, batch it, approve all but the last township's batches, record the bank's returns."""
    from django.core.exceptions import ValidationError

    from students.models import Township
    from subsidies.models import BatchStatus, LedgerEntry, PaymentStatus
    from subsidies.selectors import policies_for_term
    from subsidies.services.entitlement_review import entitlements_approve
    from subsidies.services.ledgers import LedgerError, batch_approve, batch_prepare, entry_reverse

    townships = list(Township.objects.order_by("name"))
    batches = []
    for township in townships:
        try:
            entitlements_approve(term=term, township=township, actor=approver)
        except ValidationError:
            continue  # no proposed list in the township
        for policy in policies_for_term(term):
            try:
                batches.append(
                    batch_prepare(township=township, policy=policy, term=term, actor=preparer).batch
                )
            except LedgerError:
                continue  # nothing approved of that policy in the township
    for batch in batches:
        if batch.township_id != townships[-1].pk:
            batch_approve(batch=batch, actor=approver, over_reason="基准测试")
    approved = LedgerEntry.objects.filter(batch__status=BatchStatus.APPROVED).order_by("pk")
    ids = list(approved.values_list("pk", flat=True))
    failed = ids[::40]
    LedgerEntry.objects.filter(pk__in=failed).update(
        payment_status=PaymentStatus.FAILED, is_live=False
    )
    LedgerEntry.objects.filter(pk__in=ids).exclude(pk__in=failed).update(
        payment_status=PaymentStatus.PAID
    )
    reversed_ = [pk for pk in ids[7::200] if pk not in set(failed)]
    for n, entry in enumerate(
        LedgerEntry.objects.filter(pk__in=reversed_).select_related("batch__township")
    ):
        entry_reverse(entry=entry, actor=approver, reason="基准测试冲销", reissue=n % 2 == 0)
    return {
        "batches": len(batches),
        "entries": LedgerEntry.objects.count(),
        "reversed": len(reversed_),
    }


def add_allotments(term: Any, user: Any) -> int:
    """One allotment per township and policy (乡镇统筹), one earmarked per school (专项)."""
    import datetime as dt

    from students.models import School, Township
    from subsidies.models import FundAllotment
    from subsidies.selectors import policies_for_term

    policies = list(policies_for_term(term))
    common = {"term": term, "issued_on": dt.date(2022, 9, 1), "entered_by": user}
    places: list[dict[str, Any]] = [
        {
            "township": t,
            "policy": p,
            "amount": Decimal("900000.00"),
            "document_number": "县财教〔2022〕12号",
        }
        for t in Township.objects.all()
        for p in policies
    ]
    for school in School.objects.all():
        policy = next((p for p in policies if set(p.stage_list) & set(school.stage_list)), None)
        if policy is not None:
            places.append(
                {
                    "school": school,
                    "policy": policy,
                    "amount": Decimal("20000.00"),
                    "document_number": "县财教〔2022〕15号",
                }
            )
    FundAllotment.objects.bulk_create([FundAllotment(**common, **place) for place in places])
    return len(places)


def build(students: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from aidsite.access import SystemActor
    from bench.compute_aid import build_county
    from bench.omission_report import add_accounts
    from students.models import Season, Term
    from subsidies.services.entitlements import entitlements_compute

    call_command("flush", interactive=False, verbosity=0)
    call_command("open_year", "2022-2023", stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.perf_counter()
    build_county(students)
    term = Term.objects.select_related("school_year").get(
        school_year__name="2022-2023", season=Season.AUTUMN
    )
    entitlements_compute(term=term, actor=SystemActor("funds_report 基准测试"))
    add_accounts()
    preparer, approver = _users()
    ledgers = add_ledgers(term, preparer, approver)
    allotments = add_allotments(term, approver)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "term": term,
        "user": approver,
        **ledgers,
        "allotments": allotments,
        "build_s": time.perf_counter() - started,
    }


def measure(term: Any, user: Any) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Q, Sum
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from subsidies.models import LOCKED_STATUSES, Entitlement, LedgerEntry

    client = Client()
    client.force_login(user)
    url = reverse("aid:funds") + f"?term={term.pk}"
    assert client.get(url).status_code == 200  # cold: templates, the user's scope
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        page_s = time.perf_counter() - started
    assert response.status_code == 200 and "资金指标执行情况表" in response.content.decode()
    started = time.perf_counter()
    Entitlement.objects.filter(term=term, status__in=LOCKED_STATUSES).aggregate(t=Sum("amount"))
    LedgerEntry.objects.filter(Q(term=term, is_live=True)).aggregate(t=Sum("amount"))
    floor_s = time.perf_counter() - started
    return {
        "page_s": page_s,
        "queries": len(queries),
        "floor_s": floor_s,
        "kb": len(response.content) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", default="10000,100000", help="comma-separated county sizes")
    args = parser.parse_args()
    sizes = [int(s) for s in args.students.split(",") if s]

    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.TemporaryDirectory(prefix="bench-funds-db-")
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    print(
        f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    for size in sizes:
        built = build(size)
        r = measure(built["term"], built["user"])
        print(
            f"\n{size:,} students: {built['entries']:,} ledger entries in {built['batches']} batches, "
            f"{built['reversed']} reversed, {built['allotments']} allotments (built in {built['build_s']:.1f} s)"
        )
        print(
            f"  funds report page (warm, server time): {r['page_s']:.3f} s, {r['queries']} queries, {r['kb']:.0f} KB; "
            f"floor (two aggregate sums): {r['floor_s']:.3f} s, ratio {r['page_s'] / max(r['floor_s'], 1e-6):.1f}×"
        )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
