#!/usr/bin/env bash
# Builds the GPU run kit here (the GPU machine has no dotnet and no network): a self-contained linux-x64
# publish of med42 in the chosen ONNX Runtime flavour, packed as one tar.xz and split into chunks small
# enough for one device call each (a call carries at most 64 MiB of working tree).
#   out/MANIFEST          flavour, commit, chunk count, sha256 of the archive and of every chunk
#   out/kit.tar.xz.NN     the chunks (concatenated in name order they are the archive)
# Usage: tools/gpu/kit/pack.sh [--flavour cuda|cpu] [--chunk-mib 60] [--out artifacts/gpu-kit]
#                              [--native DIR]   (DIR: libmed42_native.so / libmed42_ort_ops.so built with CUDA)
#        MED42_KIT_PUBLISHED=DIR skips the publish and packs DIR (a publish made earlier by this script).
# The device side is receive.sh (append chunks, verify, unpack) and env.sh (CUDA 13 libraries): docs/cuda.md.
set -euo pipefail
cd "$(dirname "$0")/../../.."
flavour=cuda; chunk_mib=60; out=artifacts/gpu-kit; native=""
while [ $# -gt 0 ]; do
  case "$1" in
    --flavour) flavour="$2"; shift 2 ;;
    --chunk-mib) chunk_mib="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --native) native="$2"; shift 2 ;;
    *) echo "pack.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$flavour" in cuda|cpu) ;; *) echo "pack.sh: --flavour must be cuda or cpu, not '$flavour'" >&2; exit 2 ;; esac
# 60 MiB leaves 4 MiB of the 64 MiB a call may carry for the tracked working tree (~3 MiB today).
if ! [ "$chunk_mib" -ge 1 ] 2>/dev/null || [ "$chunk_mib" -gt 60 ]; then echo "pack.sh: --chunk-mib must be 1..60" >&2; exit 2; fi

tmp="$out.tmp-$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"; mkdir -p "$tmp"
publish="${MED42_KIT_PUBLISHED:-}"
if [ -z "$publish" ]; then
  publish="$tmp/publish"
  dotnet publish src/Med42.Ort.Cli -c Release -r linux-x64 --self-contained -p:OrtFlavour="$flavour" \
    -o "$publish" -nologo -v q >&2
fi
if [ -n "$native" ]; then
  for lib in libmed42_native.so libmed42_ort_ops.so; do
    [ -f "$native/$lib" ] && cp "$native/$lib" "$publish/$lib"
  done
fi
[ -x "$publish/med42" ] || { echo "pack.sh: $publish/med42 not found: the publish failed" >&2; exit 1; }

# A deterministic archive: sorted names, fixed owner and times, so the same publish packs to the same bytes.
# Left out, as not needed on the GPU machine: debug symbols and the TensorRT provider (no TensorRT there).
tar --exclude='*.pdb' --exclude=libonnxruntime_providers_tensorrt.so --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' -C "$publish" -cf - . \
  | xz -6 -T"$(nproc)" >"$tmp/kit.tar.xz"
(cd "$tmp" && split -b "${chunk_mib}M" -d -a 2 kit.tar.xz kit.tar.xz.)
parts=$(cd "$tmp" && ls kit.tar.xz.[0-9][0-9] | wc -l)
{
  echo "flavour $flavour"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "parts $parts"
  (cd "$tmp" && sha256sum kit.tar.xz kit.tar.xz.[0-9][0-9])
} >"$tmp/MANIFEST"
rm -f "$tmp/kit.tar.xz"
rm -rf "$tmp/publish"
# Replace the previous kit only once this one is complete.
rm -rf "$out"; mkdir -p "$(dirname "$out")"; mv "$tmp" "$out"
trap - EXIT
echo "kit: $out ($parts parts of at most $chunk_mib MiB, flavour $flavour)"
