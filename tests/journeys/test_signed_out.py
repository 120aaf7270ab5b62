"""A visitor who is not signed in sees only the sign-in page, which passes axe."""

import pytest

from tests.journeys.conftest import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/maps/", "/uploads/new/", "/need/"])
def test_signed_out(journey: Journey, path):
    journey.page.goto(f"{journey.base}{path}")
    assert "/accounts/login/" in journey.page.url and f"next={path}" in journey.page.url
    assert journey.page.get_by_label("Username").is_visible()
    journey.axe("sign-in")
