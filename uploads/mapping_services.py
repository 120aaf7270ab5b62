"""An upload in the analyst's own layout: match its columns, then its values, then check it.

The upload is kept with status MAPPING while its columns (and, where a matched column holds a
fixed set of values, those values) are matched to the template's. The matching is stored in the
upload's options (so the import reads the file the same way as its check did) and remembered
as a ColumnMapping for the next file with the same columns. Nothing is imported until the
analyst confirms the checked upload, as for any other.
"""

import hashlib
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from needs.column_mapping import MappingSupport, Target, columns_guess, value_guess, value_known
from needs.models import Area, AreaLevel
from needs.plans import Check, Plan
from uploads.kinds import KINDS
from uploads.mapping_forms import ColumnsForm, ValuesForm, values_form_initial
from uploads.models import ColumnMapping, Upload, UploadStatus

MATCHABLE = (UploadStatus.MAPPING, UploadStatus.CHECKED, UploadStatus.REFUSED)
MAX_VALUES = 100  # distinct values asked about per column; more is not a fixed set
COLUMNS_CHECK = "Columns matched to the template"
COLUMNS_DIFFER = (
    "The file's columns are not the template's ({count} column(s) found): match them below, "
    "then the file is checked."
)


def mapping_support(upload: Upload) -> MappingSupport | None:
    kind = KINDS.get(upload.kind)
    return kind.mapping if kind else None


def mapping_area_code() -> str:
    """The whole area the tool is set up for (its county, else its first district), or ""."""
    for level in (AreaLevel.COUNTY, AreaLevel.LAD):
        code = Area.objects.filter(level=level).order_by("code").values_list("code", flat=True)
        if first := code.first():
            return first
    return ""


def columns_key(sources: list[str]) -> str:
    """A digest of the set of column names: the same columns in any order match."""
    return hashlib.sha256("\n".join(sorted(set(sources))).encode()).hexdigest()


def mapping_sources(*, kind: str, path: Path, name: str) -> list[str]:
    """The file's own columns if they are not the template's and it can be matched; [] if it is
    in the template's layout or cannot be read (the usual check then says why)."""
    support = KINDS[kind].mapping
    if support is None:
        return []
    header, errors = support.header(path, name)
    if errors or not header or support.matches_template(header):
        return []
    return header


def mapping_waiting_plan(*, kind: str, name: str, sources: list[str]) -> dict:
    """What the upload's page shows while its columns are being matched."""
    plan = Plan(kind=kind, name=name)
    plan.checks.append(Check(COLUMNS_CHECK, False, COLUMNS_DIFFER.format(count=len(sources))))
    return plan.as_dict()


def mapping_remembered(*, kind: str, sources: list[str]) -> ColumnMapping | None:
    return ColumnMapping.objects.filter(
        area_code=mapping_area_code(), kind=kind, columns_key=columns_key(sources)
    ).first()


def mapping_current(*, upload: Upload) -> dict:
    """The matching to offer: the upload's own, else the one remembered for these columns,
    else a guess. {"columns", "fixed", "values", "remembered": bool, "chosen": bool (the
    upload's own)}."""
    sources = upload.options.get("source_columns") or []
    chosen = upload.options.get("mapping")
    if chosen:
        return {**chosen, "remembered": bool(chosen.get("remembered")), "chosen": True}
    remembered = mapping_remembered(kind=upload.kind, sources=sources)
    if remembered is not None:
        return {
            "columns": {t: s for t, s in remembered.columns.items() if s in sources},
            "fixed": remembered.fixed,
            "values": remembered.values,
            "remembered": True,
            "chosen": False,
        }
    targets = mapping_support(upload).targets()
    guess = columns_guess(targets, sources)
    return {"columns": guess, "fixed": {}, "values": {}, "remembered": False, "chosen": False}


def value_questions(*, upload: Upload, columns: dict[str, str]) -> dict[str, list[str]]:
    """target → the values of its matched column that need matching to the template's set
    (those the importer would not read as they are), in the order first met."""
    support = mapping_support(upload)
    sources = upload.options.get("source_columns") or []
    asked = [target for target in support.targets() if target.choices and target.column in columns]
    found = support.values(
        Path(upload.file.path),
        upload.original_name,
        sources,
        [columns[target.column] for target in asked],
    )
    questions: dict[str, list[str]] = {}
    for target in asked:
        values = found.get(columns[target.column], [])[:MAX_VALUES]
        unknown = [value for value in values if not value_known(target, value)]
        if unknown:
            questions[target.column] = unknown
    return questions


def values_initial(
    *, targets: list[Target], questions: dict[str, list[str]], known: dict
) -> dict[str, dict[str, str]]:
    """The code each value is offered with: as matched before, else a guess."""
    by_column = {target.column: target for target in targets}
    return {
        column: {
            value: (known.get(column) or {}).get(value) or value_guess(by_column[column], value)
            for value in values
        }
        for column, values in questions.items()
    }


def mapping_columns_choose(
    *, upload: Upload, columns: dict[str, str], fixed: dict[str, str], user: AbstractBaseUser
) -> bool:
    """Keep the analyst's column matching. If a matched column holds values to match, the upload
    waits for them (returns False); otherwise it is checked now (returns True)."""
    current = mapping_current(upload=upload)
    questions = value_questions(upload=upload, columns=columns)
    mapping = {
        "source_columns": upload.options.get("source_columns") or [],
        "columns": columns,
        "fixed": fixed,
        "values": {c: v for c, v in (current.get("values") or {}).items() if c in questions},
        "questions": questions,
        "step": "values" if questions else "checked",
        "remembered": current["remembered"],
    }
    upload.options = {**upload.options, "mapping": mapping}
    if questions:
        _save(upload, status=UploadStatus.MAPPING, plan=upload.plan)
        return False
    _check(upload, user)
    return True


def mapping_values_choose(
    *, upload: Upload, values: dict[str, dict[str, str]], user: AbstractBaseUser
) -> None:
    """Keep the analyst's matching of values, remember the whole matching and check the file."""
    mapping = dict(upload.options["mapping"])
    mapping["values"] = values
    mapping["step"] = "checked"
    upload.options = {**upload.options, "mapping": mapping}
    _check(upload, user)


def _check(upload: Upload, user: AbstractBaseUser) -> None:
    from uploads.services import dataset_check, import_options  # it imports this module

    mapping = upload.options["mapping"]
    _remember(upload.kind, mapping, user)
    plan = dataset_check(
        kind=upload.kind,
        path=Path(upload.file.path),
        name=upload.original_name,
        options=import_options(upload.options),
        sha256=upload.sha256,
    )
    status = UploadStatus.CHECKED if plan.ok else UploadStatus.REFUSED
    _save(upload, status=status, plan=plan.as_dict())


def _remember(kind: str, mapping: dict, user: AbstractBaseUser) -> None:
    sources = mapping["source_columns"]
    ColumnMapping.objects.update_or_create(
        area_code=mapping_area_code(),
        kind=kind,
        columns_key=columns_key(sources),
        defaults={
            "source_columns": sources,
            "columns": mapping["columns"],
            "fixed": mapping["fixed"],
            "values": mapping["values"],
            "updated_by": user,
        },
    )


def _save(upload: Upload, *, status: str, plan: dict) -> None:
    """Store the step's outcome, unless the upload was confirmed meanwhile."""
    finished = timezone.now() if status == UploadStatus.REFUSED else None
    Upload.objects.filter(pk=upload.pk, status__in=MATCHABLE).update(
        options=upload.options, status=status, plan=plan, finished_at=finished, step=""
    )
    upload.refresh_from_db()


def mapping_open(upload: Upload) -> bool:
    """Whether the upload's columns can be matched (again): its kind takes its own layouts, it
    was uploaded in one, and it is not confirmed."""
    return (
        mapping_support(upload) is not None
        and bool(upload.options.get("source_columns"))
        and upload.status in MATCHABLE
    )


def mapping_context(
    upload: Upload,
    *,
    match: str = "",
    columns_form: ColumnsForm | None = None,
    values_form: ValuesForm | None = None,
) -> dict[str, object] | None:
    """What the upload's page shows of the matching: the step ("columns", "values" or "done":
    matched and checked) and its form, pre-filled. None for an upload in the template's layout."""
    if not mapping_open(upload):
        return None
    targets = mapping_support(upload).targets()
    sources = upload.options["source_columns"]
    current = mapping_current(upload=upload)
    chosen = upload.options.get("mapping") or {}
    if columns_form is not None or values_form is not None:
        step = "columns" if columns_form is not None else "values"
    elif upload.status == UploadStatus.MAPPING:
        step = "values" if chosen.get("step") == "values" and match != "columns" else "columns"
    else:
        step = "columns" if match == "columns" else "done"
    if step == "columns" and columns_form is None:
        initial = {f"column__{t}": s for t, s in current["columns"].items()}
        initial |= {f"fixed__{t}": v for t, v in (current.get("fixed") or {}).items()}
        columns_form = ColumnsForm(initial=initial, targets=targets, sources=sources)
    if step == "values" and values_form is None:
        questions = chosen["questions"]
        known = values_initial(targets=targets, questions=questions, known=current["values"])
        values_form = ValuesForm(
            initial=values_form_initial(known), targets=targets, questions=questions
        )
    return {
        "step": step,
        "sources": sources,
        "remembered": current["remembered"],
        "chosen": current["chosen"],
        "columns_form": columns_form,
        "values_form": values_form,
    }
