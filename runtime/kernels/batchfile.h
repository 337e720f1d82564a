/* A batch of a built-in kernel on disk: what the plugin's dump=DIR key
 * writes for every batch of a translation unit and accelstrat-bench
 * replays (--replay DIR). The format (all integers little-endian):
 *
 *   "ASBATCH1"                      8 bytes, magic and format version
 *   u32 kernel name length L, then L bytes of the name ("align", ...)
 *   u32 kernel version              the kernel's version when written
 *   u64 n                           tasks
 *   u64 data bytes D, u64 shared bytes S
 *   u8  has_offsets (0 or 1)
 *   u64 offsets[n + 1]              only when has_offsets
 *   D bytes of data, S bytes of the shared block
 *
 * Outputs are not stored: a replay recomputes them, into a buffer the
 * reader allocates. What a file costs in memory is bounded by its size:
 * the inputs are at most the file, and the outputs (n times the kernel's
 * out_size) at most AS_BATCH_OUT_PER_BYTE times the file, checked before
 * anything is allocated (every task has at least its 8-byte offset in the
 * file; the built-in kernels' outputs are at most 4 times what a task takes,
 * a filter task's 64 bytes for its 8 bytes of input and 8 of offset). */
#ifndef ACCELSTRAT_KERNELS_BATCHFILE_H
#define ACCELSTRAT_KERNELS_BATCHFILE_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/kernel.h>

#include "synth.h"

/* Output bytes a batch file may make the reader allocate per byte of file. */
#define AS_BATCH_OUT_PER_BYTE 4

/* Whether n tasks of kernel k fit the output bound for a file of
 * file_bytes bytes: 0, or AS_EINVAL. */
int as__batch_out_bound(const as_kernel *k, uint64_t n, uint64_t file_bytes);

/* Writes b to path (a temporary file renamed into place, so a reader never
 * sees half a batch). Returns 0 or a negative as_errno, with the reason in
 * err. */
int as__batch_write(const as_batch *b, const char *path, char *err, size_t len);

/* Reads a batch written by as__batch_write into s (owned buffers, an output
 * buffer of n tasks; free with as__synth_free). The kernel must be a
 * built-in one of the same version, offsets must be monotonic within the
 * data, and the kernel's own input checks must pass. Returns 0 or a
 * negative as_errno (AS_EINVAL for a malformed file, AS_EIO for a failed
 * read), with the reason, naming the file, in err. */
int as__batch_read(const char *path, as_synth *s, char *err, size_t len);

#endif
