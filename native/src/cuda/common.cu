// Device query for m42_cuda_available.
#include "common.cuh"
#include "launch.hpp"

namespace m42::cuda {
int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device" error
    return 0;
  }
  return n;
}
}  // namespace m42::cuda
