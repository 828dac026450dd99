"""How an import's report words a row it could not read, as the agent reads it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from contacts.tests.test_import import csv_bytes, run_import
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_stage_is_quoted_so_the_reason_does_not_repeat_itself(client):
    """The value the file gave stands apart from the words around it: "无法识别的阶段
    “不存在的阶段”", never "未知阶段 不存在的阶段", which reads as if it said the same twice."""
    agent = AgentFactory()
    header = ["姓名", "阶段"]
    done = run_import(agent, csv_bytes([["王先生", "不存在的阶段"]], header=header), "a.csv")
    client.force_login(agent)
    page = client.get(reverse("contacts:import-detail", args=[done.pk]))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))
    assert "无法识别的阶段“不存在的阶段”。" in text
    assert "未知阶段" not in text
