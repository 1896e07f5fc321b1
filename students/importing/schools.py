"""The schools sheet: 学校名称, 乡镇, 村, 学段, 办学性质, 是否普惠性 … 学费标准（元/年）."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aidsite.lib.excel import CellError, SheetRow, parse_decimal, split_list
from students.importing.sheets import BATCH_SIZE, SheetImport
from students.importing.words import OWNERSHIP_WORDS, SPACES, STAGE_HINT, STAGE_WORDS, place_name
from students.models import School, Stage

if TYPE_CHECKING:
    from aidsite.access import Actor

_SCHOOL_FIELDS = (
    "township_id",
    "village_id",
    "stages",
    "ownership",
    "is_inclusive",
    "is_county_approved",
    "is_rural",
    "is_boarding",
    "tuition",
)
_FLAG_KEYS = ("inclusive", "county_approved", "rural", "boarding")
_TUITION_CEILING = Decimal("100000000")


@dataclass(slots=True)
class _SchoolRow:
    number: int
    name: str
    values: tuple[Any, ...]  # in the order of _SCHOOL_FIELDS


class SchoolImport(SheetImport):
    """Schools sheet: 学校名称, 乡镇, 村, 学段, 办学性质, 是否普惠性 … 学费标准（元/年）."""

    kind = "schools"
    written_models = (School,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.townships = self.load_townships()
        self.villages = self.load_villages()
        self.rows: dict[str, _SchoolRow] = {}
        self.duplicates = 0

    def parse(self, row: SheetRow) -> None:
        before = len(self.errors)
        name = self.text(row, "name", required="学校名称不能为空", max_length=60)
        township = self.check_township(row, self.townships)
        village_id = self.check_village(row, self.villages, township, max_length=30)
        stages = self._stages(row)
        ownership = self._ownership(row)
        flags = [self.yes_no(row, key) for key in _FLAG_KEYS]
        tuition = self._tuition(row)
        if len(self.errors) > before or name is None or township is None or tuition is None:
            return
        ordered = ",".join(code for code in Stage.values if code in stages)
        parsed = _SchoolRow(
            row.number,
            place_name(name),
            (township.pk, village_id, ordered, ownership, *flags, tuition),
        )
        first = self.rows.get(parsed.name)
        if first is None:
            self.rows[parsed.name] = parsed
        elif first.values != parsed.values:
            self.error(row.number, "name", f"与第 {first.number} 行是同一所学校，但内容不一致")
        else:
            self.duplicates += 1

    def _stages(self, row: SheetRow) -> list[str]:
        """The school's stage codes, each once, from words such as 小学、初中 or 九年一贯制."""
        stages: list[str] = []
        words = split_list(row.values.get("stages"))
        if not words:
            self.error(row.number, "stages", "学段不能为空")
        for word in words:
            codes = STAGE_WORDS.get(word)
            if codes is None:
                self.error(row.number, "stages", f"学段“{word}”无法识别，{STAGE_HINT}")
                continue
            stages.extend(c for c in codes if c not in stages)
        return stages

    def _ownership(self, row: SheetRow) -> str | None:
        text = self.text(row, "ownership", required="办学性质不能为空（公办或民办）")
        ownership = OWNERSHIP_WORDS.get(SPACES.sub("", text or ""))
        if text and ownership is None:
            self.error(row.number, "ownership", f"办学性质“{text}”无法识别，应为 公办 或 民办")
        return ownership

    def _tuition(self, row: SheetRow) -> Decimal | None:
        try:
            tuition = parse_decimal(row.values.get("tuition"))
        except CellError as exc:
            self.error(row.number, "tuition", str(exc))
            return None
        if tuition < 0 or tuition >= _TUITION_CEILING:
            self.error(row.number, "tuition", "学费标准应在 0 到 1 亿元之间")
            return None
        return tuition.quantize(Decimal("0.01"))

    def plan(self) -> None:
        existing = {
            place_name(values[0]): values[1:]
            for values in School.objects.values_list("name", "pk", *_SCHOOL_FIELDS)
        }
        self.new: list[_SchoolRow] = []
        self.changed: list[School] = []
        self.changed_fields: set[str] = set()
        for name, parsed in self.rows.items():
            found = existing.get(name)
            if found is None:
                self.new.append(parsed)
                continue
            pk, *current = found
            if self.township is not None and current[0] != self.township.pk:
                self.error(parsed.number, "name", "该学校已登记在其他乡镇，不能由本乡镇导入")
                continue
            diff = [
                f
                for f, old, new in zip(_SCHOOL_FIELDS, current, parsed.values, strict=True)
                if old != new
            ]
            if diff:
                self.changed.append(
                    School(pk=pk, **dict(zip(_SCHOOL_FIELDS, parsed.values, strict=True)))
                )
                self.changed_fields.update(diff)
            else:
                self.unchanged += 1
        self.created, self.updated = len(self.new), len(self.changed)
        self.unchanged += self.duplicates

    def write(self, *, actor: Actor) -> None:
        School.objects.bulk_create(
            [
                School(name=p.name, **dict(zip(_SCHOOL_FIELDS, p.values, strict=True)))
                for p in self.new
            ],
            batch_size=BATCH_SIZE,
        )
        if self.changed:
            School.objects.bulk_update(
                self.changed, sorted(self.changed_fields), batch_size=BATCH_SIZE
            )
