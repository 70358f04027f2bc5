#include "logindialog.h"

#include "icons.h"
#include "inlinemessage.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace cb {

namespace {

constexpr int orgIdRole = Qt::UserRole + 1;

QLabel *titleLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 1.45);
    font.setWeight(QFont::DemiBold);
    label->setFont(font);
    return label;
}

bool mentionsAny(const QString &text, std::initializer_list<const char *> words)
{
    for (const char *word : words) {
        if (text.contains(QLatin1String(word), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace

LoginDialog::LoginDialog(QWidget *parent) : QDialog(parent), m_pages(new QStackedWidget(this))
{
    setWindowTitle(tr("Sign in — Callboard"));
    setWindowIcon(ui::appIcon());
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 16);
    layout->addWidget(m_pages);
    m_pages->addWidget(buildCredentialsPage());
    m_pages->addWidget(buildOrgPage());
    setMinimumWidth(480);
}

QWidget *LoginDialog::buildCredentialsPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(12);

    auto *header = new QHBoxLayout;
    auto *logo = new QLabel(page);
    logo->setPixmap(ui::appIcon().pixmap(48, 48));
    header->addWidget(logo, 0, Qt::AlignTop);
    auto *titles = new QVBoxLayout;
    titles->setSpacing(2);
    titles->addWidget(titleLabel(tr("Sign in to Callboard"), page));
    auto *subtitle =
        new QLabel(tr("Watch your voice agents' calls live, as the providers report them."), page);
    subtitle->setWordWrap(true);
    subtitle->setForegroundRole(QPalette::PlaceholderText);
    titles->addWidget(subtitle);
    header->addLayout(titles, 1);
    header->setSpacing(14);
    layout->addLayout(header);

    auto *demoFrame = new QFrame(page);
    demoFrame->setFrameShape(QFrame::StyledPanel);
    demoFrame->setAutoFillBackground(true);
    demoFrame->setBackgroundRole(QPalette::AlternateBase);
    auto *demoLayout = new QVBoxLayout(demoFrame);
    demoLayout->setContentsMargins(14, 12, 14, 12);
    demoLayout->setSpacing(8);
    auto *demoText = new QLabel(tr("New here? Run a complete local setup — server and simulated "
                                   "Bolna, Vapi and Retell calls — on this computer."),
                                demoFrame);
    demoText->setWordWrap(true);
    demoLayout->addWidget(demoText);
    m_demoButton =
        new QPushButton(ui::themedIcon(QStringLiteral("demo")), tr("Start local demo"), demoFrame);
    m_demoButton->setMinimumHeight(38);
    m_demoButton->setIconSize(QSize(18, 18));
    QFont demoFont = m_demoButton->font();
    demoFont.setWeight(QFont::DemiBold);
    m_demoButton->setFont(demoFont);
    m_demoButton->setAutoDefault(false);
    demoLayout->addWidget(m_demoButton);
    m_demoError = new InlineMessage(demoFrame);
    demoLayout->addWidget(m_demoError);
    layout->addWidget(demoFrame);
    connect(m_demoButton, &QPushButton::clicked, this, [this] {
        clearErrors();
        Q_EMIT demoRequested();
    });

    auto *separator = new QHBoxLayout;
    auto lineLeft = new QFrame(page);
    lineLeft->setFrameShape(QFrame::HLine);
    lineLeft->setFrameShadow(QFrame::Sunken);
    auto lineRight = new QFrame(page);
    lineRight->setFrameShape(QFrame::HLine);
    lineRight->setFrameShadow(QFrame::Sunken);
    auto *orLabel = new QLabel(tr("or sign in to a server"), page);
    orLabel->setForegroundRole(QPalette::PlaceholderText);
    separator->addWidget(lineLeft, 1);
    separator->addWidget(orLabel);
    separator->addWidget(lineRight, 1);
    layout->addLayout(separator);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight);
    form->setVerticalSpacing(8);

    m_server = new QComboBox(page);
    m_server->setEditable(true);
    m_server->setInsertPolicy(QComboBox::NoInsert);
    m_server->lineEdit()->setPlaceholderText(QStringLiteral("https://callboard.example.com"));
    m_server->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_serverError = new InlineMessage(page);
    form->addRow(tr("&Server:"), m_server);
    form->addRow(QString(), m_serverError);

    m_email = new QLineEdit(page);
    m_email->setPlaceholderText(tr("you@company.com"));
    m_email->setInputMethodHints(Qt::ImhEmailCharactersOnly);
    m_emailError = new InlineMessage(page);
    form->addRow(tr("&Email:"), m_email);
    form->addRow(QString(), m_emailError);

    m_password = new QLineEdit(page);
    m_password->setEchoMode(QLineEdit::Password);
    auto *reveal =
        m_password->addAction(ui::themedIcon(QStringLiteral("eye")), QLineEdit::TrailingPosition);
    reveal->setCheckable(true);
    reveal->setToolTip(tr("Show password"));
    connect(reveal, &QAction::toggled, this, [this](bool on) {
        m_password->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password);
    });
    m_passwordError = new InlineMessage(page);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(QString(), m_passwordError);

    m_remember = new QCheckBox(tr("&Remember me on this computer"), page);
    m_remember->setToolTip(
        tr("Keeps the session token in the system keychain, never in plain settings."));
    form->addRow(QString(), m_remember);
    layout->addLayout(form);

    m_generalError = new InlineMessage(page);
    layout->addWidget(m_generalError);

    auto *progressRow = new QHBoxLayout;
    m_progress = new QProgressBar(page);
    m_progress->setRange(0, 0);
    m_progress->setMaximumHeight(6);
    m_progress->setTextVisible(false);
    m_progressLabel = new QLabel(page);
    progressRow->addWidget(m_progressLabel);
    progressRow->addWidget(m_progress, 1);
    layout->addLayout(progressRow);
    m_progress->setVisible(false);
    m_progressLabel->setVisible(false);

    auto *buttons = new QDialogButtonBox(page);
    m_signInButton = buttons->addButton(tr("Sign &in"), QDialogButtonBox::AcceptRole);
    m_cancelButton = buttons->addButton(QDialogButtonBox::Cancel);
    m_signInButton->setDefault(true);
    layout->addWidget(buttons);
    connect(m_signInButton, &QPushButton::clicked, this, &LoginDialog::onSignIn);
    connect(m_cancelButton, &QPushButton::clicked, this, &QDialog::reject);

    connect(m_server->lineEdit(), &QLineEdit::textEdited, m_serverError, &InlineMessage::clear);
    connect(m_email, &QLineEdit::textEdited, m_emailError, &InlineMessage::clear);
    connect(m_password, &QLineEdit::textEdited, m_passwordError, &InlineMessage::clear);
    return page;
}

QWidget *LoginDialog::buildOrgPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);
    layout->addWidget(titleLabel(tr("Choose an organization"), page));
    auto *hint = new QLabel(tr("You are a member of several organizations. You can switch at any "
                               "time from the toolbar."),
                            page);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    m_orgList = new QListWidget(page);
    m_orgList->setIconSize(QSize(20, 20));
    m_orgList->setUniformItemSizes(true);
    layout->addWidget(m_orgList, 1);
    auto *buttons = new QDialogButtonBox(page);
    m_orgContinue = buttons->addButton(tr("&Continue"), QDialogButtonBox::AcceptRole);
    m_orgContinue->setDefault(true);
    buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    connect(m_orgContinue, &QPushButton::clicked, this, &LoginDialog::onOrgAccepted);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_orgList, &QListWidget::itemDoubleClicked, this, &LoginDialog::onOrgAccepted);
    connect(m_orgList, &QListWidget::currentRowChanged, this,
            [this](int row) { m_orgContinue->setEnabled(row >= 0); });
    return page;
}

void LoginDialog::setServerHistory(const QStringList &urls)
{
    const QString current = m_server->currentText();
    m_server->clear();
    m_server->addItems(urls);
    m_server->setEditText(current.isEmpty() && !urls.isEmpty() ? urls.first() : current);
}

void LoginDialog::setServerUrl(const QString &url)
{
    m_server->setEditText(url);
}

void LoginDialog::setEmail(const QString &email)
{
    m_email->setText(email);
}

void LoginDialog::setRememberMe(bool remember)
{
    m_remember->setChecked(remember);
}

QUrl LoginDialog::serverUrl() const
{
    QString text = m_server->currentText().trimmed();
    if (!text.isEmpty() && !text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("https://"));
    return QUrl(text, QUrl::StrictMode);
}

QString LoginDialog::email() const
{
    return m_email->text().trimmed();
}

QString LoginDialog::password() const
{
    return m_password->text();
}

bool LoginDialog::rememberMe() const
{
    return m_remember->isChecked();
}

void LoginDialog::setBusy(bool busy, const QString &message)
{
    for (QWidget *w :
         {static_cast<QWidget *>(m_server), static_cast<QWidget *>(m_email),
          static_cast<QWidget *>(m_password), static_cast<QWidget *>(m_remember),
          static_cast<QWidget *>(m_signInButton), static_cast<QWidget *>(m_demoButton)}) {
        w->setEnabled(!busy);
    }
    m_progress->setVisible(busy);
    m_progressLabel->setVisible(busy && !message.isEmpty());
    m_progressLabel->setText(message);
}

void LoginDialog::clearErrors()
{
    for (InlineMessage *m :
         {m_serverError, m_emailError, m_passwordError, m_generalError, m_demoError})
        m->clear();
}

void LoginDialog::showError(const Error &error)
{
    setBusy(false);
    const QString &code = error.code;
    const QString &message = error.message;
    if (code == u"invalid_credentials" || code == u"unauthorized" || code == u"wrong_password" ||
        code == u"bad_credentials") {
        m_passwordError->showMessage(InlineMessage::Kind::Error,
                                     tr("Wrong email or password. Check both and try again."));
        m_password->selectAll();
        m_password->setFocus();
    } else if (code == u"invalid_email" || code == u"unknown_user") {
        m_emailError->showMessage(InlineMessage::Kind::Error, message);
        m_email->setFocus();
    } else if (code == u"tls" || code == u"ssl" || code == u"tls_error" ||
               (code == u"network" &&
                mentionsAny(message, {"ssl", "tls", "certificate", "handshake"}))) {
        m_serverError->showMessage(InlineMessage::Kind::Error,
                                   tr("Secure connection failed: %1").arg(message));
        m_server->setFocus();
    } else if (code == u"network" || code == u"timeout" || code == u"unreachable") {
        m_serverError->showMessage(InlineMessage::Kind::Error,
                                   code == u"timeout"
                                       ? tr("The server did not answer in time.")
                                       : tr("Cannot reach the server: %1").arg(message));
        m_server->setFocus();
    } else if (code == u"invalid_url") {
        m_serverError->showMessage(InlineMessage::Kind::Error, message);
        m_server->setFocus();
    } else if (code == u"invalid_response" || code == u"not_found" || code == u"http_404") {
        m_serverError->showMessage(InlineMessage::Kind::Error,
                                   tr("No Callboard server answers at this address."));
        m_server->setFocus();
    } else if (code.startsWith(u"demo")) {
        m_demoError->showMessage(InlineMessage::Kind::Error, message);
        m_demoButton->setFocus();
    } else {
        m_generalError->showMessage(InlineMessage::Kind::Error,
                                    message.isEmpty() ? tr("Sign-in failed (%1).").arg(code)
                                                      : message);
    }
}

bool LoginDialog::validateForm()
{
    bool ok = true;
    const QUrl url = serverUrl();
    if (m_server->currentText().trimmed().isEmpty()) {
        m_serverError->showMessage(InlineMessage::Kind::Error, tr("Enter the server's address."));
        ok = false;
    } else if (!url.isValid() || url.host().isEmpty() ||
               (url.scheme() != u"https" && url.scheme() != u"http")) {
        m_serverError->showMessage(InlineMessage::Kind::Error,
                                   tr("Enter an address like https://callboard.example.com"));
        ok = false;
    }
    const QString mail = email();
    if (mail.isEmpty()) {
        m_emailError->showMessage(InlineMessage::Kind::Error, tr("Enter your email address."));
        ok = false;
    } else if (!mail.contains(u'@') || mail.startsWith(u'@') || mail.endsWith(u'@')) {
        m_emailError->showMessage(InlineMessage::Kind::Error, tr("This is not an email address."));
        ok = false;
    }
    if (password().isEmpty()) {
        m_passwordError->showMessage(InlineMessage::Kind::Error, tr("Enter your password."));
        ok = false;
    }
    return ok;
}

void LoginDialog::onSignIn()
{
    clearErrors();
    if (!validateForm())
        return;
    Q_EMIT signInRequested();
}

void LoginDialog::showOrgPicker(const QList<Org> &orgs)
{
    setBusy(false);
    m_orgList->clear();
    for (const Org &org : orgs) {
        auto *item =
            new QListWidgetItem(ui::themedIcon(QStringLiteral("org")),
                                tr("%1  —  %2").arg(org.name, ui::roleText(org.role)), m_orgList);
        item->setData(orgIdRole, org.id);
    }
    m_orgList->setCurrentRow(0);
    m_pages->setCurrentIndex(1);
    m_orgList->setFocus();
}

QString LoginDialog::chosenOrgId() const
{
    const QListWidgetItem *item = m_orgList->currentItem();
    return item ? item->data(orgIdRole).toString() : QString();
}

void LoginDialog::onOrgAccepted()
{
    const QString id = chosenOrgId();
    if (!id.isEmpty())
        Q_EMIT orgChosen(id);
}

void LoginDialog::focusDemo()
{
    m_pages->setCurrentIndex(0);
    m_demoButton->setFocus(Qt::OtherFocusReason);
}

QString LoginDialog::serverError() const
{
    return m_serverError->isVisibleTo(this) ? m_serverError->text() : QString();
}

QString LoginDialog::emailError() const
{
    return m_emailError->isVisibleTo(this) ? m_emailError->text() : QString();
}

QString LoginDialog::passwordError() const
{
    return m_passwordError->isVisibleTo(this) ? m_passwordError->text() : QString();
}

QString LoginDialog::generalError() const
{
    return m_generalError->isVisibleTo(this) ? m_generalError->text() : QString();
}

QString LoginDialog::demoError() const
{
    return m_demoError->isVisibleTo(this) ? m_demoError->text() : QString();
}

} // namespace cb
