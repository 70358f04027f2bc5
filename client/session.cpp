#include "session.h"

#include "apiclient.h"
#include "logging.h"
#include "secretstore.h"

#include "core/json.h"

namespace cb {

Session::Session(ApiClient *api, SecretStore *store, QObject *parent)
    : QObject(parent), m_api(api), m_store(store)
{
    qRegisterMetaType<Error>();
    connect(m_api, &ApiClient::unauthorized, this, &Session::expire);
}

Session::~Session() = default;

QString Session::secretKey(const QUrl &server, const QString &email)
{
    return server.adjusted(QUrl::StripTrailingSlash).toString() + u'|' + email.trimmed().toLower();
}

Org Session::currentOrg() const
{
    for (const Org &org : m_orgs) {
        if (org.id == m_currentOrgId)
            return org;
    }
    return {};
}

void Session::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

QByteArray Session::serialize() const
{
    Json orgs = Json::array();
    for (const Org &org : m_orgs)
        orgs.push_back(toJson(org));
    return toBytes(
        Json{{"token", m_token},
             {"user", Json{{"id", m_user.id}, {"email", m_user.email}, {"name", m_user.name}}},
             {"orgs", orgs},
             {"current_org", m_currentOrgId}});
}

void Session::becomeLoggedIn(const QUrl &server, const QString &token, const User &user,
                             const QList<Org> &orgs, const QString &preferredOrg)
{
    m_serverUrl = server;
    m_token = token;
    m_user = user;
    m_orgs = orgs;
    m_currentOrgId.clear();
    for (const Org &org : orgs) {
        if (org.id == preferredOrg)
            m_currentOrgId = org.id;
    }
    if (m_currentOrgId.isEmpty() && !orgs.isEmpty())
        m_currentOrgId = orgs.first().id;
    m_api->setBaseUrl(server);
    m_api->setToken(token);
    m_lastError = {};
    setState(State::LoggedIn);
    Q_EMIT loggedIn();
    Q_EMIT currentOrgChanged(currentOrg());
}

void Session::login(const QUrl &server, const QString &email, const QString &password)
{
    if (m_state == State::LoggingIn)
        return;
    if (!server.isValid() || (server.scheme() != u"http" && server.scheme() != u"https")) {
        m_lastError = Error{QStringLiteral("invalid_server"),
                            tr("The server address must start with https:// or http://.")};
        Q_EMIT loginFailed(m_lastError);
        return;
    }
    setState(State::LoggingIn);
    m_api->setBaseUrl(server);
    m_api->setToken({});
    auto *job = m_api->login(email, password);
    job->onFinished(this, [this, server, email](const Result<LoginResult> &result) {
        if (!result.ok()) {
            m_lastError = result.error();
            setState(State::LoggedOut);
            Q_EMIT loginFailed(m_lastError);
            return;
        }
        m_secretKey = secretKey(server, email);
        User user = result->user;
        if (user.email.isEmpty())
            user.email = email;
        becomeLoggedIn(server, result->token, user, result->orgs, {});
        qCInfo(lcSession) << "signed in to" << server.host() << "with" << m_orgs.size()
                          << "organizations";
        if (SecretStore *store = m_store.data()) {
            store->write(m_secretKey, serialize(), [this](const Result<void> &written) {
                if (!written.ok()) {
                    qCWarning(lcSession) << "session not saved:" << written.error().code;
                    Q_EMIT secretStoreFailed(written.error());
                } else {
                    Q_EMIT sessionSaved();
                }
            });
        }
    });
}

void Session::restore(const QUrl &server, const QString &email)
{
    SecretStore *store = m_store.data();
    if (!store) {
        m_lastError = Error{QStringLiteral("not_found"), tr("No saved session.")};
        Q_EMIT restoreFailed(m_lastError);
        return;
    }
    setState(State::Restoring);
    const QString key = secretKey(server, email);
    store->read(key, [this, server, key](const Result<QByteArray> &secret) {
        if (m_state != State::Restoring)
            return;
        if (!secret.ok()) {
            m_lastError = secret.error();
            setState(State::LoggedOut);
            Q_EMIT restoreFailed(m_lastError);
            return;
        }
        const QByteArray &bytes = *secret;
        const Json json =
            Json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
        const QString token = stringField(json, "token");
        if (token.isEmpty()) {
            m_lastError = Error{QStringLiteral("invalid_session"),
                                tr("The saved session is unreadable; sign in again.")};
            setState(State::LoggedOut);
            Q_EMIT restoreFailed(m_lastError);
            return;
        }
        User user;
        if (const Json *u = objectField(json, "user")) {
            user.id = stringField(*u, "id");
            user.email = stringField(*u, "email");
            user.name = stringField(*u, "name");
        }
        QList<Org> orgs;
        if (json.contains("orgs") && json["orgs"].is_array()) {
            for (const Json &entry : json["orgs"]) {
                auto org = orgFromJson(entry);
                if (org.ok())
                    orgs.append(*org);
            }
        }
        m_secretKey = key;
        becomeLoggedIn(server, token, user, orgs, stringField(json, "current_org"));
    });
}

void Session::adopt(const QUrl &server, const QString &token, const QList<Org> &orgs)
{
    m_secretKey.clear();
    becomeLoggedIn(server, token, {}, orgs, {});
}

void Session::clear()
{
    m_token.clear();
    m_user = {};
    m_orgs.clear();
    m_currentOrgId.clear();
    m_api->setToken({});
    if (SecretStore *store = m_store.data(); store && !m_secretKey.isEmpty()) {
        store->remove(m_secretKey, [this](const Result<void> &removed) {
            if (!removed.ok())
                Q_EMIT secretStoreFailed(removed.error());
        });
    }
    m_secretKey.clear();
}

void Session::logout()
{
    if (m_state == State::LoggedOut)
        return;
    if (!m_token.isEmpty()) {
        // Best effort: the server forgets the token; we forget it either way.
        m_api->logout();
    }
    clear();
    setState(State::LoggedOut);
    Q_EMIT loggedOut();
    Q_EMIT currentOrgChanged({});
}

void Session::expire()
{
    if (m_state != State::LoggedIn)
        return;
    qCInfo(lcSession) << "session expired";
    m_lastError = Error{QStringLiteral("unauthorized"),
                        tr("Your session has expired. Please sign in again.")};
    clear();
    setState(State::LoggedOut);
    Q_EMIT expired();
    Q_EMIT currentOrgChanged({});
}

bool Session::setCurrentOrg(const QString &orgId)
{
    if (orgId == m_currentOrgId)
        return true;
    const bool known = std::any_of(m_orgs.cbegin(), m_orgs.cend(),
                                   [&](const Org &org) { return org.id == orgId; });
    if (!known)
        return false;
    m_currentOrgId = orgId;
    if (SecretStore *store = m_store.data(); store && !m_secretKey.isEmpty())
        store->write(m_secretKey, serialize(), [](const Result<void> &) {});
    Q_EMIT currentOrgChanged(currentOrg());
    return true;
}

} // namespace cb
