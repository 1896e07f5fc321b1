"""The donor pages: the pairing form refuses a wrong shape in Chinese; a 社会资助 batch is prepared on its
page and then approved through the ledger's own batch page; the funds pages show donations apart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from aidsite.models import Role
from subsidies.models import BatchKind, BatchStatus, DisbursementBatch, Pairing, PairingShape
from tests.factories import make_user
from tests.subsidies.donor_factories import make_donor, make_pairing, paired_students
from tests.subsidies.ledger_factories import two_staff

pytestmark = pytest.mark.django_db


def test_the_pairing_form_refuses_a_one_to_one_with_two_students(client, term, township):
    donor = make_donor(township)
    students = paired_students(term=term, township=township, count=2)
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=township))
    response = client.post(
        reverse("donors:pairing_new"),
        {
            "township": township.pk,
            "shape": PairingShape.ONE_TO_ONE,
            "donors": [donor.pk],
            "students": [s.pk for s in students],
            "from_year": term.school_year_id,
            "to_year": term.school_year_id,
            "amount": "500",
        },
    )
    assert response.status_code == 200
    assert "一对一结对须恰好一个资助方、一名学生。" in response.content.decode()
    assert not Pairing.objects.exists()


def test_many_to_one_with_typed_shares_is_recorded(client, term, township):
    a, b = make_donor(township, "甲"), make_donor(township, "乙")
    (student,) = paired_students(term=term, township=township)
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=township))
    response = client.post(
        reverse("donors:pairing_new"),
        {
            "township": township.pk,
            "shape": PairingShape.MANY_TO_ONE,
            "donors": [a.pk, b.pk],
            "students": [student.pk],
            "from_year": term.school_year_id,
            "to_year": term.school_year_id,
            "amount": "500",
            "shares": "300，200",
        },
    )
    assert response.status_code == 302
    assert sorted(pd.share for pd in Pairing.objects.get().donors.all()) == [
        Decimal("200"),
        Decimal("300"),
    ]


def test_a_social_batch_is_prepared_then_approved_on_the_ledger_page(client, term, township):
    (student,) = paired_students(term=term, township=township, names=["王小明"])
    make_pairing(
        term=term,
        township=township,
        shape=PairingShape.ONE_TO_ONE,
        donors=[(make_donor(township), None)],
        students=[student],
    )
    preparer, approver = two_staff(township)
    client.force_login(preparer)
    response = client.post(
        reverse("donors:batch_prepare"),
        {
            "term": term.pk,
            "township": township.pk,
            "kind": BatchKind.DONATION_PAID,
            "default_method": "bank_card",
        },
    )
    batch = DisbursementBatch.objects.get(kind=BatchKind.DONATION_PAID)
    assert response.status_code == 302 and response.url == reverse("ledgers:batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "社会资助发放" in page and "王小明" in page

    client.force_login(approver)
    client.post(reverse("ledgers:approve", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.approved_by == approver

    funds = client.get(
        reverse("ledgers:funds") + f"?school_year={term.school_year_id}"
    ).content.decode()
    assert "其中社会资助（元）" in funds and "500.00" in funds
    village = student.household.village
    households = client.get(
        reverse("ledgers:funds_village", args=[term.school_year_id, village.pk])
    ).content.decode()
    assert "500.00" in households
    detail = client.get(
        reverse("ledgers:funds_household", args=[term.school_year_id, student.household_id])
    ).content.decode()
    assert "社会资助（结对）" in detail


def test_an_auditor_cannot_prepare_a_social_batch_or_pair(client, term, township):
    client.force_login(make_user(role=Role.AUDITOR))
    assert client.post(reverse("donors:batch_prepare"), {}).status_code == 403
    assert client.post(reverse("donors:pairing_new"), {}).status_code == 403
