"""Sign-in throttling: five wrong passwords lock the account and the address, the right password
is then refused with the lockout page, and the lock clears after the cool-off or a reset."""

from datetime import timedelta

import pytest
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.utils import reset
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIMIT = 5
LOCKED = "Sign-in is locked for now"


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:
    """A fast hasher (autouse runs before the personas are made): the throttle, not PBKDF2, is
    under test, and these tests sign in dozens of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, username: str, password: str, address: str = "203.0.113.7", **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def fail(client, username: str, times: int, address: str = "203.0.113.7") -> None:
    """`times` wrong passwords: the form again with its error, and the lockout page at the limit."""
    for attempt in range(1, times + 1):
        response = sign_in(client, username, f"wrong-{attempt}", address)
        assert response.status_code == (429 if attempt == LIMIT else 200), attempt


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(client, analyst):
    fail(client, "ana", LIMIT)
    response = sign_in(client, "ana", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert LOCKED in body and "Try again in 15 minutes" in body
    assert 'class="nhsuk-header' in body  # the site's own layout, not a bare error
    assert "_auth_user_id" not in client.session


def test_the_account_stays_locked_from_another_address(client, analyst):
    fail(client, "ana", LIMIT, address="203.0.113.7")
    assert sign_in(client, "ana", PASSWORD, address="198.51.100.9").status_code == 429


def test_the_address_is_locked_for_every_account(client, analyst, commissioner):
    """Guessing across many usernames from one address is throttled too."""
    statuses = [sign_in(client, f"guess-{n}", "wrong").status_code for n in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]
    assert sign_in(client, "cam", PASSWORD).status_code == 429
    response = sign_in(client, "cam", PASSWORD, address="198.51.100.9")
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_four_wrong_passwords_do_not_lock_and_success_clears_them(client, analyst):
    fail(client, "ana", LIMIT - 1)
    assert sign_in(client, "ana", PASSWORD).status_code == 302
    client.logout()
    fail(client, "ana", LIMIT - 1)  # counted from zero again
    assert sign_in(client, "ana", PASSWORD).status_code == 302


def test_the_lock_clears_after_the_cool_off(client, analyst):
    fail(client, "ana", LIMIT)
    assert sign_in(client, "ana", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "ana", PASSWORD).status_code == 302


def test_an_administrator_can_clear_the_lock(client, analyst):
    fail(client, "ana", LIMIT)
    assert sign_in(client, "ana", PASSWORD).status_code == 429
    call_command("axes_reset_username", "ana")
    reset(ip="203.0.113.7")
    assert sign_in(client, "ana", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_is_ignored_without_a_trusted_proxy(client, analyst):
    """Without JSNA_TRUSTED_PROXY_COUNT, a client cannot dodge the address lock by inventing a
    new X-Forwarded-For on each attempt."""
    for n in range(LIMIT):
        sign_in(client, f"guess-{n}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert sign_in(client, "ana", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_the_address_nginx_saw_is_locked(client, analyst):
    """nginx sets X-Forwarded-For to the client's address; the proxy's own address (REMOTE_ADDR)
    is shared by everyone, so locking it would lock the whole site."""
    proxy = "172.18.0.5"
    for n in range(LIMIT):
        sign_in(client, f"guess-{n}", "wrong", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    locked = sign_in(client, "ana", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked.status_code == 429
    other = sign_in(client, "ana", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert other.status_code == 302


def test_an_overlong_username_is_recorded_cut_to_what_axes_stores(client):
    """Past the form (a client need not use it), a long username must not break the record of
    failures: axes stores at most 255 characters."""
    request = RequestFactory().post("/accounts/login/", {"username": "u" * 5000})
    assert get_client_username(request, {"username": "u" * 5000}) == "u" * 255
    assert get_client_username(request) == "u" * 255
