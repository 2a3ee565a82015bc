// A failed libmed42_mpi call or a missing MPI library: the shim's message ("m42_mpi_fn: what").
using Med42.Ort.Core.Errors;

namespace Med42.Ort.Native;

public sealed class MpiException(string message) : Med42Exception($"libmed42_mpi: {message}");
