#include "logging.h"

Q_LOGGING_CATEGORY(lcProviderHttp, "callboard.provider.http", QtInfoMsg)
