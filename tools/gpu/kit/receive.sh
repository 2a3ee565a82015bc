#!/usr/bin/env bash
# Device side of the GPU run kit: called once per device call with the kit folder that call carried
# (MANIFEST plus one or more chunks). Keeps every verified chunk under $MED42_KIT_HOME (default
# /tmp/med42-kit, which survives between calls while the machine stays warm); once all chunks are
# there, checks the archive's sha256 and unpacks it to $MED42_KIT_HOME/app. Idempotent.
# Usage: tools/gpu/kit/receive.sh KIT_FOLDER    → prints "kit: k/n parts" or "kit: ready <app folder>"
# Exit: 0 received (ready or not), 1 a chunk or the archive does not match MANIFEST.
set -euo pipefail
src="${1:?usage: receive.sh KIT_FOLDER}"
home="${MED42_KIT_HOME:-/tmp/med42-kit}"
manifest="$src/MANIFEST"
[ -f "$manifest" ] || { echo "receive.sh: $manifest not found" >&2; exit 1; }
mkdir -p "$home/parts"
# A different kit (another commit or flavour) replaces what is there.
if [ -f "$home/MANIFEST" ] && ! cmp -s "$manifest" "$home/MANIFEST"; then rm -rf "$home/parts" "$home/app" "$home/READY"; mkdir -p "$home/parts"; fi
cp "$manifest" "$home/MANIFEST"
expected() { awk -v f="$1" '$2 == f { print $1 }' "$home/MANIFEST"; }
for part in "$src"/kit.tar.xz.[0-9][0-9]; do
  [ -f "$part" ] || continue
  name=$(basename "$part")
  want=$(expected "$name")
  got=$(sha256sum "$part" | cut -d' ' -f1)
  [ -n "$want" ] && [ "$got" = "$want" ] || { echo "receive.sh: $part: sha256 $got does not match MANIFEST" >&2; exit 1; }
  cp "$part" "$home/parts/$name.tmp" && mv "$home/parts/$name.tmp" "$home/parts/$name"
done
total=$(awk '$1 == "parts" { print $2 }' "$home/MANIFEST")
have=$(ls "$home/parts" | grep -c '^kit\.tar\.xz\.[0-9][0-9]$' || true)
if [ -f "$home/READY" ]; then echo "kit: ready $home/app"; exit 0; fi
if [ "$have" -lt "$total" ]; then echo "kit: $have/$total parts"; exit 0; fi
got=$(cat "$home"/parts/kit.tar.xz.[0-9][0-9] | sha256sum | cut -d' ' -f1)
[ "$got" = "$(expected kit.tar.xz)" ] || { echo "receive.sh: reassembled archive sha256 $got does not match MANIFEST" >&2; exit 1; }
rm -rf "$home/app.tmp"; mkdir -p "$home/app.tmp"
cat "$home"/parts/kit.tar.xz.[0-9][0-9] | xz -d | tar -C "$home/app.tmp" -xf -
rm -rf "$home/app"; mv "$home/app.tmp" "$home/app"
touch "$home/READY"
echo "kit: ready $home/app"
