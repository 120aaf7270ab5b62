#!/usr/bin/env bash
# Install Debian's chromium (browser tests), docker-compose (compose file check), nginx-light
# (the compose proxy's config, run in a test), poppler-utils (pdftoppm, to check exported PDFs)
# gnumeric (ssconvert, to open CSV downloads in a real spreadsheet program), and what WeasyPrint
# lays the PDF chapter out with (Pango and its FreeType backend, and the DejaVu fonts it embeds)
# if missing.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v ssconvert >/dev/null 2>&1 || missing+=(gnumeric)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
has_library() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_library libpango-1.0.so.0 || missing+=(libpango-1.0-0)
has_library libpangoft2-1.0.so.0 || missing+=(libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing ${missing[*]}: install with 'sudo apt-get install ${missing[*]}'." >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
