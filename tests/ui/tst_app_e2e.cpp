#include "core/json.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

/// The real `callboard` binary, offscreen, in demo mode (its own callboard-server child
/// and simulated calls) for CALLBOARD_E2E_SECONDS (default 30): rows appear, statuses
/// advance, metrics update, and Qt reports no model misuse on stderr.
class TestAppEndToEnd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void demoRunsClean()
    {
        const int seconds = qEnvironmentVariableIsSet("CALLBOARD_E2E_SECONDS")
            ? qEnvironmentVariableIntValue("CALLBOARD_E2E_SECONDS")
            : 30;
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QString report = home.filePath(QStringLiteral("report.json"));

        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home.filePath(QStringLiteral("cache")));
        app.setProcessEnvironment(env);
        app.setProgram(QStringLiteral(CALLBOARD_BIN_DIR "/callboard"));
        app.setArguments({QStringLiteral("--demo"), QStringLiteral("--no-keychain"),
                          QStringLiteral("--check-models"), QStringLiteral("--demo-data"),
                          home.filePath(QStringLiteral("demo")), QStringLiteral("--server-program"),
                          QStringLiteral(CALLBOARD_BIN_DIR "/callboard-server"),
                          QStringLiteral("--quit-after"), QString::number(seconds),
                          QStringLiteral("--report"), report});
        app.start();
        QVERIFY2(app.waitForStarted(10000), qPrintable(app.errorString()));
        QVERIFY(app.waitForFinished((seconds + 60) * 1000));
        const QString stderrText = QString::fromUtf8(app.readAllStandardError());
        QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0,
                 qPrintable(stderrText.right(3000)));

        static const QRegularExpression misuse(QStringLiteral(
            "qt\\.modeltest|QAbstractItemModelTester|FAIL!|beginInsertRows|beginRemoveRows|"
            "endInsertRows|endRemoveRows|persistent index|QSortFilterProxyModel|"
            "QAbstractItemView|ASSERT"));
        const QStringList lines = stderrText.split(u'\n');
        for (const QString &line : lines)
            QVERIFY2(!misuse.match(line).hasMatch(), qPrintable(line));

        QFile file(report);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(stderrText.right(3000)));
        const QByteArray bytes = file.readAll();
        const cb::Json json =
            cb::Json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
        QVERIFY(json.is_object());
        qInfo("report: %s", bytes.constData());
        QVERIFY2(json.value("max_rows", 0) > 0, "no rows appeared");
        QVERIFY2(json.value("calls_advanced", 0) > 0, "no call moved to a later status");
        QVERIFY2(json.value("metrics_updates", 0) > 0, "the metrics never updated");
        QCOMPARE(json.value("orgs_entered", 0), 1);
    }
};

QTEST_GUILESS_MAIN(TestAppEndToEnd)
#include "tst_app_e2e.moc"
