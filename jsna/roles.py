"""The three roles and what each may do, as Django groups with model permissions.

Analysts load data and start analyses; commissioners read maps and results; JSNA project managers
read results and export the chapter. Views check these permissions, never group names.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission

ANALYST = "analyst"
COMMISSIONER = "commissioner"
JSNA_MANAGER = "jsna_manager"
ROLE_NAMES = {  # as the pages name them
    ANALYST: "Analyst",
    COMMISSIONER: "Commissioner",
    JSNA_MANAGER: "JSNA project manager",
}

_DATA_MODELS = {
    "needs": [
        "area",
        "localityscheme",
        "locality",
        "localityarea",
        "populationestimate",
        "deprivation",
        "condition",
        "prevalencerate",
        "datasetversion",
    ],
    "provision": ["service", "servicefunding", "servicesite"],
    "gapanalysis": ["norm", "serviceturnover"],
    "uploads": ["upload"],
    "recorded": [
        "practice",
        "qofregister",
        "practicelsoapatients",
        "talkingtherapiesactivity",
        "indicatorvalue",
    ],
}
_RESULT_MODELS = {
    "gapanalysis": [
        "analysisrun",
        "gapresult",
        "runmap",
        "unmetneedstatement",
        "groupresult",
        "chapterexport",
        "chaptertemplate",
    ]
}


def _codenames(models: dict[str, list[str]], actions: tuple[str, ...]) -> set[tuple[str, str]]:
    return {
        (app_label, f"{action}_{model}")
        for app_label, names in models.items()
        for model in names
        for action in actions
    }


READ_ALL = _codenames(_DATA_MODELS, ("view",)) | _codenames(_RESULT_MODELS, ("view",))

ROLE_PERMISSIONS: dict[str, set[tuple[str, str]]] = {
    ANALYST: READ_ALL
    | _codenames(_DATA_MODELS, ("add", "change", "delete"))
    | {("audit", "view_auditentry")}
    | {("gapanalysis", "add_analysisrun")},
    COMMISSIONER: READ_ALL,
    JSNA_MANAGER: READ_ALL | {("gapanalysis", "export_chapter")},
}


def roles_sync() -> None:
    """Create the groups and give each exactly its permissions (safe to repeat)."""
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = [
            perm
            for perm in Permission.objects.select_related("content_type")
            if (perm.content_type.app_label, perm.codename) in wanted
        ]
        group.permissions.set(perms)


def roles_sync_after_migrate(**kwargs: Any) -> None:
    roles_sync()
