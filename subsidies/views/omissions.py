"""应助未助 (/aid/unaided/): qualifying students not aided this term, per school, with the reason.

For the roles that run the aid workflow (`aid_page`): township staff see their
township, the county administrator every township or one. IDs are masked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from aidsite.admin_pages import render_admin_page
from aidsite.lib.idcard import mask_id_number
from subsidies.forms.aid import AidScopeForm
from subsidies.selectors.omissions import unaided_by_school, unaided_students
from subsidies.views.aid import aid_page, page_context

PAGE_SIZE = 200


@aid_page(methods=("GET",))
def unaided(request: HttpRequest) -> HttpResponse:
    """应助未助: the cases of the term per school, the reasons counted, a page at a time."""
    form = AidScopeForm(request.GET, user=request.user)
    term, township = form.selection()
    context = page_context(form, "应助未助")
    if term is not None:
        rows = unaided_students(actor=request.user, term=term, township=township)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        reasons = Counter(r.reason.split("：", 1)[0] for r in rows)
        context.update(
            total=len(rows),
            reasons=sorted(reasons.items(), key=lambda item: -item[1]),
            schools=len({(r.township, r.school) for r in rows}),
            page=page,
            groups=unaided_by_school(
                replace(r, id_number=mask_id_number(r.id_number)) for r in page.object_list
            ),
        )
    return render_admin_page(request, "subsidies/aid/unaided.html", context)
