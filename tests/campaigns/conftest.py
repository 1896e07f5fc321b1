"""The campaigns tests' world (made in tests/world.py) and their helpers.

Township 东城镇 has kindergartens A and B; 西山镇 has kindergarten C. Each kindergarten
has registered children (a 建档立卡 household, an orphan) and one ordinary child.
The school year is the one today falls in, so the portal's "this term" is the term of
today's date.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from aidsite.access import SystemActor
from students.models import Term
from tests.world import CampaignWorld as World
from tests.world import build_campaign_world, current_school_year, enroll_child

# Who the tests' direct service calls act as: recorded as no user, as a command would be.
SYSTEM = SystemActor("tests")


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(db) -> World:
    return build_campaign_world()


def visit_at(term: Term, hour: int = 12) -> dt.datetime:
    """A moment inside `term` (its first day at noon, local time)."""
    return dt.datetime.combine(term.start_date, dt.time(hour), tzinfo=timezone.get_current_timezone())


__all__ = ["World", "current_school_year", "enroll_child", "png_bytes", "visit_at", "world"]
