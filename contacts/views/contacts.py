"""Contact pages: list (search, filters, ordering, bulk actions), detail, edit, reveal, erase."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from contacts import selectors, selectors_list, services
from contacts.filters import ContactFilter
from contacts.forms import BulkAction, BulkForm, ContactForm, NotesForm
from contacts.models import Contact, Stage
from contacts.services.contacts import split_names
from contacts.views.common import add_service_errors, pool_user_required, safe_next

# Lazy: built at import, shown in each request's language.
SORT_LABELS = {
    "-warmth": gettext_lazy("Warmest first"),
    "-last_interaction": gettext_lazy("Latest interaction"),
    "name": gettext_lazy("Name"),
    "-created": gettext_lazy("Newest"),
    "created": gettext_lazy("Oldest"),
}

TIER_CHOICES = ContactFilter.base_filters["tier"].extra["choices"]


@pool_user_required
def contact_list(request: HttpRequest) -> HttpResponse:
    """The searchable, filterable list, a page at a time by cursor; POST runs a bulk action
    on the ticked contacts."""
    user = request.user
    if request.method == "POST":
        return _bulk(request)
    sort = request.GET.get("sort", "-created")
    if sort not in selectors.CONTACT_ORDERINGS:
        sort = "-created"
    visible = selectors_list.visible_contacts(user=user)
    queryset = visible
    filtered, filter_errors = False, None
    # Without a filter parameter the filter set would apply nothing: its form (a scoped
    # queryset per menu) is left unbuilt.
    if request.GET.keys() & ContactFilter.base_filters.keys():
        contact_filter = ContactFilter(request.GET, queryset=queryset, request=request)
        queryset = contact_filter.qs
        filtered, filter_errors = _is_filtered(contact_filter), contact_filter.errors
    page = selectors_list.contact_page(
        request,
        selectors_list.list_rows(queryset, now=timezone.now()),
        sort=sort,
        anchors=visible,
    )
    summary = selectors_list.source_summary(user=user)
    options = selectors_list.list_options(user=user)
    query_string = request.GET.copy()
    query_string.pop("cursor", None)
    return render(
        request,
        "contacts/contact_list.html",
        {
            "filter_errors": filter_errors,
            "page": page,
            # Unfiltered, the count is the source menu's (one read for both).
            "count": queryset.count() if filtered else summary.total,
            "kinds": options.kinds,
            "sort": sort,
            "query_string": query_string.urlencode(),
            "menus": _menus(options, summary.sources, user),
        },
    )


def _is_filtered(contact_filter: ContactFilter) -> bool:
    """Whether any filter narrows the list (the form's valid, non-empty values: what
    ``ContactFilter.qs`` applies)."""
    return contact_filter.is_bound and any(
        value not in EMPTY_VALUES for value in contact_filter.form.cleaned_data.values()
    )


def _menus(options: selectors_list.ListOptions, sources: list[str], user) -> dict[str, list]:
    """The filter menus' and the bulk form's choices, ``(value, label)``; the bulk form
    offers the user's own tags and groups among the visible ones the filters list."""
    return {
        "tag": [(tag.pk, tag.name) for tag in options.tags],
        "group": [(group.pk, group.name) for group in options.groups],
        "stage": Stage.choices,
        "tier": TIER_CHOICES,
        "source": sources,
        "persona": [(persona.pk, persona.nickname) for persona in options.personas],
        "sort": list(SORT_LABELS.items()),
        "bulk_action": BulkAction.CHOICES,
        "bulk_tag": [(tag.pk, tag.name) for tag in options.own(options.tags, user)],
        "bulk_group": [(group.pk, group.name) for group in options.own(options.groups, user)],
    }


def _bulk(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = BulkForm(request.POST, owner=user)
    back = safe_next(request, reverse("contacts:list"))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect(back)
    data = form.cleaned_data
    chosen = Contact.objects.visible_to(user).filter(pk__in=data["ids"])
    action = data["action"]
    if action == BulkAction.TAG:
        count = services.contacts_tag(
            owner=user, contacts=chosen, tag_names=split_names(data["tag_name"])
        )
    elif action == BulkAction.UNTAG:
        count = services.contacts_untag(owner=user, contacts=chosen, tags=[data["tag"]])
    elif action == BulkAction.MOVE:
        count = services.contacts_move_to_group(owner=user, contacts=chosen, group=data["group"])
    else:
        count = services.contacts_set_stage(owner=user, contacts=chosen, stage=data["stage"])
    updated = ngettext("%(count)s contact updated.", "%(count)s contacts updated.", count)
    messages.success(request, updated % {"count": count})
    return redirect(back)


@pool_user_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(selectors.contact_detail(user=request.user), pk=pk)
    is_owner = contact.owner_id == request.user.pk
    form = NotesForm(
        request.POST or None,
        initial={"notes": contact.notes, "next_follow_up": contact.next_follow_up},
    )
    if request.method == "POST":
        if not is_owner or contact.is_erased:
            return HttpResponse(status=404)
        if form.is_valid():
            services.contact_update(contact=contact, **form.cleaned_data)
            messages.success(request, _("Notes saved."))
            return redirect("contacts:detail", pk=contact.pk)
    return render(
        request,
        "contacts/contact_detail.html",
        {
            "contact": contact,
            "form": form,
            "is_owner": is_owner,
            "follow_up_due": contact.next_follow_up is not None
            and contact.next_follow_up <= timezone.localdate(),
        },
    )


def _contact_form_view(request: HttpRequest, contact: Contact | None) -> HttpResponse:
    user = request.user
    initial = {}
    if contact is not None:
        initial = {
            "name": contact.name,
            "remark": contact.remark,
            "wechat_id": contact.wechat_id,
            "persona": contact.persona_id,
            "source": contact.source,
            "city": contact.city,
            "stage": contact.stage,
            "tags": "、".join(tag.name for tag in contact.tags.all()),
            "groups": [group.pk for group in contact.groups.all()],
            "next_follow_up": contact.next_follow_up,
            "marketing_consent": contact.marketing_consent,
            "notes": contact.notes,
        }
    form = ContactForm(request.POST or None, initial=initial, owner=user, contact=contact)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tag_names = split_names(data.pop("tags"))
        groups = list(data.pop("groups"))
        try:
            if contact is None:
                contact = services.contact_create(
                    owner=user, tag_names=tag_names, groups=groups, **data
                )
            else:
                services.contact_update(contact=contact, tag_names=tag_names, groups=groups, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("contacts:detail", pk=contact.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "contacts/contact_form.html", {"form": form, "contact": contact}, status=status
    )


@pool_user_required
def contact_create(request: HttpRequest) -> HttpResponse:
    return _contact_form_view(request, None)


@pool_user_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).owned_by(request.user).active(), pk=pk
    )
    return _contact_form_view(request, contact)


@require_POST
@pool_user_required
def contact_phone_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full number, for the owner only; every reveal is in the audit log. ``as=input``
    (the edit form's button): the form's phone field holding it, to edit."""
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).owned_by(request.user).active(), pk=pk
    )
    phone = services.contact_phone_reveal(contact=contact, actor=request.user)
    if request.POST.get("as") == "input":
        field = ContactForm(initial={"phone": phone}, owner=request.user)["phone"]
        return render(request, "contacts/_phone_input.html", {"field": field})
    return render(request, "contacts/_phone.html", {"contact": contact, "phone": phone})


@pool_user_required
def contact_erase(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).owned_by(request.user).active(), pk=pk
    )
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm the erasure."))
            return redirect("contacts:erase", pk=contact.pk)
        services.contact_erase(
            contact=contact, actor=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("The contact's personal data has been erased."))
        return redirect("contacts:list")
    return render(request, "contacts/contact_erase.html", {"contact": contact})


@pool_user_required
def contact_export(request: HttpRequest) -> HttpResponse:
    """The user's own contacts matching the list's filters, as CSV or xlsx (audit-logged)."""
    fmt = request.GET.get("file_format", "csv")
    if fmt not in {"csv", "xlsx"}:
        return HttpResponse(_("Choose csv or xlsx."), status=400)
    contact_filter = ContactFilter(
        request.GET, queryset=selectors.contact_list(user=request.user), request=request
    )
    if not contact_filter.is_valid():
        return HttpResponse(str(contact_filter.errors), status=400)
    export = services.contacts_export(actor=request.user, contacts=contact_filter.qs, fmt=fmt)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
