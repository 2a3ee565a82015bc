# Source on the GPU machine after receive.sh: puts the kit's med42 on PATH and the CUDA 13 libraries that
# ONNX Runtime's CUDA provider loads (cuBLAS, cuBLASLt, cudart, cuRAND, cuFFT, cuDNN 9) on the loader path.
# The image has them as PyTorch's nvidia-* wheels (and/or a CUDA toolkit); no network is needed.
home="${MED42_KIT_HOME:-/tmp/med42-kit}"
export PATH="$home/app:$PATH"
_med42_libs=""
if command -v python3 >/dev/null; then
  _med42_site=$(python3 -c 'import nvidia, os; print(os.path.dirname(list(nvidia.__path__)[0]))' 2>/dev/null || true)
  if [ -n "$_med42_site" ]; then
    for d in "$_med42_site"/nvidia/*/lib "$_med42_site"/nvidia/cu13/lib; do [ -d "$d" ] && _med42_libs="$_med42_libs:$d"; done
  fi
fi
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do [ -d "$d" ] && _med42_libs="$_med42_libs:$d"; done
export LD_LIBRARY_PATH="$home/app${_med42_libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# libmed42_native.so / libmed42_ort_ops.so beside med42 (NativeLibraryResolver also looks here).
export MED42_NATIVE_DIR="$home/app"
unset _med42_libs _med42_site
