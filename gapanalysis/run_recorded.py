"""What a run records about the recorded-activity data when it is made: the rule that places GP
registers in small areas (recorded.comparisons.register_rule: registered patients' home LSOA
where the patients-by-LSOA file is loaded, else the practice's site) and the recorded files'
dataset versions, as the services' attribution rule and the other inputs are pinned."""

from needs.models import DatasetKind
from recorded.comparisons import register_rule

RECORDED_KINDS = (
    DatasetKind.QOF,
    DatasetKind.GP_PRACTICES,
    DatasetKind.PRACTICE_LSOA,
    DatasetKind.TALKING_THERAPIES,
    DatasetKind.INDICATORS,
)


def recorded_inputs(*, dataset_versions: list[dict]) -> dict:
    """`register_rule` (one sentence) and `recorded_datasets` (the pinned versions of the
    recorded kinds, as `needs.selectors.active_dataset_versions` lists them)."""
    return {
        "register_rule": register_rule(),
        "recorded_datasets": [item for item in dataset_versions if item["kind"] in RECORDED_KINDS],
    }
