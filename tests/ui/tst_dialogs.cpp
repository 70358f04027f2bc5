#include "testcalls.h"

#include "ui/appsettings.h"
#include "ui/logindialog.h"
#include "ui/newcalldialog.h"
#include "ui/settingsdialog.h"
#include "ui/syncagentsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

using namespace cb;
using cbtest::makeAgent;

class TestDialogs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loginValidatesBeforeAsking()
    {
        LoginDialog dialog;
        QSignalSpy asked(&dialog, &LoginDialog::signInRequested);
        dialog.setServerUrl(QString());
        QTest::mouseClick(dialog.signInButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 0);
        QVERIFY(!dialog.serverError().isEmpty());
        QVERIFY(!dialog.emailError().isEmpty());
        QVERIFY(!dialog.passwordError().isEmpty());

        dialog.setServerUrl(QStringLiteral("ftp://example.com"));
        dialog.setEmail(QStringLiteral("not-an-email"));
        QTest::mouseClick(dialog.signInButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 0);
        QVERIFY(dialog.serverError().contains(QStringLiteral("https://")));
        QVERIFY(!dialog.emailError().isEmpty());
    }

    void loginErrorsShownBesideTheirField()
    {
        LoginDialog dialog;
        QSignalSpy asked(&dialog, &LoginDialog::signInRequested);
        dialog.setServerUrl(QStringLiteral("callboard.example.com"));
        dialog.setEmail(QStringLiteral("ops@example.com"));
        const auto edits = dialog.findChildren<QLineEdit *>();
        for (QLineEdit *edit : edits) {
            if (edit->echoMode() == QLineEdit::Password)
                QTest::keyClicks(edit, QStringLiteral("secret"));
        }
        QTest::mouseClick(dialog.signInButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 1);
        QCOMPARE(dialog.serverUrl(), QUrl(QStringLiteral("https://callboard.example.com")));
        QCOMPARE(dialog.password(), QStringLiteral("secret"));

        dialog.setBusy(true, QStringLiteral("Signing in…"));
        QVERIFY(!dialog.signInButton()->isEnabled());
        dialog.showError({QStringLiteral("invalid_credentials"), QStringLiteral("bad")});
        QVERIFY(dialog.signInButton()->isEnabled());
        QVERIFY(dialog.passwordError().contains(QStringLiteral("Wrong email or password")));
        QVERIFY(dialog.serverError().isEmpty());

        dialog.clearErrors();
        dialog.showError({QStringLiteral("network"), QStringLiteral("Connection refused")});
        QVERIFY(dialog.serverError().contains(QStringLiteral("Connection refused")));
        QVERIFY(dialog.passwordError().isEmpty());

        dialog.clearErrors();
        dialog.showError({QStringLiteral("network"), QStringLiteral("SSL handshake failed")});
        QVERIFY(dialog.serverError().startsWith(QStringLiteral("Secure connection failed")));

        dialog.clearErrors();
        dialog.showError(
            {QStringLiteral("demo_failed"), QStringLiteral("callboard-server not found")});
        QVERIFY(dialog.demoError().contains(QStringLiteral("not found")));

        dialog.clearErrors();
        dialog.showError({QStringLiteral("keychain"), QStringLiteral("No keychain service")});
        QCOMPARE(dialog.generalError(), QStringLiteral("No keychain service"));
    }

    void loginOrgPicker()
    {
        LoginDialog dialog;
        QSignalSpy chosen(&dialog, &LoginDialog::orgChosen);
        dialog.showOrgPicker({{QStringLiteral("o1"), QStringLiteral("Acme"), Role::Admin},
                              {QStringLiteral("o2"), QStringLiteral("Globex"), Role::Viewer}});
        QCOMPARE(dialog.chosenOrgId(), QStringLiteral("o1"));
        const auto buttons = dialog.findChildren<QPushButton *>();
        for (QPushButton *b : buttons) {
            if (b->text() == QStringLiteral("&Continue"))
                b->click();
        }
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.first().first().toString(), QStringLiteral("o1"));
    }

    void newCallValidatesAsYouType()
    {
        NewCallDialog dialog(
            {makeAgent(QStringLiteral("a1"), QStringLiteral("Sales"), WebhookState::Synced)},
            Role::Staff);
        QSignalSpy requested(&dialog, &NewCallDialog::callRequested);
        QVERIFY(!dialog.callButton()->isEnabled());
        QVERIFY(!dialog.isTestCall()); // staff: off by default

        QTest::keyClicks(dialog.numberEdit(), QStringLiteral("4155550123"));
        QVERIFY(dialog.numberMessage().contains(QStringLiteral("country code")));
        QVERIFY(!dialog.callButton()->isEnabled());

        dialog.numberEdit()->clear();
        QTest::keyClicks(dialog.numberEdit(), QStringLiteral("+1 415 555 01x"));
        QVERIFY(dialog.numberMessage().contains(QStringLiteral("Only digits")));

        dialog.numberEdit()->clear();
        QTest::keyClicks(dialog.numberEdit(), QStringLiteral("+0 415"));
        QVERIFY(dialog.numberMessage().contains(QStringLiteral("never start with 0")));

        dialog.numberEdit()->clear();
        QTest::keyClicks(dialog.numberEdit(), QStringLiteral("+1 (415) 555-0123"));
        QCOMPARE(dialog.normalizedNumber(), QStringLiteral("+14155550123"));
        QVERIFY(dialog.numberMessage().contains(QStringLiteral("+14155550123")));
        QVERIFY(dialog.callButton()->isEnabled());

        dialog.callButton()->click();
        QCOMPARE(requested.count(), 1);
        const auto request = requested.first().first().value<NewCallRequest>();
        QCOMPARE(request.agentId, QStringLiteral("a1"));
        QCOMPARE(request.toNumber, QStringLiteral("+14155550123"));
        QCOMPARE(request.isTest, false);
        QVERIFY(!dialog.callButton()->isEnabled()); // submitting

        dialog.showResult(Result<Call>::failure(QStringLiteral("provider_error"),
                                                QStringLiteral("Vapi: phone number not allowed")));
        QVERIFY(dialog.submitError().contains(QStringLiteral("phone number not allowed")));
        QVERIFY(dialog.callButton()->isEnabled());
        QCOMPARE(dialog.result(), 0);

        Call created = cbtest::makeCall(QStringLiteral("c1"), CallStatus::Queued, 0);
        dialog.callButton()->click();
        dialog.showResult(created);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.createdCall().id, QStringLiteral("c1"));
    }

    void newCallOnlyOffersSyncedAgents()
    {
        NewCallDialog dialog(
            {makeAgent(QStringLiteral("a1"), QStringLiteral("Support"), WebhookState::Missing),
             makeAgent(QStringLiteral("a2"), QStringLiteral("Sales"), WebhookState::Synced)},
            Role::Admin);
        QVERIFY(dialog.isTestCall()); // admins testing: on by default
        QCOMPARE(dialog.selectedAgentId(), QStringLiteral("a2"));
        auto *model = qobject_cast<QStandardItemModel *>(dialog.agentCombo()->model());
        QVERIFY(model);
        QVERIFY(!model->item(0)->isEnabled());
        QVERIFY(model->item(0)->text().contains(QStringLiteral("webhook not set")));
        QVERIFY(model->item(1)->isEnabled());
    }

    void newCallRoleGating()
    {
        NewCallDialog viewer(
            {makeAgent(QStringLiteral("a1"), QStringLiteral("Sales"), WebhookState::Synced)},
            Role::Viewer);
        viewer.setNumber(QStringLiteral("+14155550123"));
        QVERIFY(!viewer.canSubmit());
        QVERIFY(!viewer.callButton()->isEnabled());
        QVERIFY(!viewer.numberEdit()->isEnabled());

        NewCallDialog noneSynced(
            {makeAgent(QStringLiteral("a1"), QStringLiteral("Sales"), WebhookState::Error)},
            Role::Admin);
        noneSynced.setNumber(QStringLiteral("+14155550123"));
        QVERIFY(noneSynced.selectedAgentId().isEmpty());
        QVERIFY(!noneSynced.callButton()->isEnabled());
    }

    void syncDialogStates()
    {
        SyncAgentsDialog dialog(
            {makeAgent(QStringLiteral("a1"), QStringLiteral("Sales"), WebhookState::Synced),
             makeAgent(QStringLiteral("a2"), QStringLiteral("Support"), WebhookState::Missing),
             makeAgent(QStringLiteral("a3"), QStringLiteral("Intake"), WebhookState::Differs)},
            Role::Admin);
        QSignalSpy requested(&dialog, &SyncAgentsDialog::syncRequested);
        QCOMPARE(dialog.state(), SyncAgentsDialog::State::Idle);
        QCOMPARE(dialog.checkedAgentIds(),
                 (QStringList{QStringLiteral("a2"), QStringLiteral("a3")}));
        QVERIFY(dialog.webhookText(QStringLiteral("a2")).startsWith(QStringLiteral("Missing")));
        QVERIFY(dialog.syncSelectedButton()->isEnabled());

        dialog.syncSelectedButton()->click();
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.first().first().toStringList(),
                 (QStringList{QStringLiteral("a2"), QStringLiteral("a3")}));
        QCOMPARE(dialog.state(), SyncAgentsDialog::State::Syncing);
        QVERIFY(!dialog.syncAllButton()->isEnabled());
        QCOMPARE(dialog.progressMaximum(), 2);
        QCOMPARE(dialog.resultText(QStringLiteral("a2")), QStringLiteral("Syncing…"));

        Agent synced =
            makeAgent(QStringLiteral("a2"), QStringLiteral("Support"), WebhookState::Synced);
        dialog.agentSynced(QStringLiteral("a2"), synced);
        QCOMPARE(dialog.progressValue(), 1);
        QCOMPARE(dialog.state(), SyncAgentsDialog::State::Syncing);
        QCOMPARE(dialog.webhookText(QStringLiteral("a2")), QStringLiteral("Synced"));
        dialog.agentSynced(QStringLiteral("a2"), synced); // a duplicate answer changes nothing
        QCOMPARE(dialog.progressValue(), 1);

        dialog.agentSynced(QStringLiteral("a3"),
                           Result<Agent>::failure(QStringLiteral("provider_error"),
                                                  QStringLiteral("Retell: 401 invalid key")));
        QCOMPARE(dialog.state(), SyncAgentsDialog::State::Done);
        QCOMPARE(dialog.progressValue(), 2);
        QCOMPARE(dialog.resultText(QStringLiteral("a3")),
                 QStringLiteral("Retell: 401 invalid key"));
        QVERIFY(dialog.summary().contains(QStringLiteral("1 synced, 1 failed")));
        QVERIFY(dialog.syncAllButton()->isEnabled());
    }

    void syncDialogReadOnlyForNonAdmins()
    {
        SyncAgentsDialog dialog(
            {makeAgent(QStringLiteral("a1"), QStringLiteral("Sales"), WebhookState::Missing)},
            Role::Staff);
        QVERIFY(!dialog.syncAllButton()->isEnabled());
        QVERIFY(!dialog.syncSelectedButton()->isEnabled());
        QVERIFY(dialog.checkedAgentIds().isEmpty());
    }

    void settingsRejectBadUrlAndPersist()
    {
        QTemporaryDir dir;
        QSettings store(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        AppSettings settings(&store);
        SettingsDialog dialog(&settings);
        auto *server = dialog.findChild<QLineEdit *>();
        QVERIFY(server);
        server->setText(QStringLiteral("not a url"));
        dialog.accept();
        QCOMPARE(dialog.result(), 0);
        server->setText(QStringLiteral("https://cb.example.com"));
        const auto boxes = dialog.findChildren<QCheckBox *>();
        for (QCheckBox *box : boxes)
            box->setChecked(false);
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(settings.serverUrl(), QStringLiteral("https://cb.example.com"));
        QVERIFY(!settings.notifyFailed());
        QVERIFY(!settings.notifyStale());
    }
};

QTEST_MAIN(TestDialogs)
#include "tst_dialogs.moc"
