#include "testcalls.h"

#include "client/localcache.h"
#include "models/calltablemodel.h"
#include "ui/appcontroller.h"
#include "ui/mainwindow.h"
#include "ui/streamstatuswidget.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace cb;

/// The app restarted with the server gone: the cached calls show at once, marked Offline.
class TestAppOffline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void startsFromCacheAndShowsOffline()
    {
        // A port nobody listens on.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const QUrl server(QStringLiteral("http://127.0.0.1:%1").arg(probe.serverPort()));
        probe.close();
        const QString org = QStringLiteral("org-offline-test");

        const QString cachePath = LocalCache::defaultPath(server, org);
        QFile::remove(cachePath);
        {
            LocalCache cache(cachePath);
            QVERIFY(cache.open().ok());
            QList<Call> calls;
            for (int i = 0; i < 3; ++i) {
                Call call = cbtest::makeCall(QStringLiteral("cached-%1").arg(i),
                                             CallStatus::Completed, 30 - i);
                call.orgId = org;
                call.seq = i + 1;
                calls << call;
            }
            cache.store(calls, {}, 3);
            QVERIFY(cache.flush().ok());
        }

        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        AppController::Options options;
        options.server = server;
        options.token = QStringLiteral("token-of-an-earlier-run");
        options.orgId = org;
        AppController app(&settings, nullptr, options);
        app.start();

        QVERIFY(app.mainWindow());
        QTRY_COMPARE_WITH_TIMEOUT(app.callModel()->rowCount(), 3, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(app.streamHealth().state == StreamHealth::State::Offline &&
                                     app.streamHealth().nextRetryAt.isValid(),
                                 10000);
        StreamStatusWidget *status = app.mainWindow()->streamStatus();
        QTRY_VERIFY(status->stateText().startsWith(QStringLiteral("Offline — cached as of")));
        QVERIFY(status->stateText().contains(QStringLiteral("retrying")));
        QVERIFY(app.mainWindow()->selectCall(QStringLiteral("cached-1")));
        QFile::remove(cachePath);
    }
};

QTEST_MAIN(TestAppOffline)
#include "tst_app_offline.moc"
