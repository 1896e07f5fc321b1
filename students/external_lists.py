"""Other departments' lists (扶贫 registry, civil affairs, disabled persons' federation) against ours.

Interface shared by the omission report (`subsidies`) and the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aidsite.access import Actor
    from students.models import Township


@dataclass(frozen=True)
class ListDifference:
    """One difference between an external list and the registry (名单比对差异)."""

    name: str
    id_number: str
    source: str  # 来源: the list's Chinese name, e.g. 民政低保特困名单
    difference: str  # 差异: e.g. 新增人员, 新增类别, 类别终止, 姓名不一致, 迁至其他村
    registry: str  # 登记情况: what the registry holds
    external: str  # 外部名单情况: what the external list says


def list_differences(*, actor: Actor, township: Township | None = None) -> list[ListDifference]:
    """Differences between the latest import of each external list and the registry, not yet applied."""
    raise NotImplementedError("external list comparison is being built (issue 13)")
