#pragma once

#include <QDialog>

class QCheckBox;
class QLineEdit;
class QSpinBox;

namespace cb {

class AppSettings;
class InlineMessage;

/// The preferences: default server URL, tray notifications (failed and stale calls), and
/// how often the open call's timeline is re-fetched. Writes to AppSettings on OK.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    SettingsDialog(AppSettings *settings, QWidget *parent = nullptr);

    void accept() override;

private:
    AppSettings *m_settings;
    QLineEdit *m_server;
    InlineMessage *m_serverError;
    QCheckBox *m_notifyFailed;
    QCheckBox *m_notifyStale;
    QSpinBox *m_detailRefresh;
};

} // namespace cb
