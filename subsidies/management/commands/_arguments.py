"""What the term commands share: the --year/--term/--township/--policy arguments, and --school."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from students.models import School, SchoolYear, Season, Term, Township
from students.school_years import SchoolYearError, parse_school_year
from subsidies.models import Policy


def add_term_arguments(parser: CommandParser, *, school: str | None = None) -> None:
    """--year, --term, --township, --policy; and --school with `school` as its help, if given."""
    parser.add_argument("--year", required=True, help="学年，如 2022-2023")
    parser.add_argument("--term", required=True, choices=Season.values, help="学期：autumn 秋季，spring 春季")
    parser.add_argument("--township", help="乡镇（街道）名称；不填为全县")
    parser.add_argument("--policy", help="资助项目代码，如 CMP-MEAL；不填为全部项目")
    if school is not None:
        parser.add_argument("--school", help=school)


def resolve_term_arguments(options: dict[str, Any]) -> tuple[Term, Township | None, str | None]:
    """The term, township and policy code named on the command line, or a CommandError in Chinese."""
    try:
        year_name = parse_school_year(options["year"])
    except SchoolYearError as exc:
        raise CommandError(str(exc)) from exc
    year = SchoolYear.objects.filter(name=year_name).first()
    if year is None:
        raise CommandError(f"没有 {year_name} 学年，请先运行 open_year {year_name}")
    term = Term.objects.filter(school_year=year, season=options["term"]).select_related("school_year").first()
    if term is None:
        raise CommandError(f"{year_name}学年没有{dict(Season.choices)[options['term']]}")
    township = None
    if options.get("township"):
        township = Township.objects.filter(name=options["township"].strip()).first()
        if township is None:
            raise CommandError(f"没有名为“{options['township']}”的乡镇（街道）")
    if not Policy.objects.filter(school_year=year).exists():
        raise CommandError(f"{year_name}学年尚未配置资助政策，请运行 open_year {year_name}")
    code = (options.get("policy") or "").strip().upper() or None
    if code and not Policy.objects.filter(school_year=year, code=code).exists():
        raise CommandError(f"{year_name}学年没有代码为 {code} 的资助项目")
    return term, township, code


def resolve_school(options: dict[str, Any], township: Township | None, *, missing: str, outside: str) -> School | None:
    """The school named by --school (None without it), or a CommandError in Chinese.

    `missing` is formatted with `given` (the name as typed) and `name` (stripped),
    `outside` with `name` and `township` (its name): each command keeps its wording.
    """
    if not options.get("school"):
        return None
    name = options["school"].strip()
    school = School.objects.filter(name=name).select_related("township").first()
    if school is None:
        raise CommandError(missing.format(given=options["school"], name=name))
    if township is not None and school.township_id != township.pk:
        raise CommandError(outside.format(name=school.name, township=township.name))
    return school
