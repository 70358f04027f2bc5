#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVariant>

class QSettings;

namespace cb {

/// Typed access to the desktop app's settings. Tokens are never stored here (they live in
/// the keychain); only what the user would expect to find again: the server and email last
/// used, notification and refresh choices, window layout and filters.
class AppSettings
{
public:
    /// Uses @p settings (not owned); tests pass one backed by a temporary file.
    explicit AppSettings(QSettings *settings);

    QString serverUrl() const;
    void setServerUrl(const QString &url);
    /// Most recent first, at most ten.
    QStringList serverHistory() const;
    void rememberServer(const QString &url);
    QString email() const;
    void setEmail(const QString &email);
    bool rememberMe() const;
    void setRememberMe(bool remember);
    QString lastOrgId() const;
    void setLastOrgId(const QString &orgId);

    /// Agent names of an organization, so a start from cache can show them offline.
    QHash<QString, QString> agentNames(const QString &orgId) const;
    void setAgentNames(const QString &orgId, const QHash<QString, QString> &names);

    bool notifyFailed() const;
    void setNotifyFailed(bool on);
    bool notifyStale() const;
    void setNotifyStale(bool on);
    /// Seconds between re-fetches of the open call's timeline and transcript; 0 = never.
    int detailRefreshSeconds() const;
    void setDetailRefreshSeconds(int seconds);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);
    QByteArray tableHeaderState() const;
    void setTableHeaderState(const QByteArray &state);
    QByteArray splitterState() const;
    void setSplitterState(const QByteArray &state);

    /// Filter values by name ("status", "agent", "search", …).
    QVariant filter(const QString &name, const QVariant &fallback = {}) const;
    void setFilter(const QString &name, const QVariant &value);

    void sync();

private:
    QSettings *m_settings;
};

} // namespace cb
