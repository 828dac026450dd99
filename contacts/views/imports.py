"""Import pages: upload, then a page that polls its progress (htmx) and shows the row report."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from contacts import selectors, services
from contacts.forms import ImportForm
from contacts.views.common import add_service_errors, pool_user_required


@pool_user_required
def import_create(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            contact_import = services.contact_import_start(
                owner=request.user,
                file=upload,
                filename=upload.name,
                on_duplicate=form.cleaned_data["on_duplicate"],
                persona=form.cleaned_data["persona"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("contacts:import-detail", pk=contact_import.pk)
    recent = selectors.import_list(user=request.user).owned_by(request.user)[:10]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "contacts/import_form.html", {"form": form, "recent": recent}, status=status
    )


@pool_user_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's progress and report. An htmx poll gets only the progress fragment."""
    contact_import = get_object_or_404(selectors.import_list(user=request.user), pk=pk)
    template = "contacts/_import_progress.html" if request.htmx else "contacts/import_detail.html"
    return render(request, template, {"imp": contact_import})
