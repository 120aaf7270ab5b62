"""Deprivation adjustment: need moves towards deprived areas, the total stays the same."""

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from needs import selectors
from needs.demography.deprivation import adjust, quintile_of_decile
from needs.models import Condition, RelativeRisk
from needs.prevalence.estimates import need_estimates


def test_deciles_pair_into_quintiles_and_unknown_stays_zero():
    assert quintile_of_decile(np.array([1, 2, 3, 9, 10, np.nan])).tolist() == [1, 1, 2, 5, 5, 0]


def test_risks_are_normalised_to_englands_quintile_mix_and_the_local_total_moves():
    estimates = np.array([[[100.0]], [[100.0]], [[100.0]]])  # 3 areas, 1 condition, 1 year
    quintiles = np.array([1, 5, 0])
    risks = np.array([[2.0, 1.5, 1.0, 0.8, 0.5]])
    adjusted = adjust(estimates, quintiles, risks)
    # England's average risk is (2 + 1.5 + 1 + 0.8 + 0.5) / 5 = 1.16: weights 2 / 1.16 for the
    # most deprived fifth, 0.5 / 1.16 for the least, 1 where the quintile is unknown. No
    # rescaling to the local total (300 before, 100 × (2.5 / 1.16 + 1) after).
    assert adjusted[:, 0, 0] == pytest.approx([100 * 2 / 1.16, 100 * 0.5 / 1.16, 100.0])
    assert adjusted.sum() == pytest.approx(100 * 2.5 / 1.16 + 100)


def test_an_area_with_englands_quintile_mix_keeps_the_national_total():
    estimates = np.full((5, 1, 1), 100.0)  # one small area in each fifth, like England
    adjusted = adjust(estimates, np.array([1, 2, 3, 4, 5]), np.array([[1.6, 1.3, 1.0, 0.9, 0.8]]))
    assert adjusted.sum() == pytest.approx(500.0)
    assert adjusted[0, 0, 0] == pytest.approx(100 * 1.6 / 1.12)


def test_a_condition_without_risks_is_left_as_it_was():
    estimates = np.array([[[10.0]], [[30.0]]])
    adjusted = adjust(estimates, np.array([1, 5]), np.full((1, 5), np.nan))
    assert adjusted[:, 0, 0] == pytest.approx([10.0, 30.0])


RISKS = """condition_code,imd_quintile,relative_risk,source,source_year,source_url
cmd,1,1.6,Hand-made test risks (not published),2024,
cmd,2,1.3,Hand-made test risks (not published),2024,
cmd,3,1.0,Hand-made test risks (not published),2024,
cmd,4,0.9,Hand-made test risks (not published),2024,
cmd,5,0.8,Hand-made test risks (not published),2024,
"""


@pytest.mark.django_db
def test_adjusted_estimates_follow_each_areas_quintile_and_say_so(tmp_path):
    path = tmp_path / "risks.csv"
    path.write_text(RISKS, encoding="utf-8")
    call_command("import_relative_risks", str(path))
    scheme = selectors.default_locality_scheme()
    cmd = [Condition.objects.get(code="cmd")]
    plain = need_estimates(year=None, scheme=scheme, conditions=cmd)
    adjusted = need_estimates(year=None, scheme=scheme, conditions=cmd, adjust_for_deprivation=True)
    assert "Adjusted for deprivation" in adjusted.deprivation_note
    assert "not held fixed" in adjusted.deprivation_note
    deciles = selectors.imd_deciles(codes=list(plain.small_areas["area_code"]))
    # Independently: each area × its quintile's risk ÷ England's average risk (1.12).
    weight = {1: 1.6, 2: 1.3, 3: 1.0, 4: 0.9, 5: 0.8}
    quintile = plain.small_areas["area_code"].map(deciles).map(lambda d: (int(d) + 1) // 2)
    expected = (plain.small_areas["expected_cases"] * quintile.map(weight) / 1.12).sum()
    assert adjusted.whole_area["expected_cases"].iloc[0] == pytest.approx(expected, rel=1e-9)
    merged = adjusted.small_areas.merge(
        plain.small_areas, on="area_code", suffixes=("_adj", "_plain")
    ).assign(decile=lambda f: f["area_code"].map(deciles))
    ratio = merged["expected_cases_adj"] / merged["expected_cases_plain"]
    assert ratio[merged["decile"] <= 2].mean() > ratio[merged["decile"] >= 9].mean()


@pytest.mark.django_db
def test_without_published_risks_the_adjustment_stays_off_and_says_so():
    scheme = selectors.default_locality_scheme()
    dementia = [Condition.objects.get(code="dementia")]
    plain = need_estimates(year=None, scheme=scheme, conditions=dementia)
    asked = need_estimates(
        year=None, scheme=scheme, conditions=dementia, adjust_for_deprivation=True
    )
    assert asked.deprivation_note.startswith("Not adjusted for deprivation: no published")
    assert "Data page" in asked.deprivation_note and "manage.py" not in asked.deprivation_note
    assert asked.whole_area["expected_cases"].iloc[0] == plain.whole_area["expected_cases"].iloc[0]


@pytest.mark.django_db
def test_an_incomplete_risk_file_is_refused_and_nothing_is_loaded(tmp_path):
    path = tmp_path / "risks.csv"
    path.write_text("\n".join(RISKS.splitlines()[:4]) + "\n", encoding="utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="refused; nothing was written"):
        call_command("import_relative_risks", str(path), stderr=stderr)
    assert "each IMD quintile 1 to 5" in stderr.getvalue()
    assert not RelativeRisk.objects.exists()


@pytest.mark.django_db
def test_risks_for_a_condition_not_in_the_catalogue_are_refused(tmp_path):
    path = tmp_path / "risks.csv"
    path.write_text(RISKS.replace("cmd,", "loneliness,"), encoding="utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_relative_risks", str(path), stderr=stderr)
    assert (
        "risks.csv: unknown condition 'loneliness': load its prevalence rates first."
        in stderr.getvalue()
    )
    assert not RelativeRisk.objects.exists()


@pytest.mark.django_db
def test_risks_can_be_uploaded_from_the_data_page(
    client, analyst, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from jsna.celery import app as celery_app
    from uploads.models import Upload

    # In this process even where Redis is configured (the worker tests cover the real worker).
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)

    client.force_login(analyst)
    response = client.post(
        reverse("uploads:new"),
        {
            "kind": "relative_risks",
            "file": SimpleUploadedFile("risks.csv", RISKS.encode()),
        },
    )
    upload = Upload.objects.get()
    assert response.status_code == 302 and upload.status == "checked", upload.plan["errors"]
    with django_capture_on_commit_callbacks(execute=True):  # the task, in-process
        client.post(reverse("uploads:confirm", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == "imported"
    assert RelativeRisk.objects.filter(condition__code="cmd").count() == 5


def test_an_unknown_decile_is_quintile_zero_whatever_marks_it():
    assert quintile_of_decile([None, np.nan, 0, 1, 2, 9, 10]).tolist() == [0, 0, 0, 1, 1, 5, 5]


def test_risks_without_an_england_average_weigh_one_quietly():
    """A condition with no published risks (NaN) and one whose risks average 0 over the shares
    (a zero share where its only risk is) both weigh 1, with no division warnings."""
    import warnings

    from needs.demography.deprivation import normalised_risks, weights

    risks = np.array([[np.nan] * 5, [0.0, 0.0, 0.0, 0.0, 2.0], [0.5, 1.0, 1.0, 1.0, 1.5]])
    shares = np.array([0.25, 0.25, 0.25, 0.25, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        normalised = normalised_risks(risks, shares)
        england = weights(np.array([1, 5, 0]), risks)
    assert np.isnan(normalised[0]).all()
    assert np.isinf(normalised[1, 4]) and np.isnan(normalised[1, 0])
    # The third row's England average is 0.875 over these shares: 0.5 / 0.875 in quintile 1.
    assert normalised[2, 0] == pytest.approx(0.5 / 0.875)
    # England's own shares (a fifth each): the second row averages 0.4 (0, …, 5 once
    # normalised), the third 1.0; an area in no quintile weighs 1.
    np.testing.assert_allclose(england, [[1.0, 0.0, 0.5], [1.0, 5.0, 1.5], [1.0, 1.0, 1.0]])
