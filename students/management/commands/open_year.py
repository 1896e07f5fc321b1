from django.core.management.base import BaseCommand, CommandError

from students.school_years import SchoolYearError, school_year_open


class Command(BaseCommand):
    help = "开设学年及其秋季、春季两个学期，例如：open_year 2022-2023"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("year", help="学年，如 2022-2023")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            year, created = school_year_open(name=options["year"])
        except SchoolYearError as exc:
            raise CommandError(str(exc)) from exc
        verb = "已开设" if created else "已存在"
        self.stdout.write(f"{year.name}学年{verb}（秋季学期、春季学期）")
