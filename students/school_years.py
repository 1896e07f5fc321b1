"""School years and their terms."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.db import transaction
from django.utils import timezone

from students.models import SchoolYear, Season, Term

_YEAR_PATTERN = re.compile(r"^(\d{4})\s*(?:学年)?\s*[-—–~～至到_/]+\s*(\d{4})\s*(?:学年)?$")


class SchoolYearError(ValueError):
    pass


def parse_school_year(raw: object) -> str:
    """`2022-2023`, `2022—2023`, `2022~2023`, `2022至2023学年` → `2022-2023`."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    match = _YEAR_PATTERN.match(text)
    if not match:
        raise SchoolYearError(f"学年“{text}”格式不对，应写作 2022-2023")
    first, second = int(match.group(1)), int(match.group(2))
    if second != first + 1:
        raise SchoolYearError(f"学年“{text}”的两个年份应相邻，如 2022-2023")
    return f"{first}-{second}"


def school_year_of(day: dt.date) -> int:
    """The start year of the school year `day` falls in (it starts on 1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def current_school_year_name() -> str:
    """The school year today falls in: a year starts on 1 September."""
    start = school_year_of(timezone.localdate())
    return f"{start}-{start + 1}"


def term_dates(start_year: int, season: str) -> tuple[dt.date, dt.date]:
    if season == Season.AUTUMN:
        return dt.date(start_year, 9, 1), dt.date(start_year + 1, 1, 31)
    return dt.date(start_year + 1, 2, 1), dt.date(start_year + 1, 7, 31)


@transaction.atomic
def school_year_open(*, name: str) -> tuple[SchoolYear, bool]:
    """Create the school year and its autumn and spring terms; opening it again changes nothing."""
    name = parse_school_year(name)
    start_year = int(name[:4])
    year, created = SchoolYear.objects.get_or_create(name=name, defaults={"start_year": start_year})
    for season in Season:
        start, end = term_dates(start_year, season.value)
        Term.objects.get_or_create(
            school_year=year, season=season.value, defaults={"start_date": start, "end_date": end}
        )
    return year, created
