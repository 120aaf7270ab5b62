"""The "Outcomes and recorded activity" page on the real county: every role that sees need pages
gets it with the Worcestershire figures, the others are refused, names from uploads are escaped,
and the markup obeys the site's Content-Security-Policy (inline SVG, no script or style)."""

import datetime
import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.urls import reverse

from gapanalysis.chapter_compare import compare_section
from needs.models import Area, Locality
from needs.selectors import default_locality_scheme
from recorded.models import ENGLAND_CODE, TalkingTherapiesActivity

ROLES = ("analyst", "commissioner", "jsna_manager")


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """The visible text: tags dropped, SVG titles and descriptions kept."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def users(worcestershire, analyst, commissioner, jsna_manager, outsider):
    return {
        "analyst": analyst,
        "commissioner": commissioner,
        "jsna_manager": jsna_manager,
        "outsider": outsider,
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_that_sees_need_gets_the_county_figures(client, users, role):
    html = page(client, users[role], reverse("recorded:outcomes"))
    text = text_of(html)
    # Dementia diagnosis rate per district, with its interval, against two in three.
    for district in ("Bromsgrove", "Malvern Hills", "Redditch", "Worcester", "Wychavon",
                     "Wyre Forest"):  # fmt: skip
        assert f"In {district} an estimated" in text
    assert "Against the ambition of 67%" in text
    assert "Worcester 782 1,128 69% 67% to 72% In line with the ambition" in text
    assert "Wychavon 936 2,155 43% 41% to 46% Below the ambition" in text
    assert "In the whole area an estimated 8,850 people aged 65 and over have dementia" in text
    assert "4,942 are on GP dementia registers (56%, 95% CI 55% to 57%)" in text
    assert "GP registers placed by practice site's LSOA" in text
    assert "QOF dementia registers count people of all ages" in text
    # Talking Therapies against the three standards, in words and as a token for colour.
    for title in ("Recovery", "Started treatment within 6 weeks",
                  "Started treatment within 18 weeks"):  # fmt: skip
        assert f">{title}<" in html
    assert "May 2023" in text  # the latest month
    assert "Sub-ICB location E38000236" in text
    assert (
        "53% of people finishing a course of treatment move to recovery (95% CI 48% to 57%): "
        "the figure is at or above the standard of 50%, but the interval includes it"
    ) in text
    assert "74% of people start treatment within 6 weeks of referral (95% CI 70% to 78%)" in text
    assert "Access: 780 people entered treatment in May 2023" in text
    assert "England's figures are not loaded, so there is no comparison with England" in text
    # Health Index: the mental health score per district against England 2015 = 100.
    assert "England 2015 = 100" in text
    assert text.count("England's 2015 level of 100") == 6
    assert "Redditch scored 86.7 in 2021, below England's 2015 level of 100 (worse)" in text
    assert "Bromsgrove scored 105.7 in 2021, above England's 2015 level of 100" in text
    for indicator in ("Suicides", "Self-harm", "Mental health conditions"):
        assert f"<h3>{indicator}</h3>" in html
    # scores, indicators × districts, Talking Therapies (three standards and access), expected
    # people by population year (dementia, depressive episode, psychosis: mid-2019 and mid-2020)
    assert html.count('class="trend-chart"') == 6 + 18 + 4 + 3
    assert 'href="/outcomes/"' in html  # the nav link


def test_the_page_obeys_the_content_security_policy(client, users):
    html = page(client, users["commissioner"], reverse("recorded:outcomes"))
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text_of(html.split("<main", 1)[1]))  # plain names


def test_a_locality_page_shows_its_own_figures_and_the_whole_area(client, users):
    html = page(client, users["analyst"], reverse("recorded:outcomes_locality", args=["E07000237"]))
    text = text_of(html)
    assert "Outcomes and recorded activity: Worcester" in text
    assert "In Worcester an estimated" in text and "In the whole area an estimated" in text
    assert "In Wychavon an estimated" not in text
    assert text.count("England's 2015 level of 100") == 1  # Worcester's own score only


def test_others_are_refused_and_an_unknown_locality_is_not_found(client, users):
    client.force_login(users["outsider"])
    assert client.get(reverse("recorded:outcomes")).status_code == 403
    client.force_login(users["analyst"])
    url = reverse("recorded:outcomes_locality", args=["E99999999"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(reverse("recorded:outcomes")).status_code == 302


def test_hostile_names_are_escaped(client, users):
    hostile = '<img src=x onerror="alert(1)">'
    scheme = default_locality_scheme()
    Locality.objects.filter(scheme=scheme, code="E07000237").update(name=hostile)
    Area.objects.filter(code="E07000237").update(name=hostile)  # the Health Index's district
    html = page(client, users["jsna_manager"], reverse("recorded:outcomes"))
    assert hostile not in html and "<img" not in html
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert html.count(escaped) >= 3  # the register table, its statement, the Health Index
    assert "<title id=" in html and f"{escaped} (ONS Health Index indicator)</title>" in html


def test_talking_therapies_against_england_when_englands_figures_are_loaded(client, users):
    """England's May 2023 figures (here: recovery 50%, 90% within 6 weeks): the county's 53%
    recovery (95% CI 48% to 57%) is similar; its 74% within 6 weeks (70% to 78%) is worse."""
    for measure, published, value in (
        ("recovery_rate", "Percentage_Recovery", 50),
        ("waited_6_weeks", "Percentage_AccessingServices6WeeksFinishedCourseTreatment", 90),
    ):
        TalkingTherapiesActivity.objects.create(
            area_code=ENGLAND_CODE, area_name="England", is_england=True,
            month=datetime.date(2023, 5, 1), measure=measure, label=measure,
            published_name=published, unit="percent", value=value,
        )  # fmt: skip
    text = text_of(page(client, users["commissioner"], reverse("recorded:outcomes")))
    assert "England's figures are not loaded" not in text
    assert "Similar to England: the value for England is within the 95% interval" in text
    assert (
        "Worse than England: the value for England is outside both the 95% and 99.8% intervals"
    ) in text
    assert "England's figure is not loaded." in text  # 18 weeks: no England row that month


def test_the_chapter_section_how_we_compare_carries_the_same_figures(users):
    run = SimpleNamespace(  # all the section reads
        locality_scheme=default_locality_scheme(), year=2020, pk=1, inputs={}
    )
    section = compare_section(run)
    assert section.title == "How we compare"
    dementia = next(t for t in section.tables if t.caption == "Dementia diagnosis rate")
    assert dementia.columns[-1] == "Against the ambition of 67%"
    assert ["Worcester", "782", "1,128", "69%", "67% to 72%", "In line with the ambition"] in (
        dementia.rows
    )
    assert dementia.rows[-1][:4] == ["Whole area", "4,942", "8,835", "56%"]
    scores = next(t for t in section.tables if t.caption.startswith("ONS Health Index"))
    assert [row[:3] for row in scores.rows][2] == ["Redditch", "2021", "86.7"]
    talking = next(t for t in section.tables if "Talking Therapies" in t.caption)
    assert [row[0] for row in talking.rows] == [
        "Recovery", "Started treatment within 6 weeks", "Started treatment within 18 weeks",
    ]  # fmt: skip
    text = " ".join(section.paragraphs + section.bullets)
    assert "GP registers placed by practice site's LSOA" in text
    assert "Suicides: Redditch rose from 12.0 in 2015 to 15.0 in 2021" in text
    assert "qof_prevalence_2019_20_practice_long.csv (dataset version" in text
