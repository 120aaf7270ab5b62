"""Stored run maps made safe: site tooltips written as JavaScript template literals become JSON.

Maps stored before this release carry each service site's name and provider inside a template
literal (folium's `Tooltip`), where `${…}` runs and a back-tick ends the literal (blanking the
map). A stored map keeps that text after the service is corrected, so each one is rewritten here:
the same tooltip HTML, as a JSON string that no text can leave. Nothing else in a document
changes: its figures stay those of its run, which re-rendering from today's data would not keep.
Maps rendered by this release hold no such literal, so the rewrite finds nothing in them.

Self-contained on purpose (a migration must not change when the app's code does).
"""

import json
import re

from django.db import migrations

# folium 0.20's Tooltip: "X.bindTooltip(\n `<div>\n TEXT\n </div>`,". TEXT was HTML-escaped before
# folium saw it, so it holds no "<" whatever back-ticks or "${" it holds: the first "</div>`"
# after the opening is the literal's end.
TOOLTIP_LITERAL = re.compile(r"\.bindTooltip\(\s*`(?P<html><div[^<>]*>[^<]*</div>)`")
MARKER = "`<div"  # every document holding such a literal holds this
BATCH = 50


def script_string(text: str) -> str:
    """`text` as a JSON string that is also safe inside an HTML <script> element."""
    return (
        json.dumps(text)  # ASCII only: U+2028 and U+2029 leave as escapes too
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def made_safe(document: str) -> str:
    """The document with each tooltip template literal replaced by the same HTML as JSON."""
    return TOOLTIP_LITERAL.sub(lambda m: ".bindTooltip(" + script_string(m["html"]), document)


def rewrite_stored_maps(apps, schema_editor):
    RunMap = apps.get_model("gapanalysis", "RunMap")
    pks = list(RunMap.objects.filter(html__contains=MARKER).values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        changed = []
        for run_map in RunMap.objects.filter(pk__in=pks[start : start + BATCH]).only("html"):
            safe = made_safe(run_map.html)
            if safe != run_map.html:
                run_map.html = safe
                changed.append(run_map)
        RunMap.objects.bulk_update(changed, ["html"])


class Migration(migrations.Migration):
    dependencies = [
        ("gapanalysis", "0002_provision_map"),
    ]

    operations = [
        # No way back: the unsafe literals are not worth restoring.
        migrations.RunPython(rewrite_stored_maps, migrations.RunPython.noop),
    ]
