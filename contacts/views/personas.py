"""Persona pages: the agent's personas with their checklist, and the edit page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import selectors, services
from contacts.forms import PersonaForm
from contacts.models import Persona
from contacts.views.common import add_service_errors, pool_user_required


@pool_user_required
def persona_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    personas = selectors.persona_list(user=request.user).order_by("owner_id", "nickname", "id")
    rows = [
        {
            "persona": persona,
            "score": persona.checklist_score(today),
            "nurturing": persona.is_nurturing(today),
        }
        for persona in personas
    ]
    return render(request, "contacts/persona_list.html", {"rows": rows})


def _persona_form_view(request: HttpRequest, persona: Persona | None) -> HttpResponse:
    initial = {}
    if persona is not None:
        initial = {
            "nickname": persona.nickname,
            "signature": persona.signature,
            "licence_number": persona.licence_number,
            "account_started": persona.account_started,
        }
    form = PersonaForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        avatar = data.pop("avatar") or None
        try:
            if persona is None:
                persona = services.persona_create(owner=request.user, avatar=avatar, **data)
            else:
                services.persona_update(persona=persona, avatar=avatar, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Persona saved."))
            return redirect("contacts:persona-edit", pk=persona.pk)
    today = timezone.localdate()
    context = {
        "form": form,
        "persona": persona,
        "checklist": persona.checklist(today) if persona else [],
        "score": persona.checklist_score(today) if persona else 0,
        "nurturing": persona.is_nurturing(today) if persona else True,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "contacts/persona_form.html", context, status=status)


@pool_user_required
def persona_create(request: HttpRequest) -> HttpResponse:
    return _persona_form_view(request, None)


@pool_user_required
def persona_edit(request: HttpRequest, pk: int) -> HttpResponse:
    persona = get_object_or_404(
        Persona.objects.visible_to(request.user).owned_by(request.user), pk=pk
    )
    return _persona_form_view(request, persona)
