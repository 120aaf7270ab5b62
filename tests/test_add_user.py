"""`manage.py add_user`: a user with roles, from the command line, written to the audit log."""

import io
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def add_user(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("add_user", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue()


@override_settings(DEBUG=False)  # for real use, not only on a developer's machine
def test_a_new_user_gets_the_roles_and_a_password_shown_once(client):
    out = add_user("asha", "--role", "commissioner", "--role", "jsna_manager")
    assert "Added asha with roles commissioner, jsna_manager." in out
    password = out.split("pass it on safely): ")[1].strip()
    user = get_user_model().objects.get(username="asha")
    assert sorted(user.groups.values_list("name", flat=True)) == ["commissioner", "jsna_manager"]
    assert user.check_password(password) and len(password) >= 16 and not user.is_staff
    # the roles work: a commissioner reads spending, a manager may export, neither uploads
    signed_in = client.post(reverse("login"), {"username": "asha", "password": password})
    assert signed_in.status_code == 302  # the sign-in page takes the password
    assert client.get(reverse("provision:financial_mapping")).status_code == 200
    assert client.get(reverse("uploads:new")).status_code == 403
    assert user.has_perm("gapanalysis.export_chapter")
    entry = AuditEntry.objects.get(model="auth.User", object_id=str(user.pk))
    assert entry.action == "created"
    assert entry.changes["roles"] == [None, "commissioner, jsna_manager"]


def test_a_password_can_be_read_from_standard_input_and_is_checked():
    out = add_user("ben", "--role", "analyst", "--password-stdin", stdin="river-lantern-42\n")
    assert "Password" not in out
    assert get_user_model().objects.get(username="ben").check_password("river-lantern-42")
    with pytest.raises(CommandError, match=r"too short|too common"):
        add_user("cara", "--role", "analyst", "--password-stdin", stdin="abc\n")
    assert not get_user_model().objects.filter(username="cara").exists()


def test_an_existing_user_is_changed_only_with_update():
    add_user("dev", "--role", "analyst")
    with pytest.raises(CommandError, match="already exists: add --update"):
        add_user("dev", "--role", "commissioner")
    user = get_user_model().objects.get(username="dev")
    before = user.password
    out = add_user("dev", "--role", "commissioner", "--update", "--staff")
    assert "Updated dev with roles commissioner." in out and "Password" not in out
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == ["commissioner"]
    assert user.password == before and user.is_staff  # the password is kept
    changed = AuditEntry.objects.filter(object_id=str(user.pk), action="changed").get()
    assert changed.changes["roles"] == ["analyst", "commissioner"]


def test_unknown_roles_and_bad_names_are_refused():
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        add_user("eve", "--role", "admin")
    with pytest.raises(CommandError, match="Enter a valid username"):
        add_user("eve smith<script>", "--role", "analyst")
    assert not get_user_model().objects.filter(username__startswith="eve").exists()
