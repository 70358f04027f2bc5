#pragma once

#include "client/apitypes.h"
#include "core/call.h"

#include <QHash>
#include <QWidget>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTreeWidget;

namespace cb {

/// Everything about the selected call: all its fields, the event timeline, the
/// transcript, summary and sentiment, and a button that opens the recording. The call
/// row (setCall) updates live; the timeline and transcript (setDetail) are fetched per
/// call by the owner.
class CallDetailsPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallDetailsPane)

public:
    explicit CallDetailsPane(QWidget *parent = nullptr);

    /// Agent ids to names, for the "Agent" field.
    void setAgentNames(const QHash<QString, QString> &names);
    /// Shows @p call; keeps the timeline and transcript when it is the call already shown.
    void setCall(const Call &call);
    void setDetail(const CallDetail &detail);
    /// The detail could not be loaded.
    void setDetailError(const QString &message);
    void clear();

    QString callId() const { return m_call.id; }
    const Call &call() const { return m_call; }
    QString fieldText(const QString &label) const;
    int timelineCount() const;
    QString transcriptText() const;

Q_SIGNALS:
    void copyIdRequested(const QString &callId);

private:
    void addField(const QString &label);
    void setField(const QString &label, const QString &value);

    Call m_call;
    QHash<QString, QString> m_agentNames;
    QStackedWidget *m_stack;
    QLabel *m_statusIcon;
    QLabel *m_title;
    QLabel *m_subtitle;
    QLabel *m_badges;
    QPushButton *m_recording;
    QPushButton *m_copyId;
    QTabWidget *m_tabs;
    QFormLayout *m_form;
    QHash<QString, QLabel *> m_fields;
    QTreeWidget *m_timeline;
    QLabel *m_timelineNote;
    QPlainTextEdit *m_transcript;
    QLabel *m_summary;
    QLabel *m_sentiment;
};

} // namespace cb
