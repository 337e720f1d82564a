#include "slots.h"

#include "../internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <accelstrat/error.h>

#include "support/parse.h"
#include "support/message.h"

int as__gpu_slots_configured(char *err, size_t errlen) {
  if (err && errlen) err[0] = '\0';
  const char *value = as__setting_env(AS_SETTING_GPU_SLOTS);
  if (!value) return AS__GPU_SLOTS_DEFAULT;
  long n;
  if (as__parse_long(value, &n) == 0 && n >= 1 && n <= AS__GPU_SLOTS_MAX)
    return (int)n;
  if (err && errlen)
    snprintf(err, errlen, "%s=\"%.64s\": expected a whole number from 1 to %d",
             as__setting_env_name(AS_SETTING_GPU_SLOTS), value,
             AS__GPU_SLOTS_MAX);
  return AS_EINVAL;
}

const char *as__gpu_slot_dir(char *buf, size_t len) {
  const char *dir = as__setting_env(AS_SETTING_GPU_SLOT_DIR);
  if (!dir || !*dir) dir = AS__GPU_SLOT_DIR_DEFAULT;
  size_t n = strlen(dir);
  /* "link/" would make lstat follow the link it is meant to refuse. */
  while (n > 1 && dir[n - 1] == '/') n--;
  if (!buf || n >= len) return NULL;
  memcpy(buf, dir, n);
  buf[n] = '\0';
  return buf;
}

/* The key's characters that are safe in a file name, so that no key can
 * reach outside the directory; 0 when none is kept, -1 when they do not fit. */
static int file_name_key(const char *key, char *out, size_t cap) {
  size_t n = 0;
  for (const char *c = key; *c; c++) {
    if (!as__name_char(*c)) continue;
    if (n + 1 >= cap) return -1;
    out[n++] = *c;
  }
  out[n] = '\0';
  return n > 0;
}

/* The lock directory, made (mode 01777) when missing, as a descriptor to
 * open the lock files in, so that the directory checked is the one used;
 * or a negative error code. */
static int open_slot_dir(const char *dir, char *detail, size_t len) {
  struct stat st;
  if (lstat(dir, &st) != 0) {
    if (errno != ENOENT) {
      as__message(detail, len, "GPU slot directory %s: %s", dir,
                  strerror(errno));
      return AS_EIO;
    }
    if (mkdir(dir, 01777) == 0) {
      /* mkdir's mode passes through the umask. A directory that someone
       * else made keeps the mode they gave it. */
      if (chmod(dir, 01777) != 0) {
        as__message(detail, len,
                    "cannot make GPU slot directory %s mode 1777: %s", dir,
                    strerror(errno));
        return AS_EIO;
      }
    } else if (errno != EEXIST) {
      as__message(detail, len, "cannot create GPU slot directory %s: %s", dir,
                  strerror(errno));
      return AS_EIO;
    }
    if (lstat(dir, &st) != 0) {
      as__message(detail, len, "GPU slot directory %s: %s", dir,
                  strerror(errno));
      return AS_EIO;
    }
  }
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
    as__message(detail, len, "GPU slot directory %s is %s; refusing it", dir,
                S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
    return AS_EIO;
  }
  int fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    as__message(detail, len, "cannot open GPU slot directory %s: %s", dir,
                strerror(errno));
    return AS_EIO;
  }
  return fd;
}

/* Opens lock file `name` in dirfd, or -1 with detail saying why. It is opened
 * without O_CREAT first, because fs.protected_regular forbids O_CREAT on a
 * file of another user in a sticky directory; only a missing one is created,
 * mode 0666 whatever the umask, so that every user can open it later. A
 * read descriptor is all flock needs. O_NONBLOCK lets a FIFO planted under
 * the name be refused instead of hanging the open. */
static int open_lock_file(int dirfd, const char *name, const char *path,
                          char *detail, size_t len) {
  const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
  int fd = -1;
  /* Bounded: a file that keeps vanishing between the two opens is not ours
   * to chase (we never unlink lock files). */
  for (int attempt = 0; attempt < 3 && fd < 0; attempt++) {
    fd = openat(dirfd, name, flags);
    if (fd >= 0 || errno != ENOENT) break;
    fd = openat(dirfd, name, flags | O_CREAT | O_EXCL, 0666);
    if (fd >= 0) {
      (void)fchmod(fd, 0666);
    } else if (errno != EEXIST) {
      break;
    }
  }
  if (fd < 0) {
    as__message(detail, len, "cannot open GPU slot lock file %s: %s", path,
                errno == ELOOP ? "it is a symlink" : strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    as__message(detail, len, "GPU slot lock file %s is not a regular file",
                path);
    close(fd);
    return -1;
  }
  return fd;
}

int as__gpu_slot_acquire(const char *device_key, as_gpu_slot *slot,
                         char *detail, size_t len) {
  if (detail && len) detail[0] = '\0';
  if (!slot) return AS_EINVAL;
  *slot = (as_gpu_slot)AS__GPU_SLOT_NONE;
  slot->total = as__gpu_slots_configured(detail, len);
  if (slot->total < 0) { /* a bad value is refused, never a guess */
    slot->total = 0;
    return AS_EINVAL;
  }

  char key[256], dir[sizeof slot->path];
  int kept = device_key ? file_name_key(device_key, key, sizeof key) : 0;
  if (kept == 0) {
    as__message(detail, len,
                "GPU slot: device key \"%s\" has none of [A-Za-z0-9._-]",
                device_key ? device_key : "(null)");
    return AS_EINVAL;
  }
  if (kept < 0 || !as__gpu_slot_dir(dir, sizeof dir)) {
    as__message(detail, len, "GPU slot: lock file path too long for key \"%s\"",
                device_key);
    return AS_EIO;
  }
  int dirfd = open_slot_dir(dir, detail, len);
  if (dirfd < 0) return dirfd;

  /* Processes start at different slots, so that they seldom try the same
   * held one first. */
  int start = (int)(getpid() % slot->total);
  int failed = 0, retried[AS__GPU_SLOTS_MAX] = {0};
  for (int k = 0; k < slot->total && slot->fd < 0; k++) {
    int i = (start + k) % slot->total;
    int n =
        snprintf(slot->path, sizeof slot->path, "%s/%s.%d.lock", dir, key, i);
    if (n < 0 || (size_t)n >= sizeof slot->path) {
      as__message(detail, len, "GPU slot: lock file path too long in %s", dir);
      failed = 1;
      break;
    }
    /* The first failure is the one reported, should no slot be taken. */
    int fd = open_lock_file(dirfd, slot->path + strlen(dir) + 1, slot->path,
                            failed ? NULL : detail, len);
    if (fd < 0) {
      failed = 1;
      continue;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      /* The name must still be the file locked: one unlinked or replaced
       * meanwhile would be a slot nobody else can see. Then this slot is
       * tried again, a few times. */
      struct stat held, named;
      if (fstat(fd, &held) != 0 ||
          fstatat(dirfd, slot->path + strlen(dir) + 1, &named,
                  AT_SYMLINK_NOFOLLOW) != 0 ||
          held.st_dev != named.st_dev || held.st_ino != named.st_ino) {
        close(fd);
        if (++retried[i] < 3) k--; /* the same slot again */
        continue;
      }
      slot->fd = fd;
      slot->index = i;
    } else {
      if (errno != EWOULDBLOCK && !failed) {
        as__message(detail, len, "cannot lock GPU slot lock file %s: %s",
                    slot->path, strerror(errno));
        failed = 1;
      }
      close(fd);
    }
  }
  close(dirfd);
  if (slot->fd >= 0) {
    if (detail && len) detail[0] = '\0';
    return 0;
  }
  slot->path[0] = '\0';
  if (failed) return AS_EIO;
  as__message(detail, len, "all %d GPU slots of %s are held (%s)", slot->total,
              device_key, dir);
  return AS_EGPU_BUSY;
}

void as__gpu_slot_release(as_gpu_slot *slot) {
  if (!slot) return;
  if (slot->fd >= 0) close(slot->fd);
  slot->fd = -1;
  slot->index = -1;
  slot->path[0] = '\0';
}
