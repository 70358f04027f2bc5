#pragma once

#include "client/apitypes.h"
#include "core/call.h"
#include "core/result.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStandardItemModel;

namespace cb {

class InlineMessage;

/// Starts a call: agent picker (agents whose webhook is not synced are listed but
/// disabled, with the reason), the number checked against E.164 as it is typed, a "test
/// call" flag, and the provider's error shown in place when the start fails.
///
/// Gated by role: viewers see the form read-only with the reason. The dialog asks
/// (callRequested) and is told the outcome (showResult).
class NewCallDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewCallDialog)

public:
    NewCallDialog(const QList<Agent> &agents, Role role, QWidget *parent = nullptr);

    QString selectedAgentId() const;
    /// The number as it will be sent (normalized), valid or not.
    QString normalizedNumber() const;
    bool isTestCall() const;
    /// True when the form may be submitted (role, agent and number all fine).
    bool canSubmit() const;
    /// The message under the number field, empty when none is shown.
    QString numberMessage() const;
    QString submitError() const;
    /// The call the server created, after a successful showResult().
    const Call &createdCall() const { return m_created; }

    QComboBox *agentCombo() const { return m_agent; }
    QLineEdit *numberEdit() const { return m_number; }
    QCheckBox *testCheck() const { return m_test; }
    QPushButton *callButton() const { return m_callButton; }

    void setNumber(const QString &text);
    /// Disables the form while the request runs.
    void setSubmitting(bool submitting);
    /// The server's answer: an error is shown in the dialog, success closes it.
    void showResult(const Result<Call> &result);

Q_SIGNALS:
    void callRequested(const cb::NewCallRequest &request);

private:
    void validateNumber();
    void updateAgentHint();
    void updateCallButton();
    void submit();

    Role m_role;
    bool m_submitting = false;
    QStandardItemModel *m_agents;
    QComboBox *m_agent;
    QLabel *m_agentHint;
    QLineEdit *m_number;
    InlineMessage *m_numberMessage;
    QCheckBox *m_test;
    InlineMessage *m_roleMessage;
    InlineMessage *m_submitMessage;
    QPushButton *m_callButton;
    Call m_created;
};

} // namespace cb
