#pragma once

#include "core/result.h"

#include <QList>

class QAbstractItemModel;
class QIODevice;

namespace cb {

/// Writes the rows of @p model (a filtered, sorted view) as RFC 4180 CSV: a header line of
/// the columns' titles, then one line per row in the model's order, with the display text
/// of @p columns (all columns when empty). Cells that a spreadsheet would run as a
/// formula are prefixed with an apostrophe; phone numbers such as "+14155550123" are not.
/// Returns the number of data rows written.
Result<int> exportCsv(const QAbstractItemModel &model, QIODevice *out,
                      const QList<int> &columns = {});

/// One CSV field, quoted when needed.
QString csvField(const QString &text);

} // namespace cb
