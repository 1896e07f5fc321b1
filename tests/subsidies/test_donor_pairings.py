"""结对资助: the three shapes, each refused when it has the wrong number of donors or students."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from aidsite.models import Role
from subsidies.models import PairingDonor, PairingShape, PairingStudent
from subsidies.services.donors import PairingError
from tests.factories import make_township, make_user
from tests.subsidies.donor_factories import make_donor, make_pairing, paired_students

pytestmark = pytest.mark.django_db


def test_it_pairs_one_donor_with_one_student(term, township):
    donor = make_donor(township)
    (student,) = paired_students(term=term, township=township)
    pairing = make_pairing(
        term=term,
        township=township,
        shape=PairingShape.ONE_TO_ONE,
        donors=[(donor, None)],
        students=[student],
    )
    assert [(pd.donor, pd.share) for pd in pairing.donors.all()] == [(donor, Decimal("500.00"))]
    assert [ps.student for ps in pairing.students.all()] == [student]


def test_it_pairs_one_donor_with_several_students(term, township):
    donor = make_donor(township)
    students = paired_students(term=term, township=township, count=3)
    pairing = make_pairing(
        term=term,
        township=township,
        shape=PairingShape.ONE_TO_MANY,
        donors=[(donor, None)],
        students=students,
    )
    assert pairing.students.count() == 3 and pairing.donors.get().share == Decimal("500.00")


def test_it_pairs_several_donors_with_one_student_and_their_shares_add_up(term, township):
    a, b, c = make_donor(township, "甲"), make_donor(township, "乙"), make_donor(township, "丙")
    (student,) = paired_students(term=term, township=township)
    pairing = make_pairing(
        term=term,
        township=township,
        shape=PairingShape.MANY_TO_ONE,
        donors=[(a, None), (b, None), (c, None)],
        students=[student],
        amount=Decimal("100.00"),
    )
    shares = [pd.share for pd in pairing.donors.order_by("pk")]
    assert shares == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")] and sum(
        shares
    ) == Decimal("100.00")


@pytest.mark.parametrize(
    ("shape", "donors", "students", "message"),
    [
        (PairingShape.ONE_TO_ONE, 1, 2, "一对一结对须恰好一个资助方、一名学生。"),
        (PairingShape.ONE_TO_ONE, 2, 1, "一对一结对须恰好一个资助方、一名学生。"),
        (PairingShape.ONE_TO_MANY, 1, 1, "一对多结对须一个资助方、至少两名学生。"),
        (PairingShape.ONE_TO_MANY, 2, 2, "一对多结对须一个资助方、至少两名学生。"),
        (PairingShape.MANY_TO_ONE, 1, 1, "多对一结对须至少两个资助方、一名学生。"),
        (PairingShape.MANY_TO_ONE, 2, 2, "多对一结对须至少两个资助方、一名学生。"),
    ],
)
def test_a_pairing_of_the_wrong_shape_is_refused(term, township, shape, donors, students, message):
    donor_list = [(make_donor(township, f"资助方{i}"), None) for i in range(donors)]
    student_list = paired_students(term=term, township=township, count=students)
    with pytest.raises(PairingError) as caught:
        make_pairing(
            term=term, township=township, shape=shape, donors=donor_list, students=student_list
        )
    assert caught.value.messages == [message]
    assert not PairingDonor.objects.exists() and not PairingStudent.objects.exists()


def test_many_to_one_shares_that_do_not_add_up_are_refused(term, township):
    a, b = make_donor(township, "甲"), make_donor(township, "乙")
    (student,) = paired_students(term=term, township=township)
    with pytest.raises(PairingError, match="出资之和应等于"):
        make_pairing(
            term=term,
            township=township,
            shape=PairingShape.MANY_TO_ONE,
            donors=[(a, Decimal("300")), (b, Decimal("100"))],
            students=[student],
        )


def test_the_database_holds_the_one_side_of_each_shape(term, township):
    donor, other = make_donor(township, "甲"), make_donor(township, "乙")
    students = paired_students(term=term, township=township, count=2)
    one_to_one = make_pairing(
        term=term,
        township=township,
        shape=PairingShape.ONE_TO_ONE,
        donors=[(donor, None)],
        students=[students[0]],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PairingDonor.objects.create(
            pairing=one_to_one, donor=other, shape=one_to_one.shape, share=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PairingStudent.objects.create(
            pairing=one_to_one,
            student=students[1],
            school=students[1].enrollments.get().school,
            shape=one_to_one.shape,
        )


def test_a_student_of_another_township_or_a_foreign_donor_is_refused(term, township):
    elsewhere = make_township("白水镇")
    (student,) = paired_students(term=term, township=elsewhere)
    with pytest.raises(PairingError, match="没有本乡镇学校的学籍"):
        make_pairing(
            term=term,
            township=township,
            shape=PairingShape.ONE_TO_ONE,
            donors=[(make_donor(township), None)],
            students=[student],
        )
    (mine,) = paired_students(term=term, township=township)
    with pytest.raises(PairingError, match="本乡镇登记的资助方"):
        make_pairing(
            term=term,
            township=township,
            shape=PairingShape.ONE_TO_ONE,
            donors=[(make_donor(elsewhere), None)],
            students=[mine],
        )


def test_township_staff_cannot_pair_in_another_township_nor_auditors_at_all(term, township):
    elsewhere = make_township("白水镇")
    (student,) = paired_students(term=term, township=township)
    for actor in (
        make_user(role=Role.TOWNSHIP_STAFF, township=elsewhere),
        make_user(role=Role.AUDITOR),
    ):
        with pytest.raises(PermissionDenied):
            make_pairing(
                term=term,
                township=township,
                shape=PairingShape.ONE_TO_ONE,
                donors=[(make_donor(township, f"甲{actor.pk}"), None)],
                students=[student],
                actor=actor,
            )
