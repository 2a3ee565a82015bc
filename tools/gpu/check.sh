#!/usr/bin/env bash
# GPU machine check for the native kernels (bare CUDA box: nvcc, CMake, PyTorch; no .NET, no network).
# Builds native/ for sm_90 with CUDA, runs every CUDA-vs-CPU-reference parity test (ctest -L cuda)
# plus the CPU suite, runs native/bench and the PyTorch eager composites, and writes
# report.md + bench.csv + logs into the output folder.
# Usage: tools/gpu/check.sh [output-folder]   (default: $OUT, else ./gpu-check)
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${1:-${OUT:-gpu-check}}"
mkdir -p "$out"
build="${MED42_GPU_BUILD:-build-native-gpu}"
arch="${MED42_CUDA_ARCH:-90}"
tokens="${MED42_BENCH_TOKENS:-4096 8192 16384}"
log() { echo "[check] $*" | tee -a "$out/check.log"; }

# GoogleTest: an installed one (GTEST_ROOT), or a source tree (GTEST_SOURCE_DIR, e.g. a copy of Debian's
# /usr/src/googletest carried to the GPU box) built and installed next to the build folder first.
if [ -z "${GTEST_ROOT:-}" ] && [ -n "${GTEST_SOURCE_DIR:-}" ]; then
  log "build GoogleTest from $GTEST_SOURCE_DIR"
  if cmake -S "$GTEST_SOURCE_DIR" -B "$build-gtest" -DCMAKE_BUILD_TYPE=Release -DBUILD_GMOCK=OFF \
       -DCMAKE_INSTALL_PREFIX="$build-gtest/prefix" >"$out/gtest.log" 2>&1 \
     && cmake --build "$build-gtest" -j "$(nproc)" --target install >>"$out/gtest.log" 2>&1; then
    GTEST_ROOT="$build-gtest/prefix"
  else log "GoogleTest build FAILED (see gtest.log)"; fi
fi
gtest_args=()
if [ -n "${GTEST_ROOT:-}" ]; then gtest_args+=(-DGTest_ROOT="$(cd "$GTEST_ROOT" && pwd)"); fi
# ONNX Runtime C API headers (a copy of the NuGet package's build/native/include): with them the build also
# compiles libmed42_ort_ops with its CUDA-EP kernels (MED42_ORT_CUDA) against this machine's CUDA.
if [ -n "${ORT_INCLUDE_DIR:-}" ]; then gtest_args+=(-DORT_INCLUDE_DIR="$ORT_INCLUDE_DIR"); fi
log "configure (sm_$arch, MED42_CUDA=ON)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMED42_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" \
  "${gtest_args[@]}" >"$out/configure.log" 2>&1 || { log "configure FAILED (see configure.log)"; exit 1; }
log "build"
cmake --build "$build" -j "$(nproc)" >"$out/build.log" 2>&1 || { log "build FAILED (see build.log)"; tail -30 "$out/build.log"; exit 1; }
if [ -f "$build/native/libmed42_ort_ops.so" ]; then log "custom ops (CPU + CUDA EP) built: $build/native/libmed42_ort_ops.so"
else log "custom ops not built (set ORT_INCLUDE_DIR to the ONNX Runtime headers to compile the CUDA-EP variants)"; fi

parity=skipped
if grep -q "GoogleTest not found" "$out/configure.log"; then
  log "GoogleTest not installed: parity tests not built (set GTEST_ROOT)"
else
  log "ctest -L cuda (parity) and -L cpu"
  if (cd "$build" && ctest -L cuda --output-on-failure) >"$out/ctest-cuda.log" 2>&1; then parity=passed; else parity=FAILED; fi
  # The parity tests skip themselves without a CUDA device; ctest counts a skip as a pass.
  skipped=$(grep -c "(Skipped)" "$out/ctest-cuda.log" || true)
  if [ "$parity" = passed ] && [ "${skipped:-0}" -gt 0 ]; then parity="passed, $skipped SKIPPED (no CUDA device?)"; fi
  (cd "$build" && ctest -L cpu) >"$out/ctest-cpu.log" 2>&1 && cpu=passed || cpu=FAILED
  log "parity: $parity, cpu: ${cpu:-?}"
  # Out-of-bounds or misaligned accesses can pass a parity test by luck; memcheck catches them.
  if command -v compute-sanitizer >/dev/null && [ -x "$build/native/tests/med42_cuda_tests" ]; then
    if compute-sanitizer --tool memcheck --error-exitcode 3 "$build/native/tests/med42_cuda_tests" \
         >"$out/memcheck.log" 2>&1; then memcheck=clean; else memcheck=FAILED; fi
    log "compute-sanitizer memcheck: $memcheck"
  fi
fi

log "bench (tokens: $tokens)"
"$build/native/bench/bench_kernels" $tokens >"$out/bench-native.csv" 2>"$out/bench-native.err" || log "bench FAILED"
if python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  python3 tools/gpu/eager_bench.py $tokens >"$out/bench-eager.csv" 2>"$out/bench-eager.err" || log "eager bench FAILED"
else
  log "PyTorch with CUDA not available: no eager comparison"; : >"$out/bench-eager.csv"
fi

python3 - "$out" "$parity" "${memcheck:-not run}" <<'PY'
import csv, datetime, os, subprocess, sys
out, parity, memcheck = sys.argv[1], sys.argv[2], sys.argv[3]
native = list(csv.DictReader(open(os.path.join(out, "bench-native.csv")))) if os.path.getsize(os.path.join(out, "bench-native.csv")) else []
eager = {}
if os.path.getsize(os.path.join(out, "bench-eager.csv")):
    for r in csv.DictReader(open(os.path.join(out, "bench-eager.csv"))):
        eager[(r["kernel"], r["dtype"], r["shape"])] = float(r["p50_us"])
targets = {"rms_norm_fwd": 85, "dequant_int4_b32": 85, "rms_norm_bwd": 70, "rope_fwd_cache": 80}
def sh(*a):
    try: return subprocess.check_output(a, text=True, stderr=subprocess.DEVNULL).strip()
    except Exception: return "unknown"
device = sh("nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader")
commit = sh("git", "rev-parse", "--short", "HEAD")
rows = []
for r in native:
    e = eager.get((r["kernel"], r["dtype"], r["shape"]))
    speedup = f"{e / float(r['p50_us']):.2f}" if e else ""
    t = targets.get(r["kernel"])
    ok = "" if t is None else ("yes" if float(r["pct_of_copy"]) >= t else "no")
    rows.append({**r, "eager_us": f"{e:.1f}" if e else "", "speedup": speedup, "target_pct": t or "", "meets": ok,
                 "device": device, "commit": commit})
with open(os.path.join(out, "bench.csv"), "w", newline="") as f:
    if rows:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys())); w.writeheader(); w.writerows(rows)
with open(os.path.join(out, "report.md"), "w") as f:
    f.write(f"# med42 native kernels — GPU check\n\n- device: {device}\n- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC\n"
            f"- commit: {commit}\n- CUDA parity tests (ctest -L cuda): **{parity}**\n- compute-sanitizer memcheck of the parity tests: **{memcheck}**\n\n"
            "GB/s = bytes the kernel must move / p50 time; % copy = vs a device-to-device cudaMemcpy of the same footprint "
            "(bytes/2 read + bytes/2 written) in the same run; % peak = vs a 256 MiB copy; "
            "speed-up = PyTorch eager composite p50 / ours.\n\n"
            "| kernel | dtype | shape | p50 µs | GB/s | % copy | % peak | target % | meets | eager µs | speed-up |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        f.write(f"| {r['kernel']} | {r['dtype']} | {r['shape']} | {r['p50_us']} | {r['gbps']} | {r['pct_of_copy']} | {r['pct_of_peak_copy']} | {r['target_pct']} | {r['meets']} | {r['eager_us']} | {r['speedup']} |\n")
print(open(os.path.join(out, "report.md")).read())
PY
[ "$parity" != FAILED ] && [ "${memcheck:-}" != FAILED ]
