/* The profile file's safety and economy: a save opens nothing through a
 * link planted at the lock's name, removes what a killed save left, makes
 * its directories 0700, and rewrites the file only when a rate or a
 * device's start-up moved materially. (test_model has the rest of the
 * model and its file.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelstrat/accelstrat.h>
#include <math.h>

#include "model.h"
#include "registry.h"
#include "test_util.h"

static char dir[256], file[300];
static char cpu[96];

/* The inode of the profile: a save renames a new file over it. */
static ino_t profile_inode(void) {
  struct stat st;
  return stat(file, &st) == 0 ? st.st_ino : 0;
}

/* A run that only confirms the profile does not rewrite it; a rate or a
 * device's start-up that moved materially does. */
static void test_save_when_changed(void) {
  unlink(file);
  as__model_reset();
  as__model_learn(&as_kernel_align, cpu, 1.2e6, 1e6);
  as__model_note_gpu("sim", "sim/save/1", 5e6, 1e9);
  CHECK_INT_EQ(as_profile_save(), 0);
  const ino_t first = profile_inode();
  CHECK(first != 0);
  /* the same ratio, the same device, its start-up 4% slower: no save */
  as__model_reset();
  as__model_learn(&as_kernel_align, cpu, 1.2e6, 1e6);
  as__model_note_gpu("sim", "sim/save/1", 5.2e6, 1e9);
  CHECK_INT_EQ(as_profile_save(), 0);
  CHECK_MSG(profile_inode() == first, "rewritten with nothing new");
  /* the scale moving from 1.2 to 3: saved */
  as__model_reset();
  for (int i = 0; i < 5; i++) as__model_learn(&as_kernel_align, cpu, 3e6, 1e6);
  CHECK_INT_EQ(as_profile_save(), 0);
  const ino_t second = profile_inode();
  CHECK_MSG(second != first, "a scale that moved was not saved");
  as__model_reset();
  CHECK(fabs(as__model_scale(&as_kernel_align, cpu) - 3) < 1e-9);
  /* a start-up twice as long: saved */
  as__model_note_gpu("sim", "sim/save/1", 1e7, 1e9);
  as__model_note_gpu("sim", "sim/save/1", 1e7, 1e9);
  CHECK_INT_EQ(as_profile_save(), 0);
  CHECK_MSG(profile_inode() != second, "a start-up that moved was not saved");
  as__model_reset();
}

/* A save opens nothing through a link planted at the lock's or the
 * temporary's names, removes what a killed save left, and makes the
 * directories it needs this user's alone. */
static void test_planted_links(void) {
  char victim[400], lock[400], stale[400], live[400], fresh[400], sub[400];
  snprintf(victim, sizeof victim, "%s/victim", dir);
  snprintf(lock, sizeof lock, "%s.lock", file);
  FILE *v = fopen(victim, "w");
  fputs("keep\n", v);
  fclose(v);
  /* The lock a link to the victim: the save refuses, the victim stays. */
  unlink(file);
  unlink(lock);
  CHECK(symlink(victim, lock) == 0);
  as__model_reset();
  as__model_learn(&as_kernel_align, cpu, 2e6, 1e6);
  CHECK_INT_EQ(as_profile_save(), AS_EIO);
  char text[16] = "";
  v = fopen(victim, "r");
  CHECK(v && fgets(text, sizeof text, v) && strcmp(text, "keep\n") == 0);
  if (v) fclose(v);
  unlink(lock);
  /* A temporary of a process that is gone (a killed save) is removed; one
   * of a live process is not. */
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, NULL, 0);
  snprintf(stale, sizeof stale, "%s/sub/.profile.txt.tmp.%ld.0badf00d", dir,
           (long)child);
  snprintf(live, sizeof live, "%s/sub/.profile.txt.tmp.%ld.0badf00d", dir,
           (long)getppid());
  fclose(fopen(stale, "w"));
  fclose(fopen(live, "w"));
  as__model_reset();
  as__model_learn(&as_kernel_align, cpu, 2e6, 1e6);
  CHECK_INT_EQ(as_profile_save(), 0);
  CHECK_MSG(access(stale, F_OK) != 0, "a killed save's temporary stayed");
  CHECK(access(live, F_OK) == 0);
  unlink(live);
  /* A directory the save makes is 0700. */
  snprintf(fresh, sizeof fresh, "%s/fresh/cache/profile.txt", dir);
  snprintf(sub, sizeof sub, "%s/fresh/cache", dir);
  setenv("ACCELSTRAT_PROFILE", fresh, 1);
  as__model_reset();
  as__model_learn(&as_kernel_align, cpu, 2e6, 1e6);
  CHECK_INT_EQ(as_profile_save(), 0);
  struct stat st;
  CHECK(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700);
  setenv("ACCELSTRAT_PROFILE", file, 1);
  as__model_reset();
}

int main(void) {
  snprintf(dir, sizeof dir, "%s/accelstrat-profile-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir)) return 2;
  snprintf(file, sizeof file, "%s/sub/profile.txt", dir);
  char sub[300];
  snprintf(sub, sizeof sub, "%s/sub", dir);
  if (mkdir(sub, 0700) != 0) return 2;
  setenv("ACCELSTRAT_PROFILE", file, 1);
  as__model_cpu_key(cpu, sizeof cpu);
  test_planted_links();
  test_save_when_changed();
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (!test_failures && system(cmd) != 0) return 2;
  return test_finish("test_profile");
}
