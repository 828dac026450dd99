"""Group pages: the agent's groups with member counts, and one group's members."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from contacts import selectors, services
from contacts.forms import GroupForm
from contacts.views.common import add_service_errors, pool_user_required


@pool_user_required
def group_list(request: HttpRequest) -> HttpResponse:
    """The groups the user may see; POST creates one of the user's own."""
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(owner=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Group created."))
            return redirect("contacts:group-detail", pk=group.pk)
    groups = selectors.group_list(user=request.user).order_by("owner_id", "name", "id")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "contacts/group_list.html", {"groups": groups, "form": form}, status=status
    )


@pool_user_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(selectors.group_list(user=request.user), pk=pk)
    is_owner = group.owner_id == request.user.pk
    form = GroupForm(
        request.POST or None,
        initial={"name": group.name, "kind": group.kind, "description": group.description},
    )
    if request.method == "POST":
        if not is_owner:
            return HttpResponse(status=404)
        if request.POST.get("delete") == "yes":
            services.group_delete(group=group)
            messages.success(request, _("Group deleted; its contacts are kept."))
            return redirect("contacts:groups")
        if form.is_valid():
            try:
                services.group_update(group=group, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Group saved."))
                return redirect("contacts:group-detail", pk=group.pk)
    members = selectors.contact_list(user=request.user).filter(groups=group).order_by("name", "id")
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "contacts/group_detail.html",
        {"group": group, "page": page, "form": form, "is_owner": is_owner},
    )
