"""compute_aid --year 2022-2023 --term autumn|spring [--township NAME] [--policy CODE]"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from aidsite.access import SystemActor
from aidsite.lib.excel import display_width
from subsidies.management.commands._arguments import add_term_arguments, resolve_term_arguments
from subsidies.selectors import quota_totals, term_summary
from subsidies.services.entitlements import entitlements_compute


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(width - display_width(text), 0)
    return space + text if right else text + space


class Command(BaseCommand):
    help = "测算一个学期的资助名单（拟资助），并打印各项目、各学校的汇总"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        add_term_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="只预览变化，不写入")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        term, township, code = resolve_term_arguments(options)
        try:
            result = entitlements_compute(
                term=term,
                township=township,
                policy_code=code,
                dry_run=options["dry_run"],
                actor=SystemActor("compute_aid 命令"),
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        place = township.name if township else "全县"
        verb = "预览" if result.dry_run else "测算完成"
        self.stdout.write(
            f"{place} {term}：{verb}，新增 {len(result.added)}，变更 {len(result.changed)}，"
            f"移除 {len(result.removed)}，依据更新 {result.refreshed}，未变 {result.unchanged}，已审核未动 {result.locked}"
        )
        self._print_summary(term_summary(term=term, township=township, policy_code=code))
        for w in result.floor_warnings:
            self.stdout.write(
                f"低于比例下限：{w.policy_code} {w.school_name} 应不少于 {math.ceil(w.required)} 人（{w.required.normalize():f}），现 {w.counted} 人"
            )
        for c in result.conflicts:
            self.stdout.write(f"重复学籍：{c.policy_code} {c.student_name}（{'、'.join(c.school_names)}），只资助一次")
        for text in result.ignored_additions:
            self.stdout.write(f"增补无效（不在该项目适用范围）：{text}")

    def _print_summary(self, rows) -> None:  # type: ignore[no-untyped-def]
        header = ["项目代码", "学校", "在校", "符合条件", "名额", "资助", "未安排", "金额（元）", "年均（元）", "标准", "提示"]
        table = [header]
        for r in rows:
            notes = []
            if r.below_floor:
                notes.append(f"低于下限（应≥{r.floor_required.normalize():f}）")
            if r.allocated:
                notes.append(f"县分配名额（按比例{r.default_quota}人）")
            if r.over_quota:
                notes.append("超名额")
            elif r.beyond_quota_poor_village:
                notes.append(f"贫困村全覆盖超名额{r.beyond_quota_poor_village}人")
            if r.awarded_exempt:
                notes.append(f"不占名额{r.awarded_exempt}人")
            if r.conflicts:
                notes.append(f"重复学籍{r.conflicts}")
            if r.no_tuition:
                notes.append("学费标准为0元，无人享受免学费")
            table.append(
                [
                    r.policy_code,
                    r.school_name,
                    str(r.enrolled),
                    str(r.qualifying),
                    "" if r.quota is None else str(r.quota),
                    str(r.awarded),
                    str(r.not_awarded),
                    f"{r.total_amount:,.2f}",
                    "" if r.actual_average is None else f"{r.actual_average:,.2f}",
                    "" if r.average_standard is None else f"{r.average_standard:,.0f}",
                    "；".join(notes),
                ]
            )
        widths = [max(display_width(row[i]) for row in table) for i in range(len(header))]
        numeric = {2, 3, 4, 5, 6, 7, 8, 9}
        for row in table:
            self.stdout.write(
                "  ".join(_pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(row)).rstrip()
            )
        total = sum((r.total_amount for r in rows), start=0)
        self.stdout.write(f"合计：资助 {sum(r.awarded for r in rows)} 人次，金额 {total:,.2f} 元")
        self._print_quota_totals(quota_totals(rows))

    def _print_quota_totals(self, totals) -> None:  # type: ignore[no-untyped-def]
        """Each policy's places against the average standard ("平均资助面为在园幼儿的10%")."""
        for q in totals:
            line = (
                f"名额合计：{q.policy_code} {q.policy_name} 各校名额 {q.places} 人（县分配 {q.allocated_schools} 所），"
                f"平均资助面 {q.ratio_text} × 适用 {q.base} 人 = {q.average_places:f}，应不超过 {q.standard_places} 人"
            )
            if q.excess:
                line += f"；名额分配超出平均资助面 {q.excess} 人"
            self.stdout.write(line)
