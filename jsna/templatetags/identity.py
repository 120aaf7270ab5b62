"""Whose site this is: the tool's name, the organisation running it, and whether that
organisation is an NHS body (only then does the header carry the NHS logo).

Built into every template (settings.TEMPLATES "builtins"), so page titles and the header need
no `{% load %}`, and pages rendered without a request (the 503 page) show the same names.
Simple tags escape what they return, so a name with markup is shown as text.
"""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def site_name() -> str:
    """{% site_name %} → the tool's name (SITE_NAME)."""
    return settings.SITE_NAME


@register.simple_tag
def organisation_name() -> str:
    """{% organisation_name %} → the organisation running the site (ORGANISATION_NAME), or ""."""
    return settings.ORGANISATION_NAME


@register.simple_tag
def nhs_organisation() -> bool:
    """{% nhs_organisation as is_nhs %}: whether the deployment says it is an NHS body."""
    return settings.NHS_ORGANISATION
