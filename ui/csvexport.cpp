#include "csvexport.h"

#include <QAbstractItemModel>
#include <QIODevice>

namespace cb {

namespace {

bool looksLikeFormula(const QString &text)
{
    if (text.isEmpty())
        return false;
    const QChar first = text.front();
    if (first == u'=' || first == u'@' || first == u'\t' || first == u'\r')
        return true;
    if (first == u'+' || first == u'-') {
        for (qsizetype i = 1; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (!c.isDigit() && c != u' ' && c != u'.' && c != u',' && c != u':')
                return true;
        }
    }
    return false;
}

} // namespace

QString csvField(const QString &text)
{
    QString value = looksLikeFormula(text) ? u'\'' + text : text;
    if (value.contains(u',') || value.contains(u'"') || value.contains(u'\n') ||
        value.contains(u'\r') || value.startsWith(u' ') || value.endsWith(u' ')) {
        value.replace(QStringLiteral("\""), QStringLiteral("\"\""));
        value = u'"' + value + u'"';
    }
    return value;
}

Result<int> exportCsv(const QAbstractItemModel &model, QIODevice *out, const QList<int> &columns)
{
    if (!out || !out->isWritable())
        return Result<int>::failure(QStringLiteral("not_writable"),
                                    QStringLiteral("The file is not open for writing."));
    QList<int> cols = columns;
    if (cols.isEmpty()) {
        for (int c = 0; c < model.columnCount(); ++c)
            cols << c;
    }
    auto writeLine = [out](const QStringList &fields) {
        const QByteArray line = fields.join(u',').toUtf8() + "\r\n";
        return out->write(line) == line.size();
    };
    QStringList header;
    for (int c : cols)
        header << csvField(model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
    if (!writeLine(header))
        return Result<int>::failure(QStringLiteral("write_failed"), out->errorString());
    const int rows = model.rowCount();
    for (int r = 0; r < rows; ++r) {
        QStringList fields;
        fields.reserve(cols.size());
        for (int c : cols)
            fields << csvField(model.index(r, c).data(Qt::DisplayRole).toString());
        if (!writeLine(fields))
            return Result<int>::failure(QStringLiteral("write_failed"), out->errorString());
    }
    return rows;
}

} // namespace cb
