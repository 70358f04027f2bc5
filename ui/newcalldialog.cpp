#include "newcalldialog.h"

#include "icons.h"
#include "inlinemessage.h"

#include "core/phonenumber.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QVBoxLayout>

namespace cb {

namespace {

constexpr int agentIdRole = Qt::UserRole + 1;

QString unsyncedReason(const Agent &agent)
{
    switch (agent.webhookState) {
    case WebhookState::Synced:
        return {};
    case WebhookState::Missing:
        return NewCallDialog::tr("webhook not set at %1").arg(ui::providerText(agent.provider));
    case WebhookState::Differs:
        return NewCallDialog::tr("webhook points elsewhere");
    case WebhookState::Error:
        return agent.webhookMessage.isEmpty()
            ? NewCallDialog::tr("webhook check failed")
            : NewCallDialog::tr("webhook error: %1").arg(agent.webhookMessage);
    case WebhookState::Unknown:
        return NewCallDialog::tr("webhook never checked");
    }
    return {};
}

} // namespace

NewCallDialog::NewCallDialog(const QList<Agent> &agents, Role role, QWidget *parent)
    : QDialog(parent)
    , m_role(role)
    , m_agents(new QStandardItemModel(this))
    , m_agent(new QComboBox(this))
    , m_agentHint(new QLabel(this))
    , m_number(new QLineEdit(this))
    , m_numberMessage(new InlineMessage(this))
    , m_test(new QCheckBox(tr("&Test call (hidden from the default view and from metrics)"), this))
    , m_roleMessage(new InlineMessage(this))
    , m_submitMessage(new InlineMessage(this))
{
    setWindowTitle(tr("New Call"));
    setWindowIcon(ui::themedIcon(QStringLiteral("new-call")));
    setMinimumWidth(500);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);
    layout->addWidget(m_roleMessage);

    int firstEnabled = -1;
    for (const Agent &agent : agents) {
        const QString reason = unsyncedReason(agent);
        const QString provider = ui::providerText(agent.provider);
        const QString label = agent.name.contains(provider, Qt::CaseInsensitive)
            ? agent.name
            : tr("%1 (%2)").arg(agent.name, provider);
        auto *item = new QStandardItem(reason.isEmpty() ? label : tr("%1 — %2").arg(label, reason));
        item->setData(agent.id, agentIdRole);
        item->setToolTip(reason.isEmpty() ? tr("Calls from %1").arg(agent.fromNumber)
                                          : tr("Not available: %1. An admin can fix this with "
                                               "Agents ▸ Sync Agents.")
                                                .arg(reason));
        if (!reason.isEmpty())
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable));
        else if (firstEnabled < 0)
            firstEnabled = m_agents->rowCount();
        item->setData(QVariant::fromValue(agent.fromNumber), Qt::UserRole + 2);
        m_agents->appendRow(item);
    }
    m_agent->setModel(m_agents);
    m_agent->setCurrentIndex(firstEnabled);
    m_agent->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_agent->setMinimumContentsLength(28);
    m_agentHint->setWordWrap(true);
    m_agentHint->setForegroundRole(QPalette::PlaceholderText);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto *agentBox = new QWidget(this);
    auto *agentLayout = new QVBoxLayout(agentBox);
    agentLayout->setContentsMargins(0, 0, 0, 0);
    agentLayout->setSpacing(3);
    agentLayout->addWidget(m_agent);
    agentLayout->addWidget(m_agentHint);
    form->addRow(tr("&Agent:"), agentBox);

    m_number->setPlaceholderText(tr("+14155550123"));
    m_number->setClearButtonEnabled(true);
    m_number->setMaxLength(32);
    auto *numberBox = new QWidget(this);
    auto *numberLayout = new QVBoxLayout(numberBox);
    numberLayout->setContentsMargins(0, 0, 0, 0);
    numberLayout->setSpacing(3);
    numberLayout->addWidget(m_number);
    numberLayout->addWidget(m_numberMessage);
    form->addRow(tr("&Number:"), numberBox);
    form->addRow(QString(), m_test);
    layout->addLayout(form);
    layout->addWidget(m_submitMessage);
    layout->addStretch(1);

    auto *buttons = new QDialogButtonBox(this);
    m_callButton = buttons->addButton(tr("Place &Call"), QDialogButtonBox::AcceptRole);
    m_callButton->setIcon(ui::themedIcon(QStringLiteral("new-call")));
    m_callButton->setDefault(true);
    buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(buttons);

    connect(m_callButton, &QPushButton::clicked, this, &NewCallDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_number, &QLineEdit::textChanged, this, &NewCallDialog::validateNumber);
    connect(m_number, &QLineEdit::editingFinished, this, &NewCallDialog::validateNumber);
    connect(m_agent, &QComboBox::currentIndexChanged, this, &NewCallDialog::updateAgentHint);

    m_test->setChecked(role == Role::Admin);
    if (!roleAtLeast(role, Role::Staff)) {
        m_roleMessage->showMessage(InlineMessage::Kind::Warning,
                                   tr("Your role in this organization (%1) can watch calls but "
                                      "not start them. Ask an admin for the Staff role.")
                                       .arg(ui::roleText(role)));
        m_agent->setEnabled(false);
        m_number->setEnabled(false);
        m_test->setEnabled(false);
    } else if (firstEnabled < 0) {
        m_roleMessage->showMessage(InlineMessage::Kind::Warning,
                                   agents.isEmpty()
                                       ? tr("This organization has no agents yet.")
                                       : tr("No agent has its webhook synced, so no call could be "
                                            "followed live. An admin can fix this with Agents ▸ "
                                            "Sync Agents."));
    }
    updateAgentHint();
    validateNumber();
    m_number->setFocus();
}

QString NewCallDialog::selectedAgentId() const
{
    const int row = m_agent->currentIndex();
    if (row < 0)
        return {};
    const QStandardItem *item = m_agents->item(row);
    if (!item || !item->isEnabled())
        return {};
    return item->data(agentIdRole).toString();
}

QString NewCallDialog::normalizedNumber() const
{
    return normalizePhoneNumber(m_number->text());
}

bool NewCallDialog::isTestCall() const
{
    return m_test->isChecked();
}

bool NewCallDialog::canSubmit() const
{
    return !m_submitting && roleAtLeast(m_role, Role::Staff) && !selectedAgentId().isEmpty() &&
        isE164(normalizedNumber());
}

QString NewCallDialog::numberMessage() const
{
    return m_numberMessage->isVisibleTo(this) ? m_numberMessage->text() : QString();
}

QString NewCallDialog::submitError() const
{
    return m_submitMessage->isVisibleTo(this) ? m_submitMessage->text() : QString();
}

void NewCallDialog::setNumber(const QString &text)
{
    m_number->setText(text);
}

void NewCallDialog::validateNumber()
{
    using Kind = InlineMessage::Kind;
    const QString number = normalizedNumber();
    switch (phoneNumberProblem(m_number->text())) {
    case PhoneNumberProblem::None:
        m_numberMessage->showMessage(Kind::Ok, tr("Will call %1").arg(number));
        break;
    case PhoneNumberProblem::Empty:
        m_numberMessage->showMessage(Kind::Info,
                                     tr("International format: + country code and number."));
        break;
    case PhoneNumberProblem::MissingPlus:
        m_numberMessage->showMessage(
            Kind::Error, tr("Start with + and the country code, e.g. +1 415 555 0123."));
        break;
    case PhoneNumberProblem::InvalidCharacter:
        m_numberMessage->showMessage(
            Kind::Error, tr("Only digits, spaces and - . ( ) are allowed after the +."));
        break;
    case PhoneNumberProblem::LeadingZero:
        m_numberMessage->showMessage(Kind::Error, tr("Country codes never start with 0."));
        break;
    case PhoneNumberProblem::TooShort:
        m_numberMessage->showMessage(
            m_number->hasFocus() ? Kind::Info : Kind::Error,
            tr("Too short: E.164 numbers have 7 to 15 digits after the +."));
        break;
    case PhoneNumberProblem::TooLong:
        m_numberMessage->showMessage(
            Kind::Error, tr("Too long: E.164 numbers have at most 15 digits after the +."));
        break;
    }
    updateCallButton();
}

void NewCallDialog::updateAgentHint()
{
    const int row = m_agent->currentIndex();
    const QStandardItem *item = row >= 0 ? m_agents->item(row) : nullptr;
    const QString from = item ? item->data(Qt::UserRole + 2).toString() : QString();
    m_agentHint->setText(from.isEmpty() ? QString() : tr("Calls are placed from %1.").arg(from));
    m_agentHint->setVisible(!from.isEmpty());
    updateCallButton();
}

void NewCallDialog::updateCallButton()
{
    m_callButton->setEnabled(canSubmit());
    const QString number = normalizedNumber();
    m_callButton->setText(isE164(number) ? tr("&Call %1").arg(number) : tr("Place &Call"));
}

void NewCallDialog::submit()
{
    if (!canSubmit())
        return;
    m_submitMessage->clear();
    setSubmitting(true);
    Q_EMIT callRequested(NewCallRequest{selectedAgentId(), normalizedNumber(), isTestCall()});
}

void NewCallDialog::setSubmitting(bool submitting)
{
    m_submitting = submitting;
    const bool editable = !submitting && roleAtLeast(m_role, Role::Staff);
    m_agent->setEnabled(editable);
    m_number->setEnabled(editable);
    m_test->setEnabled(editable);
    if (submitting)
        m_submitMessage->showMessage(InlineMessage::Kind::Info,
                                     tr("Asking the provider to place the call…"));
    updateCallButton();
}

void NewCallDialog::showResult(const Result<Call> &result)
{
    setSubmitting(false);
    if (!result.ok()) {
        m_submitMessage->showMessage(InlineMessage::Kind::Error,
                                     tr("The call was not placed: %1").arg(result.error().message));
        return;
    }
    m_submitMessage->clear();
    m_created = result.value();
    accept();
}

} // namespace cb
