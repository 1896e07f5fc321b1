"""Forms of the aid-list pages (/aid/): the term and township in view, filters, overrides, additions.

Choices are scoped to the user; township staff never choose a township (theirs
is fixed), the county administrator may pick one or leave it for the whole county.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from aidsite.access import can_reveal_personal_data, scope_queryset, user_scope
from aidsite.lib.idcard import ID_PATTERN, normalize_id_number
from aidsite.lib.text import validate_free_text
from students.models import School, Term, Township
from subsidies.forms.shared import (
    check_year_has_policies,
    required_reason,
    terms,
    visible_townships,
)
from subsidies.forms.shared import policies as listed_policies
from subsidies.models import EntitlementStatus, OverrideAction, Policy, PolicyTier
from subsidies.selectors import TermData, default_term


class AidScopeForm(forms.Form):
    """The term and (for the county administrator) the township a page is about.

    Always bound: a missing term means the default term, a missing township the
    user's own (township staff) or the whole county (county administrator).
    """

    term = forms.ModelChoiceField(label=_("学期"), queryset=Term.objects.none(), empty_label=None)
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False, empty_label=_("全县")
    )

    def __init__(self, data: Any = None, *, user: Any, bind: bool = True, **kwargs: Any) -> None:
        data = data.copy() if isinstance(data, QueryDict) else dict(data or {})
        self.user = user
        if not data.get("term") and self.default_term is not None:
            data["term"] = str(self.default_term.pk)
        self.asked = data
        if bind:
            super().__init__(data, **kwargs)
        else:
            # A blank form to fill in (no "required" errors yet), opened on the term asked for.
            super().__init__(initial={k: data.get(k) for k in ("term", "township", "policy") if data.get(k)}, **kwargs)
        self.fields["term"].queryset = terms()
        scope = user_scope(user)
        self.fixed_township = Township.objects.get(pk=scope.township_id) if scope.township_id else None
        if self.fixed_township is not None:
            del self.fields["township"]
        else:
            self.fields["township"].queryset = visible_townships(user)
        self.selected_term = self._raw_term()

    @cached_property
    def default_term(self) -> Term | None:
        """The term the page opens on (subsidies.selectors.terms), looked up only when none is asked for."""
        return default_term(actor=self.user, data=TermData.AID)

    def _raw_term(self) -> Term | None:
        """The term asked for, before validation: the other fields' choices depend on its year."""
        raw = self.asked.get("term")
        if raw and str(raw).isdigit():
            term = Term.objects.select_related("school_year").filter(pk=int(raw)).first()
            if term is not None:
                return term
        return self.default_term

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.fixed_township is not None:
            data["township"] = self.fixed_township
        return data

    def selection(self) -> tuple[Term | None, Township | None]:
        """The valid term and township, or the defaults when the request asked for something invalid."""
        if not self.is_bound:
            return self.selected_term, self.fixed_township
        if self.is_valid():
            return self.cleaned_data["term"], self.cleaned_data.get("township")
        return self.default_term, self.fixed_township

    def query(self) -> dict[str, Any]:
        """The selection as query parameters, for links between the aid pages."""
        term, township = self.selection()
        params: dict[str, Any] = {}
        if term is not None:
            params["term"] = term.pk
        if township is not None and self.fixed_township is None:
            params["township"] = township.pk
        return params


def _policy_choices(term: Term | None, empty: str, *, granted: bool = False) -> list[tuple[str, str]]:
    """The term's computed policies; with `granted`, also those by application with approved aid."""
    choices: list[tuple[str, str]] = [("", empty)]
    if term is None:
        return choices
    offered = listed_policies() if granted else Policy.objects.filter(by_application=False)
    policies = offered.filter(school_year_id=term.school_year_id).order_by("order", "code")
    return choices + list(policies.values_list("code", "name"))


def _year_tiers(term: Term | None) -> list[int]:
    if term is None:
        return []
    tiers = PolicyTier.objects.filter(policy__school_year_id=term.school_year_id).values_list("tier", flat=True)
    return sorted(set(tiers))


class _PolicyScopeForm(AidScopeForm):
    """The term and township, and one of the term's computed policies or (blank) all of them."""

    policy = forms.ChoiceField(label=_("资助项目"), required=False)
    all_policies = _("全部项目")  # the blank choice's label

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, user=user, **kwargs)
        self.fields["policy"].choices = _policy_choices(self.selected_term, str(self.all_policies))


class ComputeForm(_PolicyScopeForm):
    """测算: the term, the township (county administrator), one policy or all, and the preview's digest."""

    digest = forms.CharField(required=False, widget=forms.HiddenInput)
    all_policies = _("全部测算类项目")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        term = data.get("term")
        if term is not None:
            check_year_has_policies(self, "term", term.school_year)
        return data


_ID_TAIL = re.compile(r"^\d*[\dX]$")
_MASKED_ID = re.compile(r"^(\d{4})\*{10}(\d{3}[\dX])$")
# The masked form shows the last four: anyone may search by them. A role with the reveal
# permission may type up to six, as offices quote them; more would let a role without
# it recover hidden digits by trying.
VISIBLE_TAIL = 4
REVEALER_TAIL = 6


class ListFilterForm(_PolicyScopeForm):
    """资助名单 filters: policy, school (scoped), tier, status, and a search by name or ID number.

    The search takes a name (or part of it), the last digits of an ID number, or the
    full number; a full number never stays in the URL (the view swaps it for its masked
    form and a session token, as the registry's search does).
    """

    q = forms.CharField(
        label=_("姓名或身份证号"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("姓名、身份证号后四位或完整号码"), "size": 22}),
    )

    school = forms.ModelChoiceField(
        label=_("学校"), queryset=School.objects.none(), required=False, empty_label=_("全部学校")
    )
    tier = forms.TypedChoiceField(label=_("档次"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *EntitlementStatus.choices]
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, user=user, **kwargs)
        schools = scope_queryset(user, School.objects.select_related("township").order_by("township__name", "name"))
        if self.fixed_township is None and str(self.asked.get("township") or "").isdigit():
            schools = schools.filter(township_id=int(self.asked["township"]))
        self.fields["school"].queryset = schools
        # The list holds approved applications too: they can be looked for by policy.
        self.fields["policy"].choices = _policy_choices(self.selected_term, str(self.all_policies), granted=True)
        self.fields["tier"].choices = [("", _("全部档次"))] + [(t, f"{t}档") for t in _year_tiers(self.selected_term)]

    def clean_q(self) -> str:
        raw = self.cleaned_data.get("q") or ""
        number = normalize_id_number(raw)
        if not number or ID_PATTERN.match(number) or _MASKED_ID.match(number):
            return number
        if _ID_TAIL.match(number):
            longest = REVEALER_TAIL if can_reveal_personal_data(self.user) else VISIBLE_TAIL
            if not VISIBLE_TAIL <= len(number) <= longest:
                raise forms.ValidationError(
                    _("按身份证号查找请输入后 %(low)s 至 %(high)s 位，或完整的 18 位号码。"),
                    params={"low": VISIBLE_TAIL, "high": longest},
                )
            return number
        return raw.strip()

    def search(self) -> dict[str, Any]:
        """The search box as `entitlement_list` keywords (the full number is the view's to add)."""
        term = self.cleaned_data.get("q") or ""
        if not term or ID_PATTERN.match(term):
            return {}
        if match := _MASKED_ID.match(term):
            return {"id_prefix": match.group(1), "id_suffix": match.group(2)}
        if _ID_TAIL.match(term):
            return {"id_suffix": term}
        return {"name": term}

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `entitlement_list` (empty when the filters are invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        school = data.get("school")
        return {
            "policy_code": data.get("policy") or None,
            "school_id": school.pk if school else None,
            "tier": data.get("tier"),
            "status": data.get("status") or None,
            **self.search(),
        }


class ApproveForm(_PolicyScopeForm):
    """资助名单审核: term, township, one policy or all; the figures shown guard the confirmation."""

    expected = forms.CharField(required=False, widget=forms.HiddenInput)


def _tier_choices(policy: Policy, empty: str) -> list[tuple[Any, str]]:
    return [("", empty)] + [(t.tier, f"{t.tier}档（{t.annual_amount:.0f} 元/年）") for t in policy.tiers.all()]


def _clean_reason(value: str) -> str:
    return required_reason(value, _("人工调整须写明理由。"))


class OverrideForm(forms.Form):
    """人工调整 of one entitlement: another tier, an exclusion or an addition, always with a reason."""

    action = forms.ChoiceField(label=_("调整方式"), widget=forms.RadioSelect(attrs={"class": "radiolist inline"}))
    tier = forms.TypedChoiceField(label=_("档次"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(validators=[validate_free_text],
        label=_("理由"), max_length=200, widget=forms.TextInput(attrs={"size": 60}),
        error_messages={"required": _("人工调整须写明理由。")},
        help_text=_("如：家访核实家庭突发重大变故，村委证明。理由将写入资助依据。"),
    )

    def __init__(self, *args: Any, policy: Policy, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(OverrideAction.choices)
        self.fields["action"].choices = [(a, labels[a]) for a in actions]
        if len(actions) == 1:
            self.fields["action"].initial = actions[0]
        tier_choices = _tier_choices(policy, str(_("按规则确定")))
        if len(tier_choices) > 1:
            self.fields["tier"].choices = tier_choices
        else:
            del self.fields["tier"]

    def clean_reason(self) -> str:
        return _clean_reason(self.cleaned_data["reason"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == OverrideAction.TIER and not data.get("tier"):
            self.add_error("tier" if "tier" in self.fields else None, _("调整档次须选择档次。"))
        if data.get("action") == OverrideAction.EXCLUDE:
            data["tier"] = None
        return data


class AddForm(AidScopeForm):
    """增补 a student the list does not hold for a policy (found by ID number within the user's scope)."""

    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    policy = forms.ChoiceField(label=_("资助项目"))
    tier = forms.TypedChoiceField(label=_("档次"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(validators=[validate_free_text],
        label=_("理由"), max_length=200, widget=forms.TextInput(attrs={"size": 60}),
        error_messages={"required": _("人工调整须写明理由。")},
        help_text=_("如：突发重大变故，村委证明。理由将写入资助依据。"),
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, user=user, **kwargs)
        # The student's own enrollment decides the township (the service checks it is the user's).
        self.fields.pop("township", None)
        self.fields["policy"].choices = _policy_choices(self.selected_term, "—")
        tiers = _year_tiers(self.selected_term)
        self.fields["tier"].choices = [("", _("按规则确定（无分档项目不选）"))] + [(t, f"{t}档") for t in tiers]

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data["id_number"])

    def clean_reason(self) -> str:
        return _clean_reason(self.cleaned_data["reason"])
