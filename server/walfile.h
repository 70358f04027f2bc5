#pragma once

#include "core/result.h"

#include <QString>

#include <sys/types.h>

namespace cb {

/// The write-ahead log of an SQLite database, flushed to disk on demand. The store writer
/// commits with `synchronous=NORMAL` (the WAL frames are written but not flushed) and has
/// this flush them on another thread, so the next group's statements run while the last
/// group's flush is under way; a webhook is still only acknowledged once its commit is on
/// disk. The file is reopened if SQLite has replaced it.
class WalFile final
{
public:
    explicit WalFile(QString databasePath);
    ~WalFile();
    Q_DISABLE_COPY_MOVE(WalFile)

    /// Opens the log; fails if the database has none (not in WAL mode, not opened yet).
    Result<void> open();
    /// Flushes everything written to the log so far.
    Result<void> sync();
    QString path() const { return m_path; }

private:
    void close();

    QString m_path;
    int m_fd = -1;
    dev_t m_device = 0;
    ino_t m_inode = 0;
};

} // namespace cb
