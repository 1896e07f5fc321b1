"""The disabled persons' federation list (残联): 姓名, 身份证号, 残疾证号, 残疾类别, 残疾等级."""

from __future__ import annotations

import re

from aidsite.lib.excel import SheetRow
from students.importing.external import ExternalImport, ExternalRow
from students.importing.words import DISABILITY_GRADES, DISABILITY_KINDS, SPACES

# 残疾证号: the holder's ID number and two digits (category, grade), as the 第二代残疾人证 has it.
_CERTIFICATE = re.compile(r"^\d{17}[\dX]\d{2}$")
_GRADE = re.compile(r"^([一二三四1-4])级?$")


class DisabilityImport(ExternalImport):
    """One row per certificate holder; the county's registry has no township column here."""

    kind = "disability"
    household_list = False

    def parse_details(self, row: SheetRow, parsed: ExternalRow) -> None:
        certificate = SPACES.sub(
            "", self.text(row, "certificate", required="残疾证号不能为空", max_length=30) or ""
        )
        certificate = certificate.upper()
        if certificate and not _CERTIFICATE.match(certificate):
            self.error(
                row.number, "certificate", "残疾证号应为 20 位（身份证号加 2 位类别、等级代码）"
            )
        elif certificate and parsed.id_number and not certificate.startswith(parsed.id_number):
            self.error(row.number, "certificate", "残疾证号的前 18 位与身份证号不一致")
        parsed.certificate = certificate
        kind = SPACES.sub("", self.text(row, "disability_kind", required="残疾类别不能为空") or "")
        kind = kind.removesuffix("残疾").removesuffix("残")
        if kind and kind not in DISABILITY_KINDS:
            self.error(
                row.number,
                "disability_kind",
                f"残疾类别“{kind}”无法识别，应为 {'、'.join(DISABILITY_KINDS)}",
            )
        parsed.disability_kind = kind if kind in DISABILITY_KINDS else ""
        grade = SPACES.sub(
            "", self.text(row, "disability_grade", required="残疾等级不能为空") or ""
        )
        found = _GRADE.match(grade)
        if grade and found is None:
            self.error(
                row.number, "disability_grade", f"残疾等级“{grade}”无法识别，应为 一级 至 四级"
            )
        parsed.disability_grade = DISABILITY_GRADES[found.group(1)] if found else None
