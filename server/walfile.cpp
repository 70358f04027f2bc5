#include "walfile.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cb {

namespace {

Error systemError(const QString &what, const QString &path)
{
    return Error{
        QStringLiteral("db_error"),
        QStringLiteral("%1 %2: %3").arg(what, path, QString::fromLocal8Bit(std::strerror(errno)))};
}

} // namespace

WalFile::WalFile(QString databasePath)
    : m_path(std::move(databasePath) + QStringLiteral("-wal")) { }

WalFile::~WalFile()
{
    close();
}

Result<void> WalFile::open()
{
    close();
    const QByteArray path = QFile::encodeName(m_path);
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return systemError(QStringLiteral("cannot open"), m_path);
    struct stat info;
    if (::fstat(fd, &info) != 0) {
        ::close(fd);
        return systemError(QStringLiteral("cannot stat"), m_path);
    }
    m_fd = fd;
    m_device = info.st_dev;
    m_inode = info.st_ino;
    return {};
}

Result<void> WalFile::sync()
{
    struct stat info;
    const QByteArray path = QFile::encodeName(m_path);
    if (::stat(path.constData(), &info) != 0)
        return systemError(QStringLiteral("cannot stat"), m_path);
    if (m_fd < 0 || info.st_dev != m_device || info.st_ino != m_inode) {
        if (auto r = open(); !r)
            return r;
    }
    while (::fdatasync(m_fd) != 0) {
        if (errno != EINTR)
            return systemError(QStringLiteral("cannot flush"), m_path);
    }
    return {};
}

void WalFile::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

} // namespace cb
