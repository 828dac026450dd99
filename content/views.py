"""Pages for agents: browse the library, look at an item, check a draft."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from content.forms import DraftCheckForm, LibraryFilterForm
from content.highlight import highlight
from content.selectors import content_items_for, content_search, tags_in_use
from content.services import check_text

PAGE_SIZE = 20


@login_required
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None, tags=tags_in_use(request.user))
    items = content_items_for(request.user).order_by("-updated", "-pk")
    if form.is_valid():
        items = content_search(items, **form.cleaned_data)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "content/library.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(content_items_for(request.user), pk=pk)
    return render(request, "content/item_detail.html", {"item": item})


@login_required
@require_http_methods(["GET", "POST"])
def check_draft(request: HttpRequest) -> HttpResponse:
    """The "check my draft" box; an htmx post gets only the result fragment back."""
    form = DraftCheckForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        findings = check_text(
            text=text,
            category=form.cleaned_data["category"],
            product_line=form.cleaned_data["product_line"],
        )
        result = {
            "findings": findings,
            "marked": highlight(text, findings),
            "has_block": any(f.severity == "block" for f in findings),
        }
    context = {"form": form, "result": result}
    if request.htmx:
        return render(request, "content/_check_result.html", context)
    return render(request, "content/check.html", context)
