"""Small external-list workbooks as departments send them, and the county they are checked against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from students.models import Township, Village
from tests.factories import make_id_number, make_township, make_village

POVERTY_HEADERS = [
    "序号",
    "乡镇（街道）",
    "行政村",
    "户号",
    "户主姓名",
    "人员姓名",
    "公民身份号码",
    "家庭关系",
    "脱贫状态",
    "脱贫年度",
]
CIVIL_HEADERS = [
    "序号",
    "乡镇",
    "村（社区）",
    "户主",
    "救助对象姓名",
    "身份证号码",
    "保障类别",
    "享受起始日期",
    "终止日期",
]
DISABILITY_HEADERS = ["序号", "残疾人姓名", "身份证号码", "残疾人证号", "残疾类别", "残疾等级"]


def workbook(path: Path, headers: list[str], rows: list[list[Any]], *, title: str = "") -> Path:
    """A sheet with a title, a 填报单位 line, the header, the rows and a signature footer."""
    book = Workbook()
    sheet = book.active
    sheet.append([title or "名单"])
    sheet.append(["填报单位：某县某部门", None, None, "填报日期：2023年3月"])
    sheet.append(headers)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    sheet.append([])
    sheet.append(["制表人：张三", None, "审核人：李四"])
    book.save(path)
    return path


@dataclass
class County:
    east: Township
    west: Township
    one: Village  # 东镇一村
    two: Village  # 东镇二村
    three: Village  # 西镇三村


def make_county() -> County:
    east, west = make_township("东镇"), make_township("西镇")
    return County(
        east=east,
        west=west,
        one=make_village(township=east, name="一村"),
        two=make_village(township=east, name="二村"),
        three=make_village(township=west, name="三村"),
    )


def person(year: int = 2012) -> str:
    return make_id_number(birth=dt.date(year, 4, 5))
