"""The compliance engine: pure Python, no Django. Rules are data; see ``engine`` and ``normalize``.

The Django side builds :class:`Rule` values from ``ComplianceRule`` rows, compiles them once
into a :class:`Checker` and calls ``checker.check(text, CheckContext(...))``.
"""

from content.compliance.engine import (
    CheckContext,
    Checker,
    Finding,
    Rule,
    RuleError,
    default_checker,
)
from content.compliance.normalize import normalize
from content.compliance.starter_rules import STARTER_RULES

__all__ = [
    "STARTER_RULES",
    "CheckContext",
    "Checker",
    "Finding",
    "Rule",
    "RuleError",
    "default_checker",
    "normalize",
]
