"""Deprivation adjustment: need moves towards deprived areas, the total stays the same."""

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from needs import selectors
from needs.demography.deprivation import adjust, quintile_of_decile
from needs.models import Condition, RelativeRisk
from needs.prevalence.estimates import NeedUnavailable, need_estimates


def test_deciles_pair_into_quintiles_and_unknown_stays_zero():
    assert quintile_of_decile(np.array([1, 2, 3, 9, 10, np.nan])).tolist() == [1, 1, 2, 5, 5, 0]


def test_adjustment_reweights_by_quintile_and_keeps_the_total():
    estimates = np.array([[[100.0]], [[100.0]], [[100.0]]])  # 3 areas, 1 condition, 1 year
    quintiles = np.array([1, 5, 0])
    risks = np.array([[2.0, 1.5, 1.0, 0.8, 0.5]])
    adjusted = adjust(estimates, quintiles, risks)
    # Weights 2.0, 0.5 and 1 (unknown) → 200, 50, 100 before scaling by 300 / 350.
    assert adjusted[:, 0, 0] == pytest.approx([200 * 300 / 350, 50 * 300 / 350, 100 * 300 / 350])
    assert adjusted.sum() == pytest.approx(300.0)


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
def test_adjusted_estimates_keep_the_whole_area_and_say_so(tmp_path):
    path = tmp_path / "risks.csv"
    path.write_text(RISKS, encoding="utf-8")
    call_command("import_relative_risks", str(path))
    scheme = selectors.default_locality_scheme()
    cmd = [Condition.objects.get(code="cmd")]
    plain = need_estimates(year=None, scheme=scheme, conditions=cmd)
    adjusted = need_estimates(year=None, scheme=scheme, conditions=cmd, adjust_for_deprivation=True)
    assert adjusted.whole_area["expected_cases"].iloc[0] == pytest.approx(
        plain.whole_area["expected_cases"].iloc[0]
    )
    assert "Adjusted for deprivation" in adjusted.deprivation_note
    deciles = selectors.imd_deciles(codes=list(plain.small_areas["area_code"]))
    merged = adjusted.small_areas.merge(
        plain.small_areas, on="area_code", suffixes=("_adj", "_plain")
    ).assign(decile=lambda f: f["area_code"].map(deciles))
    ratio = merged["expected_cases_adj"] / merged["expected_cases_plain"]
    assert ratio[merged["decile"] <= 2].mean() > ratio[merged["decile"] >= 9].mean()


@pytest.mark.django_db
def test_asking_for_the_adjustment_without_risks_is_refused_plainly():
    scheme = selectors.default_locality_scheme()
    with pytest.raises(NeedUnavailable, match="No relative risks by deprivation"):
        need_estimates(
            year=None,
            scheme=scheme,
            conditions=[Condition.objects.get(code="dementia")],
            adjust_for_deprivation=True,
        )


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

    from uploads.models import Upload
    from uploads.tasks import import_upload

    # In this process even where Redis is configured (the worker tests cover the real worker).
    monkeypatch.setattr(import_upload, "delay", lambda pk: import_upload.apply(args=(pk,)))

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
