/* libmed42_mpi (include/med42_mpi.h): thin C over MPI_COMM_WORLD. Errors come back as heap statuses carrying MPI's
 * error string (MPI_ERRORS_RETURN is set on the communicator), never as an MPI-side abort, except m42_mpi_abort. */
#define _GNU_SOURCE
#include "med42_mpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct m42_mpi_status {
  m42_mpi_code code;
  char message[512];
};

/* Returned when even a status cannot be allocated; m42_mpi_status_free recognises and keeps it. */
static m42_mpi_status oom_status = {M42_MPI_ERROR, "m42_mpi: out of memory"};

static m42_mpi_status* make_status(m42_mpi_code code, const char* format, ...) {
  m42_mpi_status* s = malloc(sizeof *s);
  if (s == NULL) return &oom_status;
  s->code = code;
  va_list args;
  va_start(args, format);
  vsnprintf(s->message, sizeof s->message, format, args);
  va_end(args);
  return s;
}

static m42_mpi_status* from_mpi(const char* fn, int err) {
  if (err == MPI_SUCCESS) return NULL;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(err, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "MPI error %d", err);
  return make_status(M42_MPI_ERROR, "%s: %s", fn, text);
}

static int is_active(void) {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  return initialised && !finalised;
}

/* .NET loads this library RTLD_LOCAL, so libmpi's symbols would stay hidden from the MCA components Open MPI dlopens
 * (they resolve opal_/ompi_ symbols globally); re-opening libmpi RTLD_GLOBAL|RTLD_NOLOAD promotes what is loaded. */
static void promote_libmpi_to_global(void) {
  Dl_info info;
  if (dladdr((void*)&MPI_Init, &info) && info.dli_fname != NULL) dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
}

int32_t m42_mpi_api_version(void) { return M42_MPI_API_VERSION; }

m42_mpi_code m42_mpi_status_code(const m42_mpi_status* status) { return status == NULL ? M42_MPI_OK : status->code; }

const char* m42_mpi_status_message(const m42_mpi_status* status) { return status == NULL ? "" : status->message; }

void m42_mpi_status_free(m42_mpi_status* status) {
  if (status != &oom_status) free(status);
}

m42_mpi_status* m42_mpi_init(int32_t* rank, int32_t* size) {
  if (rank == NULL || size == NULL) return make_status(M42_MPI_NULL_POINTER, "m42_mpi_init: rank or size is null");
  int finalised = 0, initialised = 0;
  MPI_Finalized(&finalised);
  if (finalised) return make_status(M42_MPI_NOT_INITIALIZED, "m42_mpi_init: MPI was already finalized in this process");
  MPI_Initialized(&initialised);
  if (!initialised) {
    promote_libmpi_to_global();
    int provided = 0;
    int err = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
    if (err != MPI_SUCCESS) return make_status(M42_MPI_ERROR, "m42_mpi_init: MPI_Init_thread failed (error %d)", err);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  int r = 0, n = 0;
  m42_mpi_status* s = from_mpi("m42_mpi_init: MPI_Comm_rank", MPI_Comm_rank(MPI_COMM_WORLD, &r));
  if (s == NULL) s = from_mpi("m42_mpi_init: MPI_Comm_size", MPI_Comm_size(MPI_COMM_WORLD, &n));
  if (s == NULL) { *rank = r; *size = n; }
  return s;
}

static m42_mpi_status* datatype_of(const char* fn, m42_mpi_type type, MPI_Datatype* datatype, size_t* width) {
  switch (type) {
    case M42_MPI_F32: *datatype = MPI_FLOAT; *width = 4; return NULL;
    case M42_MPI_F64: *datatype = MPI_DOUBLE; *width = 8; return NULL;
    case M42_MPI_I64: *datatype = MPI_INT64_T; *width = 8; return NULL;
    default: return make_status(M42_MPI_INVALID_ARGUMENT, "%s: unknown type %d", fn, (int)type);
  }
}

static m42_mpi_status* check_buffer(const char* fn, const void* buffer, int64_t count) {
  if (!is_active()) return make_status(M42_MPI_NOT_INITIALIZED, "%s: MPI is not initialised", fn);
  if (count < 0) return make_status(M42_MPI_INVALID_ARGUMENT, "%s: count must be >= 0 (got %lld)", fn, (long long)count);
  if (count > 0 && buffer == NULL) return make_status(M42_MPI_NULL_POINTER, "%s: buffer is null", fn);
  return NULL;
}

static m42_mpi_status* check_root(const char* fn, int32_t root) {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (root < 0 || root >= size) return make_status(M42_MPI_INVALID_ARGUMENT, "%s: root %d is not a rank of %d", fn, root, size);
  return NULL;
}

m42_mpi_status* m42_mpi_allreduce_sum(void* buffer, int64_t count, m42_mpi_type type) {
  static const char* fn = "m42_mpi_allreduce_sum";
  MPI_Datatype datatype;
  size_t width;
  m42_mpi_status* s = check_buffer(fn, buffer, count);
  if (s == NULL) s = datatype_of(fn, type, &datatype, &width);
  for (int64_t done = 0; s == NULL && done < count;) {
    int chunk = count - done > INT_MAX ? INT_MAX : (int)(count - done);
    s = from_mpi(fn, MPI_Allreduce(MPI_IN_PLACE, (char*)buffer + done * width, chunk, datatype, MPI_SUM, MPI_COMM_WORLD));
    done += chunk;
  }
  return s;
}

m42_mpi_status* m42_mpi_reduce_sum(void* buffer, int64_t count, m42_mpi_type type, int32_t root) {
  static const char* fn = "m42_mpi_reduce_sum";
  MPI_Datatype datatype;
  size_t width;
  m42_mpi_status* s = check_buffer(fn, buffer, count);
  if (s == NULL) s = datatype_of(fn, type, &datatype, &width);
  if (s == NULL) s = check_root(fn, root);
  int rank = 0;
  if (s == NULL) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (int64_t done = 0; s == NULL && done < count;) {
    int chunk = count - done > INT_MAX ? INT_MAX : (int)(count - done);
    char* at = (char*)buffer + done * width;
    /* The root reduces into its own buffer; the others only send theirs (MPI_IN_PLACE is valid at the root only). */
    s = from_mpi(fn, MPI_Reduce(rank == root ? MPI_IN_PLACE : at, rank == root ? at : NULL, chunk, datatype, MPI_SUM, root, MPI_COMM_WORLD));
    done += chunk;
  }
  return s;
}

m42_mpi_status* m42_mpi_broadcast(void* bytes, int64_t count, int32_t root) {
  static const char* fn = "m42_mpi_broadcast";
  m42_mpi_status* s = check_buffer(fn, bytes, count);
  if (s == NULL) s = check_root(fn, root);
  for (int64_t done = 0; s == NULL && done < count;) {
    int chunk = count - done > INT_MAX ? INT_MAX : (int)(count - done);
    s = from_mpi(fn, MPI_Bcast((char*)bytes + done, chunk, MPI_BYTE, root, MPI_COMM_WORLD));
    done += chunk;
  }
  return s;
}

m42_mpi_status* m42_mpi_barrier(void) {
  if (!is_active()) return make_status(M42_MPI_NOT_INITIALIZED, "m42_mpi_barrier: MPI is not initialised");
  return from_mpi("m42_mpi_barrier", MPI_Barrier(MPI_COMM_WORLD));
}

void m42_mpi_abort(int32_t code) {
  if (is_active()) MPI_Abort(MPI_COMM_WORLD, code);
  exit(code == 0 ? 1 : code); /* without MPI (or after finalize) there is no job to abort: this process ends alone */
}

m42_mpi_status* m42_mpi_finalize(void) {
  if (!is_active()) return NULL;
  return from_mpi("m42_mpi_finalize", MPI_Finalize());
}
