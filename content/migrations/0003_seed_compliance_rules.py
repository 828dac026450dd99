"""Seed ComplianceRule rows from the engine's starter rule set (shared/COMPLIANCE.md).

Rows that already exist (by code) are left alone, so a reviewer's edits survive re-running.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from content.compliance import STARTER_RULES

    ComplianceRule = apps.get_model("content", "ComplianceRule")
    for rule in STARTER_RULES:
        ComplianceRule.objects.get_or_create(
            code=rule.code,
            defaults={
                "kind": rule.kind,
                "phrases": "\n".join(rule.phrases),
                "pattern": rule.pattern,
                "exceptions": "\n".join(rule.exceptions),
                "categories": list(rule.categories),
                "product_lines": list(rule.product_lines),
                "severity": rule.severity,
                "severity_in_ads": rule.severity_in_ads or "",
                "message": rule.message,
                "suggestion": rule.suggestion,
                "source": rule.source,
                "active": True,
            },
        )


def unseed(apps, schema_editor):
    from content.compliance import STARTER_RULES

    ComplianceRule = apps.get_model("content", "ComplianceRule")
    ComplianceRule.objects.filter(code__in=[rule.code for rule in STARTER_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("content", "0002_role_permissions")]

    operations = [migrations.RunPython(seed, unseed)]
