"""The words offices write: closed vocabularies, header aliases, and how names are cleaned.

Every vocabulary is closed (SECURITY B3): a word not listed here is a row
error, never a guess. Each sheet kind's columns list the header spellings
found in real files; the sheet reader matches whole cells against them.
"""

from __future__ import annotations

import re

from aidsite.lib.excel import Column
from students.models import HouseholdCategory, Ownership, PovertyStatus, Relation, Stage

KINDS = ("villages", "schools", "students")
KIND_LABELS = {"villages": "村（社区）", "schools": "学校", "students": "学生"}

_CJK = re.compile(r"[\u3400-\u9fff]")
SPACES = re.compile(r"\s+")

STAGE_WORDS: dict[str, tuple[str, ...]] = {
    "幼儿园": (Stage.KINDERGARTEN,),
    "学前": (Stage.KINDERGARTEN,),
    "学前教育": (Stage.KINDERGARTEN,),
    "小学": (Stage.PRIMARY,),
    "初中": (Stage.JUNIOR,),
    "初级中学": (Stage.JUNIOR,),
    "普通高中": (Stage.HIGH,),
    "高中": (Stage.HIGH,),
    "中职": (Stage.VOCATIONAL,),
    "中等职业教育": (Stage.VOCATIONAL,),
    "特殊教育": (Stage.SPECIAL,),
    "特教": (Stage.SPECIAL,),
    # A school's stages only: the usual names of combined schools.
    "九年一贯制": (Stage.PRIMARY, Stage.JUNIOR),
}
SCHOOL_ONLY_STAGE_WORDS = {"九年一贯制"}
STAGE_HINT = "应为 幼儿园/学前、小学、初中、普通高中/高中、中职、特殊教育"
HOUSEHOLD_WORDS: dict[str, str | None] = {
    "建档立卡": HouseholdCategory.REGISTERED,
    "建档立卡贫困户": HouseholdCategory.REGISTERED,
    "建档立卡户": HouseholdCategory.REGISTERED,
    "低保": HouseholdCategory.DIBAO,
    "低保户": HouseholdCategory.DIBAO,
    "特困": HouseholdCategory.EXTREME,
    "特困供养": HouseholdCategory.EXTREME,
    "特困供养户": HouseholdCategory.EXTREME,
    "其他困难": HouseholdCategory.OTHER,
    "其他家庭经济困难": HouseholdCategory.OTHER,
    "无": None,
}
PERSONAL_WORDS: dict[str, str | None] = {
    "孤儿": "is_orphan",
    "烈士子女": "is_martyr_child",
    "残疾": "is_disabled",
    "残疾儿童": "is_disabled",
    "残疾学生": "is_disabled",
    "无": None,
}
SEX_WORDS = {"男": "M", "男性": "M", "女": "F", "女性": "F"}
OWNERSHIP_WORDS = {"公办": Ownership.PUBLIC, "民办": Ownership.PRIVATE}

TOWNSHIP_ALIASES = ("乡镇", "乡镇（街道）", "镇（街道）", "乡镇街道", "镇街")
VILLAGE_ALIASES = ("村（社区）", "村", "行政村", "社区", "村居")

VILLAGE_COLUMNS = (
    Column("township", TOWNSHIP_ALIASES, required=True),
    Column("village", VILLAGE_ALIASES, required=True),
    Column("poor", ("是否省定贫困村", "省定贫困村")),
)
SCHOOL_COLUMNS = (
    Column("name", ("学校名称", "学校", "学校（幼儿园）名称", "幼儿园名称"), required=True),
    Column("township", TOWNSHIP_ALIASES, required=True),
    Column("village", VILLAGE_ALIASES),
    Column("stages", ("学段",), required=True),
    Column("ownership", ("办学性质",), required=True),
    Column("inclusive", ("是否普惠性", "普惠性", "是否普惠")),
    Column("county_approved", ("是否县级审批", "县级审批")),
    Column("rural", ("是否农村学校", "农村学校")),
    Column("boarding", ("是否寄宿制", "寄宿制", "是否寄宿制学校")),
    Column("tuition", ("学费标准（元/年）", "学费标准", "学费标准（元）", "学费（元/年）")),
)
STUDENT_COLUMNS = (
    Column("name", ("姓名", "学生姓名", "幼儿姓名"), required=True),
    Column("sex", ("性别",)),
    Column(
        "id_number",
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "学生身份证号", "身份证"),
        required=True,
    ),
    Column("township", TOWNSHIP_ALIASES, required=True),
    Column("village", VILLAGE_ALIASES, required=True),
    Column("head_name", ("户主姓名", "户主"), required=True),
    Column("phone", ("联系电话", "电话", "手机号码", "联系方式")),
    Column("household_categories", ("家庭类别", "家庭经济困难类别", "困难类型")),
    Column("personal_categories", ("个人类别",)),
    Column("school", ("学校", "就读学校", "学校名称"), required=True),
    Column("stage", ("学段",), required=True),
    Column("grade", ("年级",)),
    Column("class_name", ("班级",)),
    Column("boarding", ("是否寄宿", "寄宿", "是否寄宿生")),
    Column("major", ("专业", "专业名称")),
    Column("agri", ("是否涉农专业", "涉农专业")),
    Column("school_year", ("学年",), required=True),
    Column("entry_year", ("入学年份", "入学年度")),
)

# --- the other departments' lists (import_external), as their exports spell the headers

EXTERNAL_KINDS = ("poverty", "civil", "disability")
PERSON_NAME_ALIASES = ("姓名", "人员姓名", "成员姓名", "家庭成员姓名", "残疾人姓名", "救助对象姓名")
ID_ALIASES = (
    "身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码", "成员身份证号",
    "人员身份证号", "身份证",
)  # fmt: skip
HEAD_ALIASES = ("户主姓名", "户主")
POVERTY_COLUMNS = (
    Column("township", TOWNSHIP_ALIASES, required=True),
    Column("village", VILLAGE_ALIASES, required=True),
    Column("household_code", ("户编号", "户号", "户码", "家庭编号")),
    Column("head_name", HEAD_ALIASES, required=True),
    Column("name", PERSON_NAME_ALIASES, required=True),
    Column("id_number", ID_ALIASES, required=True),
    Column("relation", ("与户主关系", "家庭关系", "与户主的关系", "成员关系")),
    Column("status", ("脱贫状态", "贫困户状态", "是否脱贫", "脱贫标志"), required=True),
    Column("year_lifted", ("脱贫年度", "脱贫年份", "脱贫时间")),
)
CIVIL_COLUMNS = (
    Column("township", TOWNSHIP_ALIASES, required=True),
    Column("village", VILLAGE_ALIASES, required=True),
    Column("head_name", HEAD_ALIASES, required=True),
    Column("name", PERSON_NAME_ALIASES, required=True),
    Column("id_number", ID_ALIASES, required=True),
    Column("category", ("救助类别", "保障类别", "救助类型", "对象类别", "类别"), required=True),
    Column("start_date", ("起始日期", "开始日期", "享受起始日期", "纳入时间", "审批日期")),
    Column("end_date", ("终止日期", "结束日期", "退出日期", "停保日期")),
)
DISABILITY_COLUMNS = (
    Column("name", PERSON_NAME_ALIASES, required=True),
    Column("id_number", ID_ALIASES, required=True),
    Column("certificate", ("残疾证号", "残疾人证号", "残疾证号码", "证号"), required=True),
    Column("disability_kind", ("残疾类别", "残疾类型"), required=True),
    Column("disability_grade", ("残疾等级", "残疾级别"), required=True),
)
RELATION_WORDS: dict[str, str] = {
    "户主": Relation.HEAD, "本人": Relation.HEAD,
    "配偶": Relation.SPOUSE, "妻": Relation.SPOUSE, "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "子女": Relation.CHILD, "子": Relation.CHILD, "女": Relation.CHILD, "儿子": Relation.CHILD,
    "女儿": Relation.CHILD, "之子": Relation.CHILD, "之女": Relation.CHILD, "长子": Relation.CHILD,
    "次子": Relation.CHILD, "三子": Relation.CHILD, "长女": Relation.CHILD, "次女": Relation.CHILD,
    "三女": Relation.CHILD, "养子": Relation.CHILD, "养女": Relation.CHILD,
    "孙子女": Relation.GRANDCHILD, "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD,
    "之孙子": Relation.GRANDCHILD, "之孙女": Relation.GRANDCHILD, "外孙子": Relation.GRANDCHILD,
    "外孙女": Relation.GRANDCHILD, "孙": Relation.GRANDCHILD,
    "父母": Relation.PARENT, "父亲": Relation.PARENT, "母亲": Relation.PARENT, "之父": Relation.PARENT,
    "之母": Relation.PARENT, "父": Relation.PARENT, "母": Relation.PARENT,
    "祖父母": Relation.GRANDPARENT, "祖父": Relation.GRANDPARENT, "祖母": Relation.GRANDPARENT,
    "外祖父": Relation.GRANDPARENT, "外祖母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING, "兄弟": Relation.SIBLING, "姐妹": Relation.SIBLING,
    "哥哥": Relation.SIBLING, "弟弟": Relation.SIBLING, "姐姐": Relation.SIBLING, "妹妹": Relation.SIBLING,
    "之兄弟": Relation.SIBLING, "之姐妹": Relation.SIBLING,
    "儿媳": Relation.CHILD_IN_LAW, "女婿": Relation.CHILD_IN_LAW, "之儿媳": Relation.CHILD_IN_LAW,
    "之女婿": Relation.CHILD_IN_LAW, "儿媳/女婿": Relation.CHILD_IN_LAW,
    "其他": Relation.OTHER, "其它": Relation.OTHER,
}  # fmt: skip
POVERTY_STATUS_WORDS = {
    "未脱贫": PovertyStatus.IN_POVERTY, "贫困户": PovertyStatus.IN_POVERTY, "否": PovertyStatus.IN_POVERTY,
    "已脱贫": PovertyStatus.LIFTED, "脱贫": PovertyStatus.LIFTED, "脱贫户": PovertyStatus.LIFTED,
    "是": PovertyStatus.LIFTED,
}  # fmt: skip
CIVIL_CATEGORY_WORDS = {
    "低保": HouseholdCategory.DIBAO, "低保户": HouseholdCategory.DIBAO, "农村低保": HouseholdCategory.DIBAO,
    "城市低保": HouseholdCategory.DIBAO, "城乡低保": HouseholdCategory.DIBAO,
    "最低生活保障": HouseholdCategory.DIBAO,
    "特困": HouseholdCategory.EXTREME, "特困供养": HouseholdCategory.EXTREME,
    "特困人员": HouseholdCategory.EXTREME, "特困供养人员": HouseholdCategory.EXTREME,
    "五保": HouseholdCategory.EXTREME, "五保户": HouseholdCategory.EXTREME,
}  # fmt: skip
DISABILITY_KINDS = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
DISABILITY_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

COLUMNS = {
    "villages": VILLAGE_COLUMNS,
    "schools": SCHOOL_COLUMNS,
    "students": STUDENT_COLUMNS,
    "poverty": POVERTY_COLUMNS,
    "civil": CIVIL_COLUMNS,
    "disability": DISABILITY_COLUMNS,
}
# The columns whose headers identify the header row among title and 填报单位 lines.
KEY_COLUMNS = {
    "villages": ("village",),
    "schools": ("name",),
    "students": ("name", "id_number"),
    "poverty": ("name", "id_number"),
    "civil": ("name", "id_number"),
    "disability": ("name", "id_number"),
}


def clean_name(text: str) -> str:
    """Chinese names lose the spaces clerks type to align them; other names keep single spaces."""
    if _CJK.search(text):
        return SPACES.sub("", text)
    return " ".join(text.split())


def place_name(text: str) -> str:
    return SPACES.sub("", text)


_KINDERGARTEN_GRADES = (("小班", 1), ("中班", 2), ("大班", 3))
_CN_DIGITS = "一二三四五六七八九"


# A cohort as classes are named: 2020级, 20级, 2020级机电1班 (not the 1 of 机电1班).
_COHORT = re.compile(r"(?<!\d)(\d{4}|\d{2})级")
_ENTRY_YEAR = re.compile(r"^(\d{4})(?:年|级)?(?:秋季?)?$")
# A vocational grade written as the year itself: 一年级, 高一, 中职二年级, 1, 2年级.
_VOCATIONAL_GRADE = re.compile(r"^(?:中职|职高|高)?([一二三四五六1-6])(?:年级)?$")


def cohort_year(text: str) -> int | None:
    """The year a class entered school, from 2020级 or 20级 in its name; None when not written."""
    found = _COHORT.search(text)
    if found is None:
        return None
    year = int(found.group(1))
    return 2000 + year if year < 100 else year


def entry_year(text: str) -> int | None:
    """The 入学年份 cell (2020, 2020年, 2020级); None when it is not a four-digit year."""
    found = _ENTRY_YEAR.match(SPACES.sub("", text))
    return int(found.group(1)) if found else None


def study_year(
    grade: str, stage: str, start_year: int, *, class_name: str = "", entered: int | None = None
) -> int | None:
    """Year of study from the grade as offices write it (一年级, 高二, 八年级, 大班, 2022级).

    A cohort (the 入学年份 column, or 2020级 / 20级 in the grade) counts from the
    roster's school year: in 2022-2023 a 2020 cohort is in its third year. A
    vocational class name may carry the cohort too (2021级机电1班), but a bare
    class number (机电1班) says nothing about the year, so vocational grades
    are read only when they name the year itself.
    """
    cohort = entered or cohort_year(grade)
    if cohort is None and stage == Stage.VOCATIONAL:
        cohort = cohort_year(class_name)
    if cohort is not None:
        year = start_year - cohort + 1
        return year if 1 <= year <= 6 else None
    if stage == Stage.VOCATIONAL:
        named = _VOCATIONAL_GRADE.match(SPACES.sub("", grade))
        return _first_number(named.group(1)) if named else None
    if not grade:
        return None
    if stage == Stage.KINDERGARTEN:
        for word, year in _KINDERGARTEN_GRADES:
            if word in grade:
                return year
    number = _first_number(grade)
    if number is None:
        return None
    if stage == Stage.JUNIOR and number >= 7:
        number -= 6
    return number if 1 <= number <= 6 else None


def _first_number(grade: str) -> int | None:
    """The first digit, Arabic or Chinese, in a grade name (高二 → 2, 8年级 → 8)."""
    for char in grade:
        if char.isdigit():
            return int(char)
        if char in _CN_DIGITS:
            return _CN_DIGITS.index(char) + 1
    return None
