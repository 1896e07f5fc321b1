"""open_year 2022-2023: the school year, its two terms, and its aid policies."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from students.school_years import SchoolYearError, school_year_open
from subsidies.services.policies import policies_open_year


class Command(BaseCommand):
    help = "开设学年及其秋季、春季两个学期，并给该学年配置资助政策（复制上一学年，首个学年用种子标准），例如：open_year 2022-2023"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("year", help="学年，如 2022-2023")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            with transaction.atomic():
                year, created = school_year_open(name=options["year"])
                policies, source = policies_open_year(school_year=year)
        except SchoolYearError as exc:
            raise CommandError(str(exc)) from exc
        verb = "已开设" if created else "已存在"
        self.stdout.write(f"{year.name}学年{verb}（秋季学期、春季学期）")
        if policies:
            self.stdout.write(f"资助政策 {len(policies)} 项（{source}）")
        else:
            self.stdout.write("资助政策已配置，未改动")
