#include "logging.h"

Q_LOGGING_CATEGORY(lcSim, "callboard.sim", QtInfoMsg)
