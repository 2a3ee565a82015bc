#!/usr/bin/env bash
# Renders a study report (report.html from `med42 study`) in headless Chromium and checks the
# screenshot: it must exist and be non-trivial (a blank or error page compresses to a few KB).
# Usage: tools/report-screenshot.sh [runs/study/report/report.html] [out.png]
# Needs Debian's chromium (apt-get install -y chromium); runs offline (the report is self-contained).
set -euo pipefail

html="${1:-runs/study/report/report.html}"
png="${2:-${html%.html}.png}"
min_bytes="${MIN_BYTES:-40000}"

[[ -f "$html" ]] || { echo "report-screenshot: $html not found (run: med42 study)" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[[ -n "$browser" ]] || { echo "report-screenshot: no chromium found (apt-get install -y chromium)" >&2; exit 2; }

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
# --virtual-time-budget lets the embedded images decode before the capture.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$profile" --virtual-time-budget=5000 \
  --window-size=1280,4000 --screenshot="$png" "$url" > "$profile/chromium.log" 2>&1 || {
  echo "report-screenshot: chromium failed:" >&2; tail -20 "$profile/chromium.log" >&2; exit 1; }

[[ -f "$png" ]] || { echo "report-screenshot: no screenshot written" >&2; tail -20 "$profile/chromium.log" >&2; exit 1; }
size=$(stat -c %s "$png")
if (( size < min_bytes )); then
  echo "report-screenshot: $png is only $size bytes (< $min_bytes): the page or its charts did not render" >&2
  exit 1
fi
# The report embeds four PNG charts; a page that rendered them has many distinct colours, so the
# screenshot is far larger than a text-only page. Report what was produced.
echo "report-screenshot: $png ($size bytes) from $url"
