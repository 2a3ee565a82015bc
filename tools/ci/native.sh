#!/usr/bin/env bash
# CI for native/: configure + build CPU-only and run ctest (label cpu). With --cuda-compile also
# install Debian's nvidia-cuda-toolkit (CUDA 11.8, non-free) and clang-14, and compile the CUDA
# sources for sm_80 and sm_90 (a compile check; no GPU needed). CUDA 11.8's nvcc rejects g++ 12,
# hence -ccbin clang++-14.
# Usage: tools/ci/native.sh [--cuda-compile]
set -euo pipefail
cd "$(dirname "$0")/../.."
ort_include="${ORT_INCLUDE_DIR:-}"
if [ -z "$ort_include" ]; then
  # The NuGet package's headers, when a dotnet restore has run (no hard-coded version: newest wins).
  ort_include=$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/microsoft.ml.onnxruntime/*/build/native/include 2>/dev/null | sort -V | tail -1 || true)
fi
cmake -S . -B build-native/ci-cpu -DCMAKE_BUILD_TYPE=Release -DMED42_CUDA=OFF ${ort_include:+-DORT_INCLUDE_DIR="$ort_include"}
cmake --build build-native/ci-cpu -j "$(nproc)"
(cd build-native/ci-cpu && ctest -L cpu --output-on-failure)

if [ "${1:-}" = "--cuda-compile" ]; then
  if ! command -v nvcc >/dev/null; then
    # nvidia-cuda-toolkit lives in Debian's non-free component.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sudo_cmd=$(command -v sudo || true)
      $sudo_cmd sed -i 's/^Components: main.*$/Components: main contrib non-free non-free-firmware/' /etc/apt/sources.list.d/debian.sources
    elif [ -f /etc/apt/sources.list ]; then
      sudo_cmd=$(command -v sudo || true)
      $sudo_cmd sed -i -E 's/^(deb .* main)( contrib)?( non-free)?$/\1 contrib non-free/' /etc/apt/sources.list
    fi
    ${sudo_cmd:-} apt-get update
    DEBIAN_FRONTEND=noninteractive ${sudo_cmd:-} apt-get install -y --no-install-recommends nvidia-cuda-toolkit clang-14
  fi
  host=""
  # check_language(CUDA) probes nvcc in a sub-project that only sees the host compiler through CUDAHOSTCXX.
  nvcc_major=$(nvcc --version | sed -n 's/.*release \([0-9]*\)\..*/\1/p')
  if [ "${nvcc_major:-12}" -lt 12 ]; then export CUDAHOSTCXX=$(command -v clang++-14); host="-DCMAKE_CUDA_HOST_COMPILER=$CUDAHOSTCXX"; fi
  cmake -S . -B build-native/ci-cuda -DCMAKE_BUILD_TYPE=Release -DMED42_CUDA=ON -DMED42_BUILD_TESTS=OFF \
    -DCMAKE_CUDA_ARCHITECTURES="80;90" $host ${ort_include:+-DORT_INCLUDE_DIR="$ort_include"}
  targets="med42_native bench_kernels"
  # The custom-op library's CUDA-EP kernels need the ONNX Runtime headers.
  [ -n "$ort_include" ] && targets="$targets med42_ort_ops"
  cmake --build build-native/ci-cuda -j "$(nproc)" --target $targets
  echo "native: CUDA sources compile for sm_80 and sm_90 (nvcc $(nvcc --version | tail -1))"
fi
