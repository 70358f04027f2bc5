#include "appsettings.h"

#include <QSettings>

namespace cb {

AppSettings::AppSettings(QSettings *settings) : m_settings(settings) { }

QString AppSettings::serverUrl() const
{
    return m_settings->value(QStringLiteral("server/url")).toString();
}

void AppSettings::setServerUrl(const QString &url)
{
    m_settings->setValue(QStringLiteral("server/url"), url);
}

QStringList AppSettings::serverHistory() const
{
    return m_settings->value(QStringLiteral("server/history")).toStringList();
}

void AppSettings::rememberServer(const QString &url)
{
    if (url.isEmpty())
        return;
    QStringList history = serverHistory();
    history.removeAll(url);
    history.prepend(url);
    while (history.size() > 10)
        history.removeLast();
    m_settings->setValue(QStringLiteral("server/history"), history);
    setServerUrl(url);
}

QString AppSettings::email() const
{
    return m_settings->value(QStringLiteral("login/email")).toString();
}

void AppSettings::setEmail(const QString &email)
{
    m_settings->setValue(QStringLiteral("login/email"), email);
}

bool AppSettings::rememberMe() const
{
    return m_settings->value(QStringLiteral("login/remember"), true).toBool();
}

void AppSettings::setRememberMe(bool remember)
{
    m_settings->setValue(QStringLiteral("login/remember"), remember);
}

QString AppSettings::lastOrgId() const
{
    return m_settings->value(QStringLiteral("login/org")).toString();
}

void AppSettings::setLastOrgId(const QString &orgId)
{
    m_settings->setValue(QStringLiteral("login/org"), orgId);
}

QHash<QString, QString> AppSettings::agentNames(const QString &orgId) const
{
    QHash<QString, QString> names;
    const QVariantMap map = m_settings->value(QStringLiteral("agentNames/") + orgId).toMap();
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        names.insert(it.key(), it.value().toString());
    return names;
}

void AppSettings::setAgentNames(const QString &orgId, const QHash<QString, QString> &names)
{
    QVariantMap map;
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        map.insert(it.key(), it.value());
    m_settings->setValue(QStringLiteral("agentNames/") + orgId, map);
}

bool AppSettings::notifyFailed() const
{
    return m_settings->value(QStringLiteral("notifications/failed"), true).toBool();
}

void AppSettings::setNotifyFailed(bool on)
{
    m_settings->setValue(QStringLiteral("notifications/failed"), on);
}

bool AppSettings::notifyStale() const
{
    return m_settings->value(QStringLiteral("notifications/stale"), true).toBool();
}

void AppSettings::setNotifyStale(bool on)
{
    m_settings->setValue(QStringLiteral("notifications/stale"), on);
}

int AppSettings::detailRefreshSeconds() const
{
    return m_settings->value(QStringLiteral("refresh/detailSeconds"), 10).toInt();
}

void AppSettings::setDetailRefreshSeconds(int seconds)
{
    m_settings->setValue(QStringLiteral("refresh/detailSeconds"), seconds);
}

QByteArray AppSettings::windowGeometry() const
{
    return m_settings->value(QStringLiteral("window/geometry")).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings->setValue(QStringLiteral("window/geometry"), geometry);
}

QByteArray AppSettings::windowState() const
{
    return m_settings->value(QStringLiteral("window/state")).toByteArray();
}

void AppSettings::setWindowState(const QByteArray &state)
{
    m_settings->setValue(QStringLiteral("window/state"), state);
}

QByteArray AppSettings::tableHeaderState() const
{
    return m_settings->value(QStringLiteral("window/tableHeader")).toByteArray();
}

void AppSettings::setTableHeaderState(const QByteArray &state)
{
    m_settings->setValue(QStringLiteral("window/tableHeader"), state);
}

QByteArray AppSettings::splitterState() const
{
    return m_settings->value(QStringLiteral("window/splitter")).toByteArray();
}

void AppSettings::setSplitterState(const QByteArray &state)
{
    m_settings->setValue(QStringLiteral("window/splitter"), state);
}

QVariant AppSettings::filter(const QString &name, const QVariant &fallback) const
{
    return m_settings->value(QStringLiteral("filters/") + name, fallback);
}

void AppSettings::setFilter(const QString &name, const QVariant &value)
{
    m_settings->setValue(QStringLiteral("filters/") + name, value);
}

void AppSettings::sync()
{
    m_settings->sync();
}

} // namespace cb
