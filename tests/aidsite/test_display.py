"""The one way pages write money, ratios and tiers (aidsite.templatetags.display)."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template

from aidsite.lib.money import format_percent, format_yuan


def test_money_has_thousands_separators_and_two_decimals():
    assert format_yuan(Decimal("1825.5")) == "1,825.50"
    assert format_yuan(1234567) == "1,234,567.00"
    assert format_yuan(Decimal("0.005")) == "0.01"
    assert format_yuan(None) == ""


def test_ratios_read_as_per_cent():
    assert format_percent(Decimal("0.1000")) == "10%"
    assert format_percent(Decimal("0.125")) == "12.5%"
    assert format_percent(Decimal("1")) == "100%"
    assert format_percent(None) == ""


def test_the_filters_need_no_load_on_any_template():
    html = Template("{{ a|yuan }} {{ r|percent }} {{ t|tier }} {{ c|code_label }}").render(
        Context({"a": Decimal("1000"), "r": Decimal("0.05"), "t": 3, "c": "PRE-GRANT"})
    )
    assert html == '1,000.00 5% 3档 <small class="code">PRE-GRANT</small>'
