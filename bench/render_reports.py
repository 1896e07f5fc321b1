"""Benchmark of the PDF layer: seconds, pages and peak memory (not a test).

    .venv/bin/python bench/render_reports.py [--rows 1000] [--batch-rows 10000]
        [--volume-size 1000] [--workers 2] [--output-dir var/bench]

Four scenarios, each measured in a fresh interpreter so the figures do not
mix: a sign-off-style table of --rows rows rendered as one document, and a
county batch of --batch-rows rows split into volumes (per school, at most
--volume-size rows) rendered --workers at a time in separate processes and
concatenated — first through the PDF layer's sample template, then
("real_*") through the real 发放签领表: `reports/signsheet.html` with the
context `subsidies.reports.signsheet_context` builds (masked accounts,
signature column, 大写 total, signatures and seal). Rows are synthetic (no
database): the figures are the renderer's, not the queries'.

Peak memory is ru_maxrss: RUSAGE_SELF for the process that renders (or
merges), RUSAGE_CHILDREN for the largest volume process. With two workers
the machine needs about self + 2 × children at once.
Targets: about 0.3 s a page; under 500 MB whatever the batch size.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "reports/sample_signsheet.html"
REAL_TEMPLATE = "reports/signsheet.html"
SCENARIOS = ("signsheet", "batch", "real_signsheet", "real_batch")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红鹏辉建国志浩宇轩梓涵子萱一诺欣怡佳琪思雨雨涵梦瑶嘉怡宇航俊杰浩然博文天佑睿泽"
ITEMS = ("义务教育生活补助", "学前教育资助", "普通高中国家助学金", "中职国家助学金")
AMOUNTS = (Decimal("625.00"), Decimal("500.00"), Decimal("1000.00"), Decimal("1250.00"))


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidsite.settings")
    import django

    django.setup()


def synthetic_rows(count: int, *, schools: int = 1) -> list[dict]:
    rows = []
    per_school = -(-count // schools)
    for i in range(count):
        surname = SURNAMES[(i * 7) % len(SURNAMES)]
        given = GIVEN[(i * 13) % len(GIVEN)] + GIVEN[(i * 31 + 5) % len(GIVEN)] * (i % 3 != 0)
        school = i // per_school
        kind = i % len(ITEMS)
        rows.append(
            {
                "number": i % per_school + 1,
                "name": surname + given,
                "school": f"示范镇第{school + 1}中心小学",
                "grade": f"{'一二三四五六'[i % 6]}年级{i % 4 + 1}班",
                "item": ITEMS[kind],
                "amount": AMOUNTS[kind],
            }
        )
    return rows


def sheet_context(rows: list[dict]) -> dict:
    return {
        "title": "2022-2023学年秋季学期 学生资助发放签领表",
        "unit": rows[0]["school"] if rows else "",
        "period": "2022年秋季学期",
        "rows": rows,
        "total": sum((row["amount"] for row in rows), Decimal("0")),
        "signers": ["制表人", "审核人", "单位负责人"],
    }


def real_contexts(rows: list[dict], *, volume_size: int) -> list[dict]:
    """Sign-off sheets as `render_report signsheet` builds them: per school, per volume_size rows."""
    from students.models import SchoolYear, Season, Term, Township
    from subsidies.models import BatchStatus, DisbursementBatch, Policy
    from subsidies.reports import signsheet_context

    # Unsaved model instances: the context builder reads names only.
    term = Term(school_year=SchoolYear(name="2022-2023", start_year=2022), season=Season.AUTUMN)
    batch = DisbursementBatch(
        township=Township(name="示范镇"),
        policy=Policy(name="家庭经济困难寄宿生生活补助"),
        term=term,
        sequence=1,
        status=BatchStatus.APPROVED,
    )
    real_rows = [
        {
            "school": row["school"],
            "name": row["name"],
            "guardian": "",
            "grade": row["grade"],
            "item": row["item"],
            "amount": row["amount"],
            "account": "************" + f"{i % 10000:04d}",
        }
        for i, row in enumerate(rows)
    ]
    from aidsite.lib.pdf import split_into_volumes

    return [
        signsheet_context(batch=batch, rows=chunk)
        for chunk in split_into_volumes(real_rows, size=volume_size, key=lambda row: row["school"])
    ]


def _maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def _cpu_seconds() -> float:
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def run_scenario(name: str, args: argparse.Namespace) -> dict:
    _setup_django()
    # WeasyPrint loads on first use (web workers never pay for it); that is a process's
    # start-up, not a page's cost, so it happens before the clock starts.
    import weasyprint  # noqa: F401
    from django.template.loader import render_to_string

    from aidsite.lib.pdf import html_to_pdf, render_pdf_volumes, split_into_volumes

    output = Path(args.output_dir) if args.output_dir else None
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    if name in ("signsheet", "real_signsheet"):
        rows = synthetic_rows(args.rows)
        if name == "signsheet":
            template, context = TEMPLATE, sheet_context(rows)
        else:
            template, context = REAL_TEMPLATE, real_contexts(rows, volume_size=len(rows) or 1)[0]
        data, pages = html_to_pdf(render_to_string(template, context))
        volumes = 1
        size = len(data)
        if output:
            (output / f"{name}.pdf").write_bytes(data)
    else:
        rows = synthetic_rows(args.batch_rows, schools=max(1, args.batch_rows // 1000))
        if name == "batch":
            template = TEMPLATE
            chunks = list(split_into_volumes(rows, size=args.volume_size, key=lambda row: row["school"]))
            contexts = [sheet_context(chunk) for chunk in chunks]
        else:
            template = REAL_TEMPLATE
            contexts = real_contexts(rows, volume_size=args.volume_size)
        volumes = len(contexts)
        buffer = io.BytesIO()
        pages = render_pdf_volumes(template, contexts, out=buffer, workers=args.workers)
        size = buffer.tell()
        if output:
            (output / f"{name}.pdf").write_bytes(buffer.getvalue())
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_start
    return {
        "scenario": name,
        "rows": len(rows),
        "volumes": volumes,
        "pages": pages,
        "seconds": round(seconds, 1),
        "seconds_per_page": round(seconds / pages, 3),
        "cpu_seconds": round(cpu, 1),
        "cpu_seconds_per_page": round(cpu / pages, 3),
        "file_mb": round(size / 1e6, 1),
        "self_maxrss_mb": round(_maxrss_mb(resource.RUSAGE_SELF)),
        "children_maxrss_mb": round(_maxrss_mb(resource.RUSAGE_CHILDREN)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--batch-rows", type=int, default=10000)
    parser.add_argument("--volume-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output-dir", default="")
    parser.add_argument("--scenario", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=SCENARIOS, nargs="+", default=list(SCENARIOS), help="只运行这些场景")
    args = parser.parse_args()
    if args.output_dir:
        Path(args.output_dir).mkdir(parents=True, exist_ok=True)
    if args.scenario:
        print(json.dumps(run_scenario(args.scenario, args)))
        return
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPU, load average {load:.1f} (wall seconds grow with the load; CPU seconds do not)")
    print(
        f"{'场景':<14}{'行数':>7}{'册数':>6}{'页数':>6}{'秒':>8}{'秒/页':>8}{'CPU秒':>8}{'CPU秒/页':>9}"
        f"{'文件MB':>8}{'主进程MB':>10}{'子进程MB':>10}"
    )
    for scenario in args.only:
        command = [sys.executable, __file__, "--scenario", scenario, *sys.argv[1:]]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(
            f"{scenario:<16}{result['rows']:>9}{result['volumes']:>8}{result['pages']:>8}"
            f"{result['seconds']:>9}{result['seconds_per_page']:>10}"
            f"{result['cpu_seconds']:>10}{result['cpu_seconds_per_page']:>11}{result['file_mb']:>10}"
            f"{result['self_maxrss_mb']:>12}{result['children_maxrss_mb']:>12}"
        )


if __name__ == "__main__":
    main()
