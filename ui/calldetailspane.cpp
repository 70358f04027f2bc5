#include "calldetailspane.h"

#include "icons.h"

#include <QDesktopServices>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace cb {

namespace {

QString timeText(const QDateTime &time)
{
    if (!time.isValid())
        return QStringLiteral("—");
    return QLocale().toString(time.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString orDash(const QString &text)
{
    return text.isEmpty() ? QStringLiteral("—") : text;
}

QString durationText(const std::optional<double> &seconds)
{
    if (!seconds)
        return QStringLiteral("—");
    const qint64 s = qint64(*seconds + 0.5);
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString costText(const Call &call)
{
    if (!call.costCents)
        return QStringLiteral("—");
    const QString currency =
        call.currency.isEmpty() ? QStringLiteral("USD") : call.currency.toUpper();
    return QStringLiteral("%1 %2").arg(QLocale().toString(*call.costCents / 100.0, 'f', 2),
                                       currency);
}

} // namespace

CallDetailsPane::CallDetailsPane(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
    , m_statusIcon(new QLabel(this))
    , m_title(new QLabel(this))
    , m_subtitle(new QLabel(this))
    , m_badges(new QLabel(this))
    , m_recording(
          new QPushButton(ui::themedIcon(QStringLiteral("recording")), tr("Open &Recording"), this))
    , m_copyId(new QPushButton(ui::themedIcon(QStringLiteral("copy")), tr("Copy ID"), this))
    , m_tabs(new QTabWidget(this))
    , m_form(new QFormLayout)
    , m_timeline(new QTreeWidget(this))
    , m_timelineNote(new QLabel(this))
    , m_transcript(new QPlainTextEdit(this))
    , m_summary(new QLabel(this))
    , m_sentiment(new QLabel(this))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_stack);

    auto *placeholder =
        new QLabel(tr("Select a call to see its details,\nevent timeline and transcript."), this);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setForegroundRole(QPalette::PlaceholderText);
    placeholder->setWordWrap(true);
    m_stack->addWidget(placeholder);

    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(8);

    auto *header = new QHBoxLayout;
    header->setSpacing(10);
    header->addWidget(m_statusIcon, 0, Qt::AlignTop);
    auto *titles = new QVBoxLayout;
    titles->setSpacing(2);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.35);
    titleFont.setWeight(QFont::DemiBold);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_subtitle->setWordWrap(true);
    m_badges->setTextFormat(Qt::RichText);
    titles->addWidget(m_title);
    titles->addWidget(m_subtitle);
    titles->addWidget(m_badges);
    header->addLayout(titles, 1);
    layout->addLayout(header);

    auto *actions = new QHBoxLayout;
    actions->addWidget(m_recording);
    actions->addWidget(m_copyId);
    actions->addStretch(1);
    layout->addLayout(actions);
    connect(m_recording, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl(m_call.recordingUrl)); });
    connect(m_copyId, &QPushButton::clicked, this, [this] { Q_EMIT copyIdRequested(m_call.id); });

    auto *fieldsPage = new QWidget;
    fieldsPage->setLayout(m_form);
    m_form->setLabelAlignment(Qt::AlignRight);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    for (const QString &label : {tr("Status"),    tr("Provider status"), tr("End reason"),
                                 tr("Direction"), tr("Caller"),          tr("From"),
                                 tr("To"),        tr("Agent"),           tr("Provider"),
                                 tr("Created"),   tr("Started"),         tr("Answered"),
                                 tr("Ended"),     tr("Duration"),        tr("Cost"),
                                 tr("Flags"),     tr("Call ID"),         tr("Provider call ID"),
                                 tr("Sequence"),  tr("Updated")}) {
        addField(label);
    }
    auto *scroll = new QScrollArea;
    scroll->setWidget(fieldsPage);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_tabs->addTab(scroll, tr("Details"));

    auto *timelinePage = new QWidget;
    auto *timelineLayout = new QVBoxLayout(timelinePage);
    timelineLayout->setContentsMargins(0, 4, 0, 0);
    m_timeline->setHeaderLabels(
        {tr("Time"), tr("Source"), tr("Event"), tr("Status"), tr("Detail")});
    m_timeline->setRootIsDecorated(false);
    m_timeline->setUniformRowHeights(true);
    m_timeline->setAlternatingRowColors(true);
    m_timeline->header()->setStretchLastSection(true);
    m_timeline->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_timeline->header()->setSectionResizeMode(4, QHeaderView::Stretch);
    m_timelineNote->setForegroundRole(QPalette::PlaceholderText);
    m_timelineNote->setWordWrap(true);
    timelineLayout->addWidget(m_timelineNote);
    timelineLayout->addWidget(m_timeline, 1);
    m_tabs->addTab(timelinePage, tr("Timeline"));

    m_transcript->setReadOnly(true);
    m_transcript->setPlaceholderText(
        tr("No transcript yet. Providers send it when the call ends."));
    m_tabs->addTab(m_transcript, tr("Transcript"));

    auto *summaryPage = new QWidget;
    auto *summaryLayout = new QVBoxLayout(summaryPage);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    summaryLayout->addWidget(m_sentiment);
    summaryLayout->addWidget(m_summary, 1);
    m_tabs->addTab(summaryPage, tr("Summary"));

    layout->addWidget(m_tabs, 1);
    m_stack->addWidget(page);
    m_stack->setCurrentIndex(0);
    setMinimumWidth(300);
}

void CallDetailsPane::addField(const QString &label)
{
    auto *value = new QLabel(QStringLiteral("—"));
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    m_form->addRow(label + u':', value);
    m_fields.insert(label, value);
}

void CallDetailsPane::setField(const QString &label, const QString &value)
{
    if (QLabel *field = m_fields.value(label))
        field->setText(value);
}

QString CallDetailsPane::fieldText(const QString &label) const
{
    const QLabel *field = m_fields.value(label);
    return field ? field->text() : QString();
}

void CallDetailsPane::setAgentNames(const QHash<QString, QString> &names)
{
    m_agentNames = names;
    if (!m_call.id.isEmpty())
        setField(tr("Agent"), orDash(m_agentNames.value(m_call.agentId, m_call.agentId)));
}

void CallDetailsPane::setCall(const Call &call)
{
    const bool other = call.id != m_call.id;
    m_call = call;
    if (other) {
        m_timeline->clear();
        m_timelineNote->setText(tr("Loading the event timeline…"));
        m_transcript->setPlainText(call.transcript);
        m_tabs->setCurrentIndex(0);
    }
    m_stack->setCurrentIndex(1);

    m_statusIcon->setPixmap(ui::statusIcon(call.status).pixmap(32, 32));
    const QString number = call.customerNumber();
    m_title->setText(call.callerName.isEmpty() ? orDash(number) : call.callerName);
    QStringList parts;
    parts << ui::statusText(call.status);
    if (call.direction)
        parts << ui::directionText(*call.direction);
    parts << ui::providerText(call.provider);
    if (!call.callerName.isEmpty() && !number.isEmpty())
        parts << number;
    m_subtitle->setText(parts.join(QStringLiteral("  ·  ")));

    QStringList badges;
    auto badge = [&badges, this](const QString &text, const QColor &colour) {
        badges << QStringLiteral("<span style=\"color:%1; font-weight:600\">%2</span>")
                      .arg(colour.name(), text.toHtmlEscaped());
    };
    if (call.isTest)
        badge(tr("TEST CALL"),
              QColor(0x8b, 0x5c, 0xf6).lighter(ui::isDarkPalette(palette()) ? 140 : 100));
    if (call.stale)
        badge(tr("STALE — no update within its state's timeout"), ui::warningTextColour(palette()));
    if (call.voicemail)
        badge(tr("VOICEMAIL"), palette().color(QPalette::Text));
    if (call.finalized)
        badge(tr("FINAL"), ui::okTextColour(palette()));
    m_badges->setText(badges.join(QStringLiteral("&nbsp;&nbsp;")));
    m_badges->setVisible(!badges.isEmpty());

    m_recording->setEnabled(!call.recordingUrl.isEmpty());
    m_recording->setToolTip(call.recordingUrl.isEmpty() ? tr("No recording for this call")
                                                        : call.recordingUrl);

    setField(tr("Status"),
             ui::statusText(call.status) + (call.finalized ? tr(" (final)") : QString()));
    setField(tr("Provider status"), orDash(call.rawStatus));
    setField(tr("End reason"), orDash(call.endReason));
    setField(tr("Direction"),
             call.direction ? ui::directionText(*call.direction) : QStringLiteral("—"));
    setField(tr("Caller"), orDash(call.callerName));
    setField(tr("From"), orDash(call.fromNumber));
    setField(tr("To"), orDash(call.toNumber));
    setField(tr("Agent"), orDash(m_agentNames.value(call.agentId, call.agentId)));
    setField(tr("Provider"), ui::providerText(call.provider));
    setField(tr("Created"), timeText(call.createdAt));
    setField(tr("Started"), timeText(call.startedAt));
    setField(tr("Answered"), timeText(call.answeredAt));
    setField(tr("Ended"), timeText(call.endedAt));
    setField(tr("Duration"), durationText(call.durationS));
    setField(tr("Cost"), costText(call));
    QStringList flags;
    if (call.isTest)
        flags << tr("test");
    if (call.stale)
        flags << tr("stale");
    if (call.voicemail)
        flags << tr("voicemail");
    if (call.finalized)
        flags << tr("finalized");
    setField(tr("Flags"), flags.isEmpty() ? QStringLiteral("—") : flags.join(QStringLiteral(", ")));
    setField(tr("Call ID"), call.id);
    setField(tr("Provider call ID"), orDash(call.providerCallId));
    setField(tr("Sequence"), QString::number(call.seq));
    setField(tr("Updated"), timeText(call.updatedAt));

    if (!call.transcript.isEmpty() && call.transcript != m_transcript->toPlainText())
        m_transcript->setPlainText(call.transcript);
    m_summary->setText(call.summary.isEmpty() ? tr("No summary yet.") : call.summary);
    QString sentiment =
        call.sentiment.isEmpty() ? tr("Sentiment: —") : tr("Sentiment: %1").arg(call.sentiment);
    if (call.success)
        sentiment +=
            *call.success ? tr("   ·   Outcome: successful") : tr("   ·   Outcome: not successful");
    m_sentiment->setText(sentiment);
}

void CallDetailsPane::setDetail(const CallDetail &detail)
{
    if (detail.call.id != m_call.id)
        return;
    Call merged = m_call.seq > detail.call.seq ? m_call : detail.call;
    if (merged.transcript.isEmpty())
        merged.transcript = detail.call.transcript;
    setCall(merged);
    m_timeline->clear();
    for (const TimelineEntry &entry : detail.timeline) {
        auto *item = new QTreeWidgetItem(m_timeline);
        item->setText(0,
                      QLocale().toString(entry.at.toLocalTime(), QStringLiteral("HH:mm:ss.zzz")));
        item->setToolTip(0, timeText(entry.at));
        item->setText(1, entry.source);
        item->setText(2, entry.kind);
        if (entry.status) {
            item->setText(3, ui::statusText(*entry.status));
            item->setIcon(3, ui::statusIcon(*entry.status));
        }
        item->setText(4, entry.detail);
        item->setToolTip(4, entry.detail);
    }
    m_timelineNote->setText(detail.timeline.isEmpty() ? tr("No events recorded for this call yet.")
                                                      : tr("%n event(s), oldest first.", nullptr,
                                                           int(detail.timeline.size())));
    if (!detail.call.transcript.isEmpty())
        m_transcript->setPlainText(detail.call.transcript);
}

void CallDetailsPane::setDetailError(const QString &message)
{
    m_timelineNote->setText(tr("Could not load the timeline: %1").arg(message));
}

void CallDetailsPane::clear()
{
    m_call = Call{};
    m_timeline->clear();
    m_transcript->clear();
    m_stack->setCurrentIndex(0);
}

int CallDetailsPane::timelineCount() const
{
    return m_timeline->topLevelItemCount();
}

QString CallDetailsPane::transcriptText() const
{
    return m_transcript->toPlainText();
}

} // namespace cb
