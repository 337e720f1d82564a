/* GPU slots: a cap on how many processes hold a context on one GPU device at
 * once, shared by every process of every user on the machine. A slot is an
 * flock() on "<dir>/<device>.<i>.lock"; the kernel drops it when the holder
 * dies, however it dies, so a crashed process never leaves a slot held.
 *
 * Hold at most one slot per device per process: a second acquire in the same
 * process opens the file again, and on Linux separate opens hold separate
 * locks, so it takes a second slot. A child made by fork() without exec()
 * shares the parent's descriptor and keeps the slot held while it lives
 * (until it calls as__gpu_slot_release too); exec() drops it (O_CLOEXEC). */
#ifndef ACCELSTRAT_RUNTIME_GPU_SLOTS_H
#define ACCELSTRAT_RUNTIME_GPU_SLOTS_H

#include <stddef.h>

#include "../settings.h" /* the slots' defaults and bounds */

/* A slot: the right to hold a context on one GPU device. */
typedef struct as_gpu_slot {
  int fd;         /* the locked file, -1 when none held */
  int index;      /* which slot, -1 when none */
  int total;      /* slots per device (ACCELSTRAT_GPU_SLOTS) */
  char path[512]; /* the lock file */
} as_gpu_slot;

/* No slot held: releasing it does nothing. */
#define AS__GPU_SLOT_NONE                                                      \
  { .fd = -1, .index = -1, .total = 0, .path = "" }

/* Slots per device: ACCELSTRAT_GPU_SLOTS (1..64; default 2). A bad value
 * is AS_EINVAL with, when err is not NULL, a message naming the variable
 * and the accepted values; otherwise err is set to "". */
int as__gpu_slots_configured(char *err, size_t errlen);

/* The directory of the lock files, without trailing slashes:
 * ACCELSTRAT_GPU_SLOT_DIR if set and not empty, else
 * /tmp/accelstrat-gpu-slots (created mode 01777, like /tmp, so that every
 * user's processes share the GPU's slots). NULL when it does not fit in
 * buf. */
const char *as__gpu_slot_dir(char *buf, size_t len);

/* Takes a free slot of device `device_key` (e.g. "cuda-0" or "sim-0"; only
 * [A-Za-z0-9._-] kept in file names) without blocking, searching from slot
 * getpid() % total. Returns 0 with the slot filled; AS_EGPU_BUSY when all
 * `total` are held by other holders (detail: "all 2 GPU slots of cuda-0 are
 * held (/tmp/accelstrat-gpu-slots)"); AS_EIO when the lock directory is a
 * symlink or not a directory, or cannot be made, or no free slot's file could
 * be opened (detail names the path and says why); AS_EINVAL when slot or
 * device_key is NULL or the key keeps no character. On failure the slot is
 * left empty (fd and index -1). detail may be NULL. */
int as__gpu_slot_acquire(const char *device_key, as_gpu_slot *slot,
                         char *detail, size_t len);

/* Gives the slot back (closing the file releases the lock); idempotent. */
void as__gpu_slot_release(as_gpu_slot *slot);

#endif
