"""The villages sheet: 乡镇, 村（社区）, 是否省定贫困村."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aidsite.lib.excel import SheetRow
from students.importing.sheets import BATCH_SIZE, SheetImport
from students.importing.words import place_name
from students.models import Township, Village

if TYPE_CHECKING:
    from aidsite.access import Actor


@dataclass(slots=True)
class _VillageRow:
    number: int
    township_name: str
    name: str
    is_poor: bool


class VillageImport(SheetImport):
    """Villages sheet: 乡镇, 村（社区）, 是否省定贫困村. A county-wide import creates missing townships."""

    kind = "villages"
    written_models = (Township, Village)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.townships = self.load_townships()
        self.rows: dict[tuple[str, str], _VillageRow] = {}
        self.duplicates = 0

    def parse(self, row: SheetRow) -> None:
        before = len(self.errors)
        township_name = self.text(row, "township", required="乡镇不能为空", max_length=30)
        if township_name is not None:
            township_name = place_name(township_name)
            known = self.townships.get(township_name)
            if self.township is not None and (known is None or known.pk != self.township.pk):
                self.error(row.number, "township", self.outside_township())
        name = self.text(row, "village", required="村（社区）名称不能为空", max_length=30)
        is_poor = self.yes_no(row, "poor")
        if len(self.errors) > before or township_name is None or name is None or is_poor is None:
            return
        parsed = _VillageRow(row.number, township_name, place_name(name), is_poor)
        key = (parsed.township_name, parsed.name)
        first = self.rows.get(key)
        if first is None:
            self.rows[key] = parsed
        elif first.is_poor != parsed.is_poor:
            self.error(
                row.number, "poor", f"与第 {first.number} 行同一个村，但是否省定贫困村不一致"
            )
        else:
            self.duplicates += 1

    def plan(self) -> None:
        existing = {
            (place_name(t), place_name(n)): (pk, poor)
            for pk, t, n, poor in Village.objects.values_list(
                "pk", "township__name", "name", "is_poor_village"
            )
        }
        self.new: list[_VillageRow] = []
        self.changed: list[tuple[int, bool]] = []
        for key, parsed in self.rows.items():
            found = existing.get(key)
            if found is None:
                self.new.append(parsed)
            elif found[1] != parsed.is_poor:
                self.changed.append((found[0], parsed.is_poor))
            else:
                self.unchanged += 1
        self.created, self.updated = len(self.new), len(self.changed)
        self.unchanged += self.duplicates

    def write(self, *, actor: Actor) -> None:
        missing = sorted({p.township_name for p in self.new} - set(self.townships))
        Township.objects.bulk_create([Township(name=name) for name in missing])
        townships = self.load_townships()
        Village.objects.bulk_create(
            [
                Village(township=townships[p.township_name], name=p.name, is_poor_village=p.is_poor)
                for p in self.new
            ],
            batch_size=BATCH_SIZE,
        )
        Village.objects.bulk_update(
            [Village(pk=pk, is_poor_village=poor) for pk, poor in self.changed],
            ["is_poor_village"],
            batch_size=BATCH_SIZE,
        )
