#include "logging.h"

Q_LOGGING_CATEGORY(lcUi, "callboard.ui", QtInfoMsg)
