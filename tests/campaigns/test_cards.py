import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.cards import card_share, card_step_record, cards_mark_printed, family_cards
from campaigns.models import PolicyCard
from tests.campaigns.conftest import SYSTEM

DAY = dt.date(2026, 9, 10)


def _record(world, enrollment, step, by="王老师"):
    return card_step_record(
        school=enrollment.school, school_year=world.year, household=enrollment.student.household,
        step=step, on=DAY, by=by, actor=SYSTEM,
    )


def test_every_family_with_a_child_at_the_kindergarten_is_listed_with_its_missing_steps(world):
    rows = {r.household.pk: r for r in family_cards(school=world.school_a, school_year=world.year)}
    assert len(rows) == 3  # registered or not: every family gets a card
    _record(world, world.a_poor, "printed")
    _record(world, world.a_poor, "handed_out")
    row = {r.household.pk: r for r in family_cards(school=world.school_a, school_year=world.year)}[
        world.a_poor.student.household.pk
    ]
    assert row.missing_steps == ["checked", "signed"]
    assert row.next_step == "checked"


def test_steps_must_follow_in_order(world):
    with pytest.raises(ValidationError, match="请先完成"):
        _record(world, world.a_poor, "signed")
    assert not PolicyCard.objects.filter(signed_on__isnull=False).exists()


def test_the_database_also_refuses_a_signature_without_the_earlier_steps(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyCard.objects.create(
            household=world.a_poor.student.household, school=world.school_a, school_year=world.year,
            signed_on=DAY,
        )


def test_each_step_keeps_its_date_and_who(world):
    for step in ("printed", "handed_out", "checked"):
        _record(world, world.a_poor, step)
    card = _record(world, world.a_poor, "signed", by="仇某")
    assert (card.checked_on, card.checked_by, card.signed_on, card.signed_by) == (DAY, "王老师", DAY, "仇某")
    assert card.history.count() == 4


def test_a_family_of_another_kindergarten_is_refused(world):
    with pytest.raises(ValidationError):
        card_step_record(
            school=world.school_a, school_year=world.year, household=world.b_poor.student.household,
            step="printed", on=DAY, by="王老师", actor=SYSTEM,
        )


def test_missing_only_hides_signed_families_and_share_counts_them(world):
    for step in ("printed", "handed_out", "checked", "signed"):
        _record(world, world.a_poor, step)
    missing = family_cards(school=world.school_a, school_year=world.year, missing_only=True)
    assert world.a_poor.student.household.pk not in {r.household.pk for r in missing}
    assert len(missing) == 2
    share = card_share(school=world.school_a, school_year=world.year)
    assert (share.families, share.signed) == (3, 1)
    assert share.share == pytest.approx(1 / 3)


def test_marking_all_printed_creates_missing_cards_once(world):
    _record(world, world.a_poor, "printed")
    assert cards_mark_printed(school=world.school_a, school_year=world.year, on=DAY, by="园长", actor=SYSTEM) == 2
    assert cards_mark_printed(school=world.school_a, school_year=world.year, on=DAY, by="园长", actor=SYSTEM) == 0
    assert PolicyCard.objects.filter(school=world.school_a, printed_on=DAY).count() == 3
    assert PolicyCard.history.filter(school=world.school_a).count() == 3
