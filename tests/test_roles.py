"""The three roles exist after migrate, each with the permissions its name suggests."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_analysts_load_data_and_start_runs():
    granted = perms("analyst")
    assert {
        "gapanalysis.add_analysisrun",
        "needs.add_populationestimate",
        "provision.change_service",
    } <= granted
    assert "gapanalysis.export_chapter" not in granted


def test_commissioners_only_read():
    granted = perms("commissioner")
    assert "gapanalysis.view_gapresult" in granted and "provision.view_service" in granted
    assert not any(p.split(".")[1].startswith(("add_", "change_", "delete_")) for p in granted)


def test_jsna_managers_read_and_export():
    granted = perms("jsna_manager")
    assert "gapanalysis.export_chapter" in granted
    assert "gapanalysis.add_analysisrun" not in granted
