#pragma once

#include "apitypes.h"

#include "core/result.h"

#include <QObject>
#include <QPointer>
#include <QUrl>

namespace cb {

class ApiClient;
class SecretStore;

/// Who is signed in where (DESIGN §5 "Login"): login and logout, the token kept in a
/// SecretStore (the OS keychain; never plain settings), the user's organizations and the
/// current one, switchable without restarting. An expired token (any 401, or a refused
/// realtime CONNECT reported through expire()) returns to the logged-out state once and
/// stays there: nothing retries with a token the server refused.
class Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    enum class State { LoggedOut, LoggingIn, Restoring, LoggedIn };
    Q_ENUM(State)

    /// @p store keeps the session between runs; null keeps it in memory only.
    Session(ApiClient *api, SecretStore *store, QObject *parent = nullptr);
    ~Session() override;

    State state() const { return m_state; }
    bool isLoggedIn() const { return m_state == State::LoggedIn; }
    QUrl serverUrl() const { return m_serverUrl; }
    User user() const { return m_user; }
    QString token() const { return m_token; }
    QList<Org> orgs() const { return m_orgs; }
    /// The current organization; an empty Org when none is chosen.
    Org currentOrg() const;
    QString currentOrgId() const { return m_currentOrgId; }
    Error lastError() const { return m_lastError; }

    /// The key under which a server + account's session is stored.
    static QString secretKey(const QUrl &server, const QString &email);

public Q_SLOTS:
    void login(const QUrl &server, const QString &email, const QString &password);
    /// Reads a saved session; ends in LoggedIn, or LoggedOut with restoreFailed().
    void restore(const QUrl &server, const QString &email);
    /// Uses a token obtained elsewhere (`callboard-cli --token`), without storing it.
    void adopt(const QUrl &server, const QString &token, const QList<cb::Org> &orgs = {});
    void logout();
    /// The server refused the token: back to the login state, and forget the saved one.
    void expire();
    /// False when @p orgId is not one of orgs().
    bool setCurrentOrg(const QString &orgId);

Q_SIGNALS:
    void stateChanged(cb::Session::State state);
    void loggedIn();
    void loginFailed(const cb::Error &error);
    void restoreFailed(const cb::Error &error);
    void loggedOut();
    void expired();
    void currentOrgChanged(const cb::Org &org);
    /// The session was written to the secret store after login.
    void sessionSaved();
    /// The session could not be saved or removed (e.g. no keychain service); it is still
    /// usable for this run.
    void secretStoreFailed(const cb::Error &error);

private:
    void setState(State state);
    void becomeLoggedIn(const QUrl &server, const QString &token, const User &user,
                        const QList<Org> &orgs, const QString &preferredOrg);
    void clear();
    QByteArray serialize() const;

    ApiClient *m_api;
    QPointer<SecretStore> m_store;
    State m_state = State::LoggedOut;
    QUrl m_serverUrl;
    QString m_token;
    User m_user;
    QList<Org> m_orgs;
    QString m_currentOrgId;
    QString m_secretKey;
    Error m_lastError;
};

} // namespace cb
