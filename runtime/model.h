/* The cost model (runtime/model/): its predictions and learning
 * (predict.h), the facts about each device (devices.h) and the profile file
 * that keeps both (profile.h). */
#ifndef ACCELSTRAT_RUNTIME_MODEL_H
#define ACCELSTRAT_RUNTIME_MODEL_H

#include "model/devices.h"
#include "model/predict.h"
#include "model/profile.h"

#endif
