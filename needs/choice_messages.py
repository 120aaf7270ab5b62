"""Choice fields' errors in plain words: the field and its choices named, never Django's "Select a
valid choice. … is not one of the available choices." (which names neither)."""

from django import forms
from django.utils.functional import lazy

LISTED_AT_MOST = 12  # longer lists are named by their first few and counted


def choices_in_words(labels: list[str]) -> str:
    """'A, B or C'; a long list as 'one of the 26 in the list, such as A, B or C'."""
    if not labels:
        return "one from the list"
    shown = labels[:3] if len(labels) > LISTED_AT_MOST else labels
    words = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
    if len(labels) > LISTED_AT_MOST:
        return f"one of the {len(labels)} in the list, such as {words}"
    return words


def _labels(field: forms.ChoiceField | forms.ModelChoiceField) -> list[str]:
    labels = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # a group of choices
            labels += [str(inner) for _, inner in label]
        elif str(value) != "":
            labels.append(str(label))
    return labels


def _message(field: forms.Field, name: str, noun: str | None) -> str:
    label = noun or str(field.label or name.replace("_", " ").capitalize())
    words = label if label[:2].isupper() else label[0].lower() + label[1:]
    text = f"Choose the {words} from the list: {choices_in_words(_labels(field))}."
    return text.replace("%", "%%")  # Django fills %(value)s into these messages


def name_the_choices(form: forms.BaseForm, *, nouns: dict[str, str] | None = None) -> None:
    """Give every choice field of `form` an error that names it and its choices (read only when
    an error is shown: a model field's choices come from the database). `nouns`: what a field
    chooses, where its label does not say it as a noun ("condition" for "Spend per … with")."""
    for name, field in form.fields.items():
        if not isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            continue
        message = lazy(_message, str)(field, name, (nouns or {}).get(name))
        for key in ("invalid_choice", "invalid_pk_value", "invalid_list"):
            if key in field.error_messages or key == "invalid_choice":
                field.error_messages[key] = message
