"""Template filters for figures, so pages round exactly as statements, tables and exports do."""

from django import template

from needs import rounding

register = template.Library()


@register.filter
def people(value: object) -> str:
    """{{ row.expected_cases|people }} → "2,200" (the one rounding rule, `needs.rounding`)."""
    return rounding.people(value)


@register.filter
def per_1000(value: object) -> str:
    return rounding.per_1000(value)


@register.filter
def share(value: object) -> str:
    return rounding.share(value)


@register.filter
def pounds(value: object) -> str:
    """{{ total|pounds }} → "£1,234": whole pounds, as every page and the chapter show money."""
    return rounding.pounds(value)


@register.filter
def at(items: list, index: int) -> object:
    """{{ headings|at:forloop.counter0 }}: the item at `index` of a list ("" past its end), so
    a cell in a loop can be labelled with its column's heading."""
    return items[index] if 0 <= index < len(items) else ""


@register.filter
def interval(row: object) -> str:
    """A row's 95% interval of people, "1,900 to 2,500", or "not published"."""
    lower = (
        getattr(row, "expected_lower", None)
        if not isinstance(row, dict)
        else row.get("expected_lower")
    )
    upper = (
        getattr(row, "expected_upper", None)
        if not isinstance(row, dict)
        else row.get("expected_upper")
    )
    text = rounding.between(lower, upper)
    return text.removeprefix("between about ").replace(" and ", " to ") if text else "not published"


@register.filter
def in_sentence(name: object) -> str:
    """A name as it reads inside a sentence: "Common mental disorder" → "common mental disorder",
    while acronyms keep their capitals ("CMD symptoms (CIS-R score 12 or more)" stays)."""
    return " ".join(
        word if sum(ch.isupper() for ch in word) > 1 else word.lower() for word in str(name).split()
    )
