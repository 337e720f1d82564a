/* The batch-file reader (runtime/kernels/batchfile.h) on any bytes: the
 * input is written to a file and read with as__batch_read. A refused file
 * leaves nothing allocated and says why, naming the file. A file it
 * accepts is a batch of a built-in kernel within the documented memory
 * bound, that the kernel's CPU function runs without an error (the reader
 * ran the kernel's own checks), and that the writer writes back byte for
 * byte (the reader accepts the writer's encoding only: offsets from 0, no
 * trailing bytes). */
#include "fuzz_util.h"

#include <accelstrat/error.h>

#include "batchfile.h"
#include "registry.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_dir();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *in_path = fuzz_path(0, "in.asb");
  const char *out_path = fuzz_path(1, "out.asb");
  fuzz_write_file(in_path, data, size);

  as_synth s;
  char err[512] = "";
  int rc = as__batch_read(in_path, &s, err, sizeof err);
  if (rc < 0) {
    FUZZ_CHECK(rc == AS_EINVAL || rc == AS_ENOMEM, "rc %d (%s)", rc, err);
    FUZZ_CHECK(strncmp(err, in_path, strlen(in_path)) == 0 &&
                   strlen(err) > strlen(in_path) + 2,
               "message '%s' does not name the file and a reason", err);
    FUZZ_CHECK(!s.words && !s.offsets && !s.shared && !s.out && !s.batch.kernel,
               "a refused file left buffers behind (%s)", err);
    return 0;
  }
  FUZZ_CHECK(rc == 0, "rc %d", rc);
  const as_batch *b = &s.batch;
  const as_builtin *e = as__builtin_of(b->kernel);
  FUZZ_CHECK(e != NULL, "accepted a batch of no built-in kernel");
  FUZZ_CHECK(b->offsets && b->out && b->out == s.out, "buffers missing");
  /* Inputs at most the file, outputs at most AS_BATCH_OUT_PER_BYTE times
   * it. */
  uint64_t in_bytes =
      (uint64_t)(b->n + 1) * 8 + b->offsets[b->n] + b->shared_size;
  FUZZ_CHECK(in_bytes <= size, "inputs of %llu bytes from a file of %zu",
             (unsigned long long)in_bytes, size);
  FUZZ_CHECK((uint64_t)b->n * b->kernel->out_size <=
                 (uint64_t)size * AS_BATCH_OUT_PER_BYTE,
             "%zu outputs of %zu bytes from a file of %zu", b->n,
             b->kernel->out_size, size);
  FUZZ_CHECK(e->check(b, 0, b->n) == 0, "accepted a batch its checks refuse");

  /* What passed the checks runs. */
  memset(s.out, 0xa5, (b->n ? b->n : 1) * b->kernel->out_size);
  rc = b->kernel->cpu(b, 0, b->n);
  FUZZ_CHECK(rc == 0, "%s batch of %zu tasks accepted, then the kernel: %d",
             b->kernel->name, b->n, rc);

  /* The writer gives the same bytes back. */
  rc = as__batch_write(b, out_path, err, sizeof err);
  FUZZ_CHECK(rc == 0, "the writer refused what the reader accepted: %s", err);
  size_t back_size = 0;
  unsigned char *back = fuzz_read_file(out_path, &back_size);
  FUZZ_CHECK(back != NULL, "cannot read %s back", out_path);
  FUZZ_CHECK(back_size == size && memcmp(back, data, size) == 0,
             "written back as %zu bytes, read %zu, not the same", back_size,
             size);
  free(back);
  as__synth_free(&s);
  return 0;
}
