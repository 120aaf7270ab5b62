"""Serving map documents: where their assets live, and the headers that keep them offline."""

import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.templatetags.static import static

from needs.maps import MapAssets

# Map documents run Leaflet from this site only; nothing else may load or be contacted. Folium's
# inline scripts run by a nonce made for each response (no 'unsafe-inline' for script); the
# sandbox gives the document an opaque origin, so even a script that got in could not reach the
# page that frames it, its cookies or this site's pages (no allow-same-origin).
MAP_CSP = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:{tiles}; object-src 'none'; frame-ancestors 'self'; base-uri 'none'; "
    "form-action 'none'; sandbox allow-scripts"
)
# The opening tag of every script element; the names a map shows never appear as one (they are
# HTML-escaped in markup and JSON-escaped in scripts: tests/test_hostile_map_text.py).
_SCRIPT_TAG = re.compile(r"<script\b", re.IGNORECASE)


def map_assets() -> MapAssets:
    return MapAssets(
        scripts=(
            ("leaflet", static("vendor/leaflet/leaflet.js")),
            ("jsna_map_layout", static("js/map-layout.js")),  # legend and fit: after Leaflet
        ),
        stylesheets=(
            ("leaflet_css", static("vendor/leaflet/leaflet.css")),
            ("jsna_css", static("css/jsna.css")),
        ),
        tiles_url=settings.MAP_TILES_URL,
        tiles_attribution=settings.MAP_TILES_ATTRIBUTION,
        cluster_scripts=(
            ("markerclusterjs", static("vendor/leaflet.markercluster/leaflet.markercluster.js")),
            ("jsna_map_clusters", static("js/map-clusters.js")),  # after markercluster
        ),
        cluster_stylesheets=(
            ("markerclustercss", static("vendor/leaflet.markercluster/MarkerCluster.css")),
            (
                "markerclusterdefaultcss",
                static("vendor/leaflet.markercluster/MarkerCluster.Default.css"),
            ),
        ),
    )


def map_response(html: str) -> HttpResponse:
    """The map document, frameable by this site only, sandboxed, under a policy that loads
    nothing else and runs only its own scripts (marked with this response's nonce)."""
    nonce = secrets.token_urlsafe(18)
    html = _SCRIPT_TAG.sub(f'<script nonce="{nonce}"', html)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = MAP_CSP.format(nonce=nonce, tiles=_tiles_source())
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _tiles_source() -> str:
    """The optional tile server's origin, allowed as an image source ('' when tiles are off)."""
    if not settings.MAP_TILES_URL:
        return ""
    url = urlsplit(settings.MAP_TILES_URL)
    return f" {url.scheme}://{url.netloc.replace('{s}.', '*.')}"
