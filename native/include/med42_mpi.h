/*
 * med42_mpi.h — the C ABI of libmed42_mpi: the few MPI calls data-parallel training needs (init, rank and world
 * size of MPI_COMM_WORLD, in-place all-reduce and reduce sums, broadcast, barrier, abort, finalize), so that managed code never
 * names an MPI handle. Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM) are addresses of link-time globals
 * and MPICH's are integer constants: only a compiled shim sees them portably (docs/scale.md).
 *
 * Conventions as in med42.h (docs/native.md): every fallible call returns m42_mpi_status*, NULL on success, else owned
 * by the caller and released with m42_mpi_status_free; only m42_mpi_* symbols are exported; counts are int64 and are
 * split into MPI's int-sized chunks inside. Built only when CMake finds MPI (find_package(MPI COMPONENTS C)).
 */
#ifndef MED42_MPI_H
#define MED42_MPI_H

#include <stdint.h>

#if defined(_WIN32)
#  define M42_MPI_EXPORT __declspec(dllexport)
#else
#  define M42_MPI_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every incompatible change; the managed loader refuses any other value. */
#define M42_MPI_API_VERSION 2

typedef enum m42_mpi_code {
  M42_MPI_OK = 0,
  M42_MPI_NULL_POINTER = 1,
  M42_MPI_INVALID_ARGUMENT = 2, /* negative count, unknown type, root out of range */
  M42_MPI_NOT_INITIALIZED = 3,  /* a collective before m42_mpi_init or after m42_mpi_finalize */
  M42_MPI_ERROR = 4             /* an MPI call failed; the message carries MPI's error string */
} m42_mpi_code;

typedef enum m42_mpi_type { M42_MPI_F32 = 0, M42_MPI_F64 = 1, M42_MPI_I64 = 2 } m42_mpi_type;

typedef struct m42_mpi_status m42_mpi_status; /* opaque; owned by the caller once returned */

M42_MPI_EXPORT int32_t m42_mpi_api_version(void);

M42_MPI_EXPORT m42_mpi_code m42_mpi_status_code(const m42_mpi_status* status);
M42_MPI_EXPORT const char* m42_mpi_status_message(const m42_mpi_status* status); /* never NULL; "" for NULL */
M42_MPI_EXPORT void m42_mpi_status_free(m42_mpi_status* status);                 /* NULL is a no-op */

/* MPI_Init_thread (serialized calls) on MPI_COMM_WORLD, with errors returned rather than fatal; rank and size out.
 * Calling it again returns the same rank and size. */
M42_MPI_EXPORT m42_mpi_status* m42_mpi_init(int32_t* rank, int32_t* size);

/* buffer[0..count) ← its element-wise sum over all ranks (MPI_Allreduce, MPI_IN_PLACE). count ≥ 0. */
M42_MPI_EXPORT m42_mpi_status* m42_mpi_allreduce_sum(void* buffer, int64_t count, m42_mpi_type type);

/* Rank root's buffer[0..count) ← its element-wise sum over all ranks (MPI_Reduce, MPI_IN_PLACE at the root); the
 * other ranks' buffers are left as they were. One owner's slice of a reduce-scatter (sharded optimizer state). */
M42_MPI_EXPORT m42_mpi_status* m42_mpi_reduce_sum(void* buffer, int64_t count, m42_mpi_type type, int32_t root);

/* bytes[0..count) of rank root copied to every rank (MPI_Bcast). */
M42_MPI_EXPORT m42_mpi_status* m42_mpi_broadcast(void* bytes, int64_t count, int32_t root);

M42_MPI_EXPORT m42_mpi_status* m42_mpi_barrier(void);

/* MPI_Abort(MPI_COMM_WORLD, code): the launcher ends every rank; does not return. */
M42_MPI_EXPORT void m42_mpi_abort(int32_t code);

/* MPI_Finalize once (later calls are no-ops); a process that initialised MPI must call it before a normal exit. */
M42_MPI_EXPORT m42_mpi_status* m42_mpi_finalize(void);

#ifdef __cplusplus
}
#endif

#endif /* MED42_MPI_H */
