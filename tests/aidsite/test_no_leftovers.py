"""Issue 12, "Done when": no raw code or English default is left on any page a user sees.

Every GET page of the URLconf (the endpoint matrix's URL enumeration and world) is fetched
as each role; the text a user reads (text nodes, the values of visible form fields,
placeholders and titles) must hold none of the known leftovers: policy codes used as labels
(a code may stay only as a small secondary label, `<small class="code">`), raw choice keys
(English stage keys such as `kindergarten`) and Django's English defaults. Pages added
later are picked up through the URLconf.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from students.models import Stage
from subsidies.models import Category, Policy, PolicyKind
from tests.aidsite.endpoint_matrix import concrete_url, url_patterns
from tests.aidsite.matrix_world import build_matrix_world

pytestmark = pytest.mark.django_db

# Django's own English that shows when a translation or a label is missing.
DJANGO_DEFAULTS = (
    "None",
    "Save and",
    "Select",
    "Django administration",
    "Django site admin",
    "True",
    "False",
    "Unknown",
    "Add another",
    "Show all",
    "View site",
    "Log out",
    "Model name",
    "Add link",
    "Reason text",
    "Masked",
    "无可选的",  # Django's Chinese for "None available", read as "nothing to choose"
)
# Raw choice keys of the vocabularies people read most (stages, policy kinds, categories).
RAW_KEYS = sorted({*Stage.values, *PolicyKind.values, *Category.values} - {""})

_SKIPPED_TAGS = {"script", "style", "template"}
_VISIBLE_INPUTS = {"text", "number", "search", "date", "email", "tel", "url", None}


class _VisibleText(HTMLParser):
    """The text a user reads, without scripts and without `<small class="code">` labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag in _SKIPPED_TAGS or (tag == "small" and "code" in classes):
            self._skip.append(tag)
            return
        # The policy form's code field is where a code is typed: that is not a label.
        if (
            tag == "input"
            and attributes.get("type") in _VISIBLE_INPUTS
            and attributes.get("name") != "code"
        ):
            self.parts.append(attributes.get("value") or "")
        for name in ("placeholder", "title", "aria-label"):
            self.parts.append(attributes.get(name) or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED_TAGS and tag != "small":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(part for part in parser.parts if part.strip())


def _word(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])")


def leftovers(text: str, policy_codes: list[str]) -> list[str]:
    """Each leftover found in `text`, with a few characters around it."""
    found = []
    checks = [(f"代码 {c}", _word(c)) for c in policy_codes]
    checks += [(f"键 {k}", _word(k)) for k in RAW_KEYS]
    checks += [(f"英文 {d}", _word(d)) for d in DJANGO_DEFAULTS]
    for label, pattern in checks:
        match = pattern.search(text)
        if match:
            around = text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")
            found.append(f"{label}: …{around}…")
    return found


def test_leftovers_finds_codes_keys_and_defaults_but_not_small_code_labels():
    html = (
        '<p>资助项目 PRE-GRANT</p><small class="code">CMP-BOARD</small>'
        '<input type="text" value="kindergarten"><p>None</p><script>var a = "True";</script>'
    )
    found = leftovers(visible_text(html), ["PRE-GRANT", "CMP-BOARD"])
    assert [f.split(":")[0] for f in found] == ["代码 PRE-GRANT", "键 kindergarten", "英文 None"]


def _pages(role: str, world) -> list[str]:
    urls = []
    for key, _pattern in url_patterns():
        if key.startswith("admin/") and key.endswith(("/delete/", "logout/")):
            continue  # a confirmation of what the change page already shows
        urls.append(concrete_url(key, world, role, "in"))
    return urls


@pytest.mark.parametrize("role", ["county", "township", "director", "auditor", "anonymous"])
def test_no_page_shows_codes_raw_keys_or_english_defaults(role):
    world = build_matrix_world()
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.user(role))
    codes = sorted(set(Policy.objects.values_list("code", flat=True)))
    problems: list[str] = []
    seen = 0
    for url in _pages(role, world):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        seen += 1
        problems += [
            f"{url} {found}" for found in leftovers(visible_text(response.content.decode()), codes)
        ]
    assert seen > (1 if role == "anonymous" else 20)
    assert not problems, "\n".join(problems)
