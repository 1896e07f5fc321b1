"""The coverage rules: who of a policy's population is aided, one named step each.

`decide` runs the steps in order over the population's fact rows: gather the
students the policy may aid, choose one enrollment per student, then per
school apply staff exclusions and additions, exempt categories, cover
province-designated poor villages in full, fill the quota neediest first,
and finally count awards and check floors. Nothing here saves or queries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from subsidies.models import CountBase, EntitlementStatus, OverrideAction
from subsidies.rules.decisions import (
    Candidate,
    Decision,
    OverrideFact,
    Placement,
    decision_for,
    is_addition,
    staff_tier,
)
from subsidies.rules.facts import (
    categories_of,
    category_labels,
    in_poor_village,
    neediest_first,
    priority_for,
    tier_for,
)
from subsidies.rules.policy import PolicySpec
from subsidies.rules.pricing import RULES, Amount, counts_for_floor


@dataclass
class SchoolStats:
    school_id: int
    school_name: str
    population: int = 0
    non_exempt: int = 0
    boarders: int = 0
    qualifying: int = 0
    quota: int | None = None
    # The county's allocation (名额分配) where it differs from `round(ratio × base)`.
    allocated: Allocated | None = None
    awarded: int = 0
    floor_base: int = 0
    floor_counted: int = 0
    floor_required: Decimal | None = None

    @property
    def below_floor(self) -> bool:
        return self.floor_required is not None and Decimal(self.floor_counted) < self.floor_required


@dataclass(frozen=True)
class Allocated:
    """Places the county allocated a school (名额分配), and why."""

    places: int
    reason: str


@dataclass(frozen=True)
class Conflict:
    """A student enrolled (在读) at several schools in the population: aided once, here."""

    student_id: int
    student_name: str
    chosen_enrollment_id: int
    school_names: tuple[str, ...]


@dataclass
class Outcome:
    decisions: list[Decision]
    schools: dict[int, SchoolStats]
    conflicts: list[Conflict]
    ignored_additions: list[int] = field(default_factory=list)

    @property
    def floor_warnings(self) -> list[SchoolStats]:
        return [s for s in self.schools.values() if s.below_floor]


def decide(
    spec: PolicySpec,
    rows: Iterable[Mapping[str, Any]],
    *,
    overrides: Mapping[int, OverrideFact] | None = None,
    locked: Mapping[int, int] | None = None,
    allocations: Mapping[int, Allocated] | None = None,
) -> Outcome:
    """Decide every student of the population for one policy and term.

    `rows` are `population_facts` rows; `overrides` maps a student to a staff
    override; `locked` maps a student with an approved or paid entitlement to
    its school: those keep their place in the quota and get no new decision;
    `allocations` maps a school to the places the county allocated it.
    """
    overrides = overrides or {}
    locked = locked or {}
    schools, by_student = gather_candidates(spec, rows, overrides)
    for school_id, allocated in (allocations or {}).items():
        if school_id in schools:
            schools[school_id].allocated = allocated
    chosen, conflicts = choose_enrollments(by_student)
    conflict_schools = {c.student_id: c.school_names for c in conflicts}
    locked_per_school = Counter(locked.values())
    decisions: list[Decision] = []
    ignored_additions: list[int] = []
    shared: dict[tuple[Any, ...], dict[str, Any]] = {}
    for school_id, candidates in undecided_by_school(chosen, locked).items():
        placements = allocate_school(
            spec, schools[school_id], candidates, locked_per_school[school_id], ignored_additions
        )
        for p in placements:
            decisions.append(decision_for(spec, p, conflict_schools.get(p.candidate.student_id), shared))
    count_awards(spec, schools, decisions, locked_per_school)
    check_floors(spec, schools, locked_per_school)
    decisions.sort(key=lambda d: (d.school_id, d.student_id))
    return Outcome(decisions=decisions, schools=schools, conflicts=conflicts, ignored_additions=ignored_additions)


def quota_for(ratio: Decimal, count: int) -> int:
    """`ratio × count` rounded half up (四舍五入), not Python's banker's rounding.

    "平均资助面为在园幼儿的10%"; "A quota (资助面) caps how many are funded:
    `round(ratio × enrolled)` per school" (DOMAIN.md).
    """
    return int((ratio * count).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def base_count(stats: SchoolStats, base: str) -> int:
    """The school's count a ratio applies to.

    "资助比例不低于在校寄宿生人数的15%"; "非涉农专业家庭困难学生的比例为非涉农学生的10%"
    """
    if base == CountBase.NON_EXEMPT:
        return stats.non_exempt
    if base == CountBase.BOARDERS:
        return stats.boarders
    return stats.population


def base_label(base: str) -> str:
    return {
        CountBase.NON_EXEMPT: "不占名额类别以外的学生",
        CountBase.BOARDERS: "寄宿生",
    }.get(base, "在校生")


# ---------------------------------------------------------------------------
# The population: every enrollment counted, the students the policy may aid priced


def gather_candidates(
    spec: PolicySpec, rows: Iterable[Mapping[str, Any]], overrides: Mapping[int, OverrideFact]
) -> tuple[dict[int, SchoolStats], dict[int, list[Candidate]]]:
    """Count every school's population and price each enrollment of a qualifying or added student.

    "家庭困难儿童、烈士子女、孤儿和残疾儿童落实政府助学金"
    """
    rule = RULES[spec.kind]
    exempt_categories = spec.exempt_categories
    qualifying_categories = spec.qualifying_categories
    schools: dict[int, SchoolStats] = {}
    by_student: dict[int, list[Candidate]] = defaultdict(list)
    # Amounts depend on a few facts only: price each combination once.
    priced: dict[tuple[Any, ...], Amount | None] = {}
    for row in rows:
        categories = categories_of(row)
        exempt = bool(categories & exempt_categories)
        _count_enrollment(schools, row, exempt=exempt)
        override = overrides.get(row["student_id"])
        qualifying = tuple(sorted(categories & qualifying_categories))
        if not qualifying and not is_addition(override):
            continue
        tier = staff_tier(override)
        if tier is None:
            tier = tier_for(spec, categories)
        key = (categories, row["stage"], row["school__tuition"], tier)
        if key not in priced:
            priced[key] = rule(spec, row, categories, tier)
        by_student[row["student_id"]].append(
            Candidate(
                row=row,
                categories=categories,
                qualifying=qualifying,
                amount=priced[key],
                priority=priority_for(spec, categories),
                poor_village=in_poor_village(row),
                exempt=exempt,
                override=override,
            )
        )
    return schools, by_student


def _count_enrollment(schools: dict[int, SchoolStats], row: Mapping[str, Any], *, exempt: bool) -> None:
    school = schools.get(row["school_id"])
    if school is None:
        school = schools[row["school_id"]] = SchoolStats(row["school_id"], row["school__name"])
    school.population += 1
    school.non_exempt += 0 if exempt else 1
    school.boarders += 1 if row["is_boarding"] else 0


def choose_enrollments(by_student: Mapping[int, list[Candidate]]) -> tuple[list[Candidate], list[Conflict]]:
    """One enrollment per student: the one that qualifies and pays most, then the oldest row.

    "a student gets a policy at most once per period, even if enrolled at two
    schools (重复资助 is the classic audit finding)" (DOMAIN.md).
    """
    chosen: list[Candidate] = []
    conflicts: list[Conflict] = []
    for student_id, candidates in by_student.items():
        candidates.sort(
            key=lambda c: (
                not c.qualifying,
                c.amount is None,
                -(c.amount.amount if c.amount else 0),
                c.row["id"],
            )
        )
        winner = candidates[0]
        chosen.append(winner)
        if len(candidates) > 1:
            conflicts.append(
                Conflict(
                    student_id=student_id,
                    student_name=winner.row["student__name"],
                    chosen_enrollment_id=winner.row["id"],
                    school_names=tuple(c.row["school__name"] for c in candidates),
                )
            )
    return chosen, conflicts


def undecided_by_school(chosen: Iterable[Candidate], locked: Mapping[int, int]) -> dict[int, list[Candidate]]:
    """The chosen students per school, less those whose entitlement is approved or paid.

    Those keep their place in the quota and get no new decision.
    """
    per_school: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in chosen:
        if candidate.student_id not in locked:
            per_school[candidate.row["school_id"]].append(candidate)
    return per_school


# ---------------------------------------------------------------------------
# One school: the places outside the quota first, then the quota neediest first


def allocate_school(
    spec: PolicySpec, stats: SchoolStats, candidates: list[Candidate], locked: int, ignored_additions: list[int]
) -> list[Placement]:
    """Place one school's students; `locked` approved or paid ones already hold quota places."""
    stats.qualifying = sum(1 for c in candidates if c.qualifying) + locked
    quota = school_quota(spec, stats)
    placed: list[Placement] = []
    waiting: list[Candidate] = []
    for c in drop_unpriced(candidates, ignored_additions):
        placement = place_outside_quota(spec, c, quota)
        if placement is None:
            waiting.append(c)
        else:
            placed.append(placement)
    if quota is not None:
        poor_village = sum(1 for p in placed if p.takes_place)
        placed.extend(fill_quota_neediest_first(spec, stats, quota, waiting, locked=locked, poor_village=poor_village))
    return placed


def school_quota(spec: PolicySpec, stats: SchoolStats) -> int | None:
    """The school's quota, if the policy has one: the county's allocation, else the default share.

    "平均资助面为在园幼儿的10%"; "资助比例为在校生的10%": an average over the county,
    which allocates places per school (名额分配); a school without an allocation
    has `round(ratio × base)`.
    """
    if spec.quota_ratio is None:
        return None
    if stats.allocated is not None:
        stats.quota = stats.allocated.places
    else:
        stats.quota = quota_for(spec.quota_ratio, base_count(stats, spec.quota_base))
    return stats.quota


def drop_unpriced(candidates: Iterable[Candidate], ignored_additions: list[int]) -> list[Candidate]:
    """Students the policy's rule pays nothing get no decision; a staff addition of one is ignored."""
    priced = []
    for c in candidates:
        if c.amount is not None:
            priced.append(c)
        elif is_addition(c.override):
            ignored_additions.append(c.student_id)
    return priced


def place_outside_quota(spec: PolicySpec, c: Candidate, quota: int | None) -> Placement | None:
    """The steps before the quota, in order; None when the student waits for a quota place."""
    placement = exclude_by_staff(c) or add_by_staff(c)
    if placement is not None:
        return placement
    if quota is None:
        return Placement(c, EntitlementStatus.PROPOSED, {})
    return exempt_from_quota(spec, c) or cover_poor_village(spec, c, quota)


def exclude_by_staff(c: Candidate) -> Placement | None:
    """A staff exclusion (with its reason) leaves the student out and frees the place.

    "staff can override per student with a reason" (DOMAIN.md).
    """
    if c.override is None or c.override.action != OverrideAction.EXCLUDE:
        return None
    return Placement(c, EntitlementStatus.EXCLUDED, {"text": "人工排除，不占名额"})


def add_by_staff(c: Candidate) -> Placement | None:
    """A staff addition (with its reason) stands outside the quota.

    Whether the student qualifies and was left out by the quota or does not
    qualify at all, nobody already in the quota is pushed out, and the summary
    shows the excess: "Nobody who does not qualify is ever added to fill a
    quota" (DOMAIN.md).
    """
    if not is_addition(c.override):
        return None
    return Placement(c, EntitlementStatus.PROPOSED, {"text": "人工增补，不占名额"})


def exempt_from_quota(spec: PolicySpec, c: Candidate) -> Placement | None:
    """Quota-exempt categories are all aided and take no place.

    "对全日制正式学籍一、二年级在校涉农专业全部和非涉农专业家庭困难学生实施国家助学金"
    """
    if not c.exempt:
        return None
    labels = category_labels(sorted(c.categories & spec.exempt_categories))
    return Placement(c, EntitlementStatus.PROPOSED, {"text": f"{labels}学生全部资助，不占名额"})


def cover_poor_village(spec: PolicySpec, c: Candidate, quota: int) -> Placement | None:
    """Poor-village children are covered beyond the quota; by default they take its places first.

    "对省定贫困村家庭困难儿童实施资助全覆盖"; "对省定贫困村家庭困难在校生实现资助全覆盖".
    Whether they take places inside the quota or stand outside it is the
    policy's setting (`poor_village_in_quota`).
    """
    if not (c.poor_village and spec.poor_village_full_coverage):
        return None
    if not spec.poor_village_in_quota:
        info = {"text": "家庭在省定贫困村，全覆盖，不占名额", "poor_village": True, "quota": quota}
        return Placement(c, EntitlementStatus.PROPOSED, info)
    info = {"text": "家庭在省定贫困村，全覆盖，不受名额限制", "poor_village": True, "quota": quota}
    return Placement(c, EntitlementStatus.PROPOSED, info, takes_place=True)


def fill_quota_neediest_first(
    spec: PolicySpec, stats: SchoolStats, quota: int, waiting: Iterable[Candidate], *, locked: int, poor_village: int
) -> list[Placement]:
    """The places left after poor-village coverage go to the neediest; the rest are not awarded.

    "When more students qualify than the quota, the neediest come first"
    (DOMAIN.md); "平均资助面为在园幼儿的10%"
    """
    assert spec.quota_ratio is not None
    base = base_count(stats, spec.quota_base)
    quota_text = school_quota_text(spec, stats, quota, base)
    left = max(0, quota - locked - poor_village)
    full_text = f"名额已满（{quota_taken_text(locked, poor_village, left)}），未安排"
    placements = []
    ranked = sorted(waiting, key=lambda c: neediest_first(c.priority, c.row))
    for position, c in enumerate(ranked, start=1):
        info: dict[str, Any] = {"quota": quota, "position": position, "base": base}
        if position <= left:
            info["text"] = f"{quota_text}，按困难程度排第 {position} 位，在名额内"
            placements.append(Placement(c, EntitlementStatus.PROPOSED, info))
        else:
            info["text"] = f"{quota_text}，按困难程度排第 {position} 位，{full_text}"
            placements.append(Placement(c, EntitlementStatus.NOT_AWARDED, info))
    return placements


def school_quota_text(spec: PolicySpec, stats: SchoolStats, quota: int, base: int) -> str:
    """How the school's places were set: the default share, or the county's allocation and why."""
    assert spec.quota_ratio is not None
    ratio_text = f"{(spec.quota_ratio * 100).normalize():f}%"
    share = f"{base_label(spec.quota_base)} {base} 人 × {ratio_text}"
    if stats.allocated is None:
        return f"本校名额 {quota} 人（{share}，四舍五入）"
    default = quota_for(spec.quota_ratio, base)
    return f"本校名额 {quota} 人（县分配，按{share}应为 {default} 人；理由：{stats.allocated.reason}）"


def quota_taken_text(locked: int, poor_village: int, left: int) -> str:
    """What took the quota's places before the neediest-first order, said only where it applies.

    "对省定贫困村家庭困难在校生实现资助全覆盖": the poor-village clause is named only
    when a poor-village student took a place.
    """
    taken = []
    if locked:
        taken.append(f"已批准或已发放 {locked} 人")
    if poor_village:
        taken.append(f"省定贫困村学生 {poor_village} 人先行全覆盖")
    if not taken:
        return f"共 {left} 个名额"
    return f"{'、'.join(taken)}后剩余 {left} 个名额"


# ---------------------------------------------------------------------------
# Every school: what was awarded, against the floor


def count_awards(
    spec: PolicySpec, schools: Mapping[int, SchoolStats], decisions: Iterable[Decision], locked: Mapping[int, int]
) -> None:
    """Each school's awards: the new decisions and the approved or paid ones (`locked` per school).

    The floor counts the awarded of its category, less those paid a higher rate
    (CMP-MEAL: "其他家庭困难学生资助比例不低于在校生的15%" counts the 3-yuan students).
    """
    for decision in decisions:
        stats = schools[decision.school_id]
        if decision.awarded:
            stats.awarded += 1
            if counts_for_floor(spec, decision.categories):
                stats.floor_counted += 1
    for stats in schools.values():
        stats.awarded += locked.get(stats.school_id, 0)


def check_floors(spec: PolicySpec, schools: Mapping[int, SchoolStats], locked: Mapping[int, int]) -> None:
    """The share each school must reach; a school below it is reported, nobody is added.

    "资助比例不低于在校寄宿生人数的15%"; "其他家庭困难学生资助比例不低于在校生的15%";
    "A floor (不低于) is a minimum share to be reached: the system reports every
    school below it, it does not invent recipients" (DOMAIN.md).
    """
    if spec.floor_ratio is None:
        return
    for stats in schools.values():
        # Approved or paid entitlements count towards the floor whatever their category.
        stats.floor_counted += locked.get(stats.school_id, 0)
        stats.floor_base = base_count(stats, spec.floor_base)
        stats.floor_required = spec.floor_ratio * stats.floor_base
