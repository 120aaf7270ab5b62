"""Recording changes. Called by the services that make them, inside their transaction."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from audit.models import AuditEntry


def audit_record(
    *,
    user: AbstractBaseUser | None,
    action: str,
    instance: models.Model,
    changes: dict[str, list] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes or {},
    )


def changes_between(before: dict[str, object], after: dict[str, object]) -> dict[str, list]:
    """field → [before, after] for the fields whose values differ (as text, for JSON)."""
    return {
        field: [_text(before.get(field)), _text(value)]
        for field, value in after.items()
        if _text(before.get(field)) != _text(value)
    }


def _text(value: object) -> object:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)
