"""资助方捐赠明细 (PDF): what a donor gave, to whom (names masked) and when; donor data masked and logged."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from aidsite.models import AccessLog, Role
from subsidies.models import BatchKind, PairingShape
from subsidies.reports.donor_statement import (
    DonorStatementReport,
    donor_statement_context,
    mask_person_name,
)
from subsidies.services.donors import donation_batch_prepare
from subsidies.services.ledgers import batch_approve
from tests.factories import make_township, make_user
from tests.subsidies.donor_factories import make_donor, make_pairing, paired_students
from tests.subsidies.ledger_factories import two_staff

pytestmark = pytest.mark.django_db


def _given(term, township):
    donor = make_donor(township, "青山爱心企业", phone="13912345678")
    students = paired_students(term=term, township=township, count=2, names=["王小明", "李红"])
    make_pairing(
        term=term,
        township=township,
        shape=PairingShape.ONE_TO_MANY,
        donors=[(donor, None)],
        students=students,
        amount=Decimal("800.00"),
    )
    preparer, approver = two_staff(township)
    batch = donation_batch_prepare(
        township=township, term=term, kind=BatchKind.DONATION_RECEIVED, actor=preparer
    ).batch
    batch_approve(batch=batch, actor=approver)
    return donor


def test_names_are_masked_as_on_a_notice():
    assert [mask_person_name(n) for n in ("王小明", "李红", "欧阳小明", "张")] == [
        "王*明",
        "李*",
        "欧**明",
        "张",
    ]


def test_the_statement_lists_what_was_given_to_whom_with_masked_names(term, township, tmp_path):
    donor = _given(term, township)
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    out = io.BytesIO()
    rows = DonorStatementReport().run(
        actor=staff,
        parameters={
            "donor": donor.pk,
            "school_year": term.school_year_id,
            "letter": "感谢贵公司的爱心。",
        },
        out=out,
        progress=lambda _p: None,
    )
    assert rows == 2
    pdf = out.getvalue()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "青山爱心企业2022-2023学年捐赠明细" in text
    assert "王*明" in text and "李*" in text and "王小明" not in text and "李红" not in text
    assert "1,600.00" in text and "尊敬的青山爱心企业" in text and "感谢贵公司的爱心。" in text
    assert not re.search(r"\d{17}[\dX]", text) and "13912345678" not in text
    (tmp_path / "statement.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "statement.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    assert Path(tmp_path / "page-1.png").stat().st_size > 1000


def test_a_township_officer_cannot_print_another_townships_donor(term, township):
    donor = _given(term, township)
    other = make_user(role=Role.TOWNSHIP_STAFF, township=make_township("白水镇"))
    with pytest.raises(PermissionDenied):
        donor_statement_context(donor=donor, actor=other)


def test_donor_phones_are_masked_in_the_admin_and_a_reveal_is_logged(client, term, township):
    donor = make_donor(township, "爱心人士", kind="person", phone="13912345678")
    auditor = make_user(role=Role.AUDITOR)
    client.force_login(auditor)
    listing = client.get("/admin/subsidies/donor/").content.decode()
    page = client.get(f"/admin/subsidies/donor/{donor.pk}/change/").content.decode()
    assert "139****5678" in listing and "13912345678" not in listing and "13912345678" not in page

    admin = make_user(role=Role.COUNTY_ADMIN)
    client.force_login(admin)
    before = AccessLog.objects.count()
    revealed = client.get(f"/admin/subsidies/donor/{donor.pk}/change/?reveal=1").content.decode()
    assert "13912345678" in revealed
    log = AccessLog.objects.latest("pk")
    assert AccessLog.objects.count() == before + 1 and log.user == admin and "资助方" in log.what
