#include "logging.h"

Q_LOGGING_CATEGORY(lcApi, "callboard.api", QtInfoMsg)
Q_LOGGING_CATEGORY(lcWs, "callboard.ws", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCache, "callboard.cache", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSession, "callboard.session", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSync, "callboard.sync", QtInfoMsg)
