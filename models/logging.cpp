#include "logging.h"

Q_LOGGING_CATEGORY(lcModels, "callboard.models", QtInfoMsg)
