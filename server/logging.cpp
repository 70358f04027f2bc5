#include "logging.h"

Q_LOGGING_CATEGORY(lcHttp, "callboard.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDb, "callboard.db", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIntake, "callboard.intake", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHub, "callboard.hub", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProvider, "callboard.provider", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPoller, "callboard.poller", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "callboard.auth", QtInfoMsg)
