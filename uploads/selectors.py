from needs.models import Condition
from provision.imports import service_choices


def services_template_choices() -> dict[str, object]:
    """What the services template lists as allowed values."""
    return {
        "choices": service_choices(),
        "conditions": dict(Condition.objects.values_list("code", "name")),
    }
