#pragma once

#include "core/call.h"
#include "core/result.h"

#include <QDialog>
#include <QUrl>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace cb {

class InlineMessage;

/// Sign-in: server URL (with history), email, password, "Remember me", and a prominent
/// "Start local demo". Errors are shown beside the field they concern. When the user
/// belongs to several organizations a second page lets them pick one.
///
/// The dialog does no networking: it asks (signInRequested, demoRequested, orgChosen)
/// and is told the outcome (setBusy, showError, showOrgPicker), so it can be driven by
/// the application or by a test.
class LoginDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginDialog)

public:
    explicit LoginDialog(QWidget *parent = nullptr);

    void setServerHistory(const QStringList &urls);
    void setServerUrl(const QString &url);
    void setEmail(const QString &email);
    void setRememberMe(bool remember);

    QUrl serverUrl() const;
    QString email() const;
    QString password() const;
    bool rememberMe() const;

    /// Disables the form while a sign-in or the demo start runs; @p message says what runs.
    void setBusy(bool busy, const QString &message = {});
    /// Shows @p error beside the field it concerns (server, email, password, demo) or
    /// below the form when it concerns none.
    void showError(const Error &error);
    void clearErrors();
    /// Switches to the organization page.
    void showOrgPicker(const QList<Org> &orgs);
    QString chosenOrgId() const;
    /// Puts the keyboard focus on "Start local demo" (first start).
    void focusDemo();

    /// Where each error went, for tests.
    QString serverError() const;
    QString emailError() const;
    QString passwordError() const;
    QString generalError() const;
    QString demoError() const;

    QPushButton *demoButton() const { return m_demoButton; }
    QPushButton *signInButton() const { return m_signInButton; }

Q_SIGNALS:
    /// The form is filled in and valid; read it through the getters.
    void signInRequested();
    void demoRequested();
    void orgChosen(const QString &orgId);

private:
    QWidget *buildCredentialsPage();
    QWidget *buildOrgPage();
    bool validateForm();
    void onSignIn();
    void onOrgAccepted();

    QStackedWidget *m_pages;
    QComboBox *m_server = nullptr;
    QLineEdit *m_email = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_remember = nullptr;
    QPushButton *m_demoButton = nullptr;
    QPushButton *m_signInButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    InlineMessage *m_serverError = nullptr;
    InlineMessage *m_emailError = nullptr;
    InlineMessage *m_passwordError = nullptr;
    InlineMessage *m_generalError = nullptr;
    InlineMessage *m_demoError = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_progressLabel = nullptr;
    QListWidget *m_orgList = nullptr;
    QPushButton *m_orgContinue = nullptr;
};

} // namespace cb
