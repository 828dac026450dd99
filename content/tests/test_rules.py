"""Compliance rules as data: seeded from the engine's starter set, editable, picked up live."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from content.compliance import STARTER_RULES
from content.compliance_rules import VERSION_KEY, compliance_checker
from content.models import ComplianceRule
from content.services import check_text

pytestmark = pytest.mark.django_db

TEXT = "全网最好的重疾险"


def codes(text, **context):
    return {f.code: f.severity for f in check_text(text=text, **context)}


def test_data_migration_seeds_every_starter_rule_unchanged():
    rows = {row.code: row.to_rule() for row in ComplianceRule.objects.all()}
    assert rows == {rule.code: rule for rule in STARTER_RULES}


def test_checker_is_reused_until_a_rule_changes():
    first = compliance_checker()
    assert compliance_checker() is first
    rule = ComplianceRule.objects.get(code="R05")
    rule.message = rule.message + "。"
    rule.save()
    assert compliance_checker() is not first


def test_changing_severity_in_the_database_changes_the_next_check():
    assert codes(TEXT, category="value")["R05"] == "warn"
    rule = ComplianceRule.objects.get(code="R05")
    rule.severity = "block"
    rule.save()
    assert codes(TEXT, category="value")["R05"] == "block"


def test_deactivated_rule_no_longer_finds_anything():
    assert "R01" in codes("稳赚不赔")
    rule = ComplianceRule.objects.get(code="R01")
    rule.active = False
    rule.save()
    assert "R01" not in codes("稳赚不赔")


def test_an_edit_made_by_another_process_is_seen_once_the_stamp_expires():
    compliance_checker()
    # Another process wrote the row (no signal here) and its cache entry lapsed.
    ComplianceRule.objects.filter(code="R05").update(severity="block", updated=timezone.now())
    cache.delete(VERSION_KEY)
    assert codes(TEXT, category="value")["R05"] == "block"


def test_new_phrase_added_in_the_admin_is_matched():
    rule = ComplianceRule.objects.get(code="R07")
    rule.phrases = rule.phrases + "\n送金条"
    rule.save()
    assert "R07" in codes("投保就送金条")


def test_engine_choice_lists_are_the_models_choices():
    # The engine keeps its own copies (it imports no Django); they must not drift apart.
    from content.compliance import engine
    from content.models import Category, ProductLine

    assert set(engine.CATEGORIES) == set(Category.values)
    assert set(engine.PRODUCT_LINES) == set(ProductLine.values)


def test_rule_form_offers_every_kind_the_engine_knows(client, site_admin):
    from django.urls import reverse

    from content.compliance.engine import KINDS

    client.force_login(site_admin)
    form = client.get(reverse("admin:content_compliancerule_add")).context["adminform"].form
    assert [value for value, _label in form.fields["kind"].choices] == list(KINDS)
