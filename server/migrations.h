#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace cb {

/// One step of the schema. Statements are written once for both backends; the tokens
/// `{id_pk}` and `{blob}` are replaced per dialect (an auto-increment key, a byte column).
struct Migration
{
    int version = 0;
    QString description;
    QStringList statements;
};

/// Every migration, oldest first. Versions are never edited once released; a change
/// to the schema is a new entry at the end.
const QList<Migration> &migrations();

} // namespace cb
