#pragma once

#include "core/json.h"

#include <QDir>
#include <QFile>
#include <QString>
#include <QStringList>

/// Reading the provider fixtures in tests/data/<provider>/<outcome>/.
namespace fixtures {

inline QString dataDir()
{
    return QStringLiteral(CALLBOARD_TEST_DATA);
}

/// The parsed JSON of @p path (relative to tests/data), or a discarded value.
inline cb::Json load(const QString &path)
{
    QFile file(dataDir() + u'/' + path);
    if (!file.open(QIODevice::ReadOnly))
        return cb::Json(cb::Json::value_t::discarded);
    const QByteArray bytes = file.readAll();
    return cb::Json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
}

/// The event files of one sequence ("NN-<event>.json"), in delivery order.
inline QStringList sequence(const QString &provider, const QString &outcome)
{
    const QString dir = provider + u'/' + outcome;
    QStringList files =
        QDir(dataDir() + u'/' + dir)
            .entryList({QStringLiteral("[0-9][0-9]-*.json")}, QDir::Files, QDir::Name);
    for (auto &f : files)
        f = dir + u'/' + f;
    return files;
}

inline const QStringList providers = {QStringLiteral("bolna"), QStringLiteral("vapi"),
                                      QStringLiteral("retell")};
inline const QStringList outcomes = {QStringLiteral("answered"), QStringLiteral("busy"),
                                     QStringLiteral("no_answer"), QStringLiteral("failed"),
                                     QStringLiteral("voicemail")};

} // namespace fixtures
