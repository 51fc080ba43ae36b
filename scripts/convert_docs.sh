#!/usr/bin/env bash
# Renders the demo's plan DOCX files and two coverage XLSX files, converts them to PDF with LibreOffice
# (headless) and each PDF page to PNG with pdftoppm, so the look of the office files can be checked
# again after a change: open OUT_DIR/*.png. Needs the demo data (manage.py load_demo).
#   scripts/convert_docs.sh [OUT_DIR]        (default ci-artifacts/documents)
# Packages (Debian): libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils
set -euo pipefail
cd "$(dirname "$0")/.."
OUT_DIR="${1:-ci-artifacts/documents}"
PY="${PY:-.venv/bin/python}"
[ -x "$PY" ] || PY=python
for tool in soffice pdftoppm; do
  command -v "$tool" >/dev/null || {
    echo "Thiếu $tool / $tool is missing: apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils" >&2
    exit 1
  }
done
mkdir -p "$OUT_DIR"
OUT_DIR="$OUT_DIR" "$PY" manage.py shell -c "exec(open('scripts/render_samples.py').read())"
# A profile of its own: a LibreOffice already running for the user would swallow the conversion.
PROFILE="$(mktemp -d)"
trap 'rm -rf "$PROFILE"' EXIT
soffice -env:UserInstallation="file://$PROFILE" --headless --convert-to pdf --outdir "$OUT_DIR" \
  "$OUT_DIR"/*.docx "$OUT_DIR"/*.xlsx >/dev/null
for pdf in "$OUT_DIR"/*.pdf; do
  pdftoppm -png -r 60 "$pdf" "${pdf%.pdf}"
done
ls "$OUT_DIR"/*.png
