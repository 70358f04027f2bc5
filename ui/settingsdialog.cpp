#include "settingsdialog.h"

#include "appsettings.h"
#include "icons.h"
#include "inlinemessage.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

namespace cb {

SettingsDialog::SettingsDialog(AppSettings *settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_server(new QLineEdit(this))
    , m_serverError(new InlineMessage(this))
    , m_notifyFailed(new QCheckBox(tr("When a call &fails"), this))
    , m_notifyStale(
          new QCheckBox(tr("When a call goes &stale (no update within its state's timeout)"), this))
    , m_detailRefresh(new QSpinBox(this))
{
    setWindowTitle(tr("Settings"));
    setWindowIcon(ui::themedIcon(QStringLiteral("settings")));
    setMinimumWidth(520);
    auto *layout = new QVBoxLayout(this);

    auto *connection = new QGroupBox(tr("Connection"), this);
    auto *connectionForm = new QFormLayout(connection);
    m_server->setText(settings->serverUrl());
    m_server->setPlaceholderText(QStringLiteral("https://callboard.example.com"));
    connectionForm->addRow(tr("Default &server:"), m_server);
    connectionForm->addRow(QString(), m_serverError);
    layout->addWidget(connection);

    auto *notifications = new QGroupBox(tr("Desktop notifications"), this);
    auto *notificationLayout = new QVBoxLayout(notifications);
    m_notifyFailed->setChecked(settings->notifyFailed());
    m_notifyStale->setChecked(settings->notifyStale());
    notificationLayout->addWidget(m_notifyFailed);
    notificationLayout->addWidget(m_notifyStale);
    layout->addWidget(notifications);

    auto *refresh = new QGroupBox(tr("Refresh"), this);
    auto *refreshForm = new QFormLayout(refresh);
    m_detailRefresh->setRange(0, 600);
    m_detailRefresh->setSuffix(tr(" s"));
    m_detailRefresh->setSpecialValueText(tr("Never"));
    m_detailRefresh->setValue(settings->detailRefreshSeconds());
    m_detailRefresh->setToolTip(tr("Call rows update live. The timeline and transcript of the open "
                                   "call are fetched again at this interval."));
    refreshForm->addRow(tr("Reload the open call's &timeline every:"), m_detailRefresh);
    layout->addWidget(refresh);
    layout->addStretch(1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_server, &QLineEdit::textEdited, m_serverError, &InlineMessage::clear);
}

void SettingsDialog::accept()
{
    const QString text = m_server->text().trimmed();
    if (!text.isEmpty()) {
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty() ||
            (url.scheme() != u"https" && url.scheme() != u"http")) {
            m_serverError->showMessage(InlineMessage::Kind::Error,
                                       tr("Enter an address like https://callboard.example.com"));
            return;
        }
    }
    m_settings->setServerUrl(text);
    m_settings->setNotifyFailed(m_notifyFailed->isChecked());
    m_settings->setNotifyStale(m_notifyStale->isChecked());
    m_settings->setDetailRefreshSeconds(m_detailRefresh->value());
    m_settings->sync();
    QDialog::accept();
}

} // namespace cb
