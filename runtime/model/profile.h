/* The profile file of the cost model, one per host (its path and saving
 * are public: accelstrat/profile.h): read into the model's store on first
 * use; on save, merged under a lock with what other processes wrote. */
#ifndef ACCELSTRAT_RUNTIME_MODEL_PROFILE_H
#define ACCELSTRAT_RUNTIME_MODEL_PROFILE_H

/* Format of the profile file; a file of another version is ignored. */
#define AS_PROFILE_FORMAT 1

/* Tests: forgets everything in memory (the next use reads the file again)
 * and counts the warnings printed so far. */
void as__model_reset(void);
unsigned as__model_warnings(void);

#endif
