#include "client/realtimeclient.h"
#include "client/secretstore.h"
#include "models/callfiltermodel.h"
#include "models/calltablemodel.h"
#include "ui/appcontroller.h"
#include "ui/icons.h"
#include "ui/screenshottour.h"
#include "ui/selfcheck.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("callboard"));
    QApplication::setOrganizationName(QStringLiteral("Callboard"));
    QApplication::setApplicationDisplayName(QStringLiteral("Callboard"));
    QApplication::setApplicationVersion(QStringLiteral(CALLBOARD_VERSION));
    // Wayland compositors find the desktop entry, and with it the icon, by this id.
    QApplication::setDesktopFileName(QStringLiteral("org.callboard.Callboard"));
    QApplication::setWindowIcon(cb::ui::appIcon());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Live operations console for voice-AI phone agents."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QStringLiteral("Start the bundled local demo server and sign in as its admin."));
    parser.addOption(demo);
    const QCommandLineOption noKeychain(
        QStringLiteral("no-keychain"),
        QStringLiteral("Keep the session in memory only, never in the system keychain."));
    parser.addOption(noKeychain);
    const auto hidden = [](QCommandLineOption option) {
        option.setFlags(QCommandLineOption::HiddenFromHelp);
        return option;
    };
    const QCommandLineOption demoData =
        hidden({QStringLiteral("demo-data"), QString(), QStringLiteral("dir")});
    const QCommandLineOption serverProgram =
        hidden({QStringLiteral("server-program"), QString(), QStringLiteral("path")});
    const QCommandLineOption quitAfter =
        hidden({QStringLiteral("quit-after"), QString(), QStringLiteral("seconds")});
    const QCommandLineOption report =
        hidden({QStringLiteral("report"), QString(), QStringLiteral("file")});
    const QCommandLineOption checkModels =
        hidden(QCommandLineOption(QStringLiteral("check-models")));
    const QCommandLineOption tour =
        hidden({QStringLiteral("screenshot-tour"), QString(), QStringLiteral("dir")});
    for (const auto &option : {demoData, serverProgram, quitAfter, report, checkModels, tour})
        parser.addOption(option);
    parser.process(app);

    QSettings settings;
    cb::AppController::Options options;
    options.demo = parser.isSet(demo) || parser.isSet(tour);
    options.demoDataDir = parser.value(demoData);
    options.serverProgram = parser.value(serverProgram);
    std::unique_ptr<cb::SecretStore> keychain;
    if (!parser.isSet(noKeychain) && !parser.isSet(tour))
        keychain = std::make_unique<cb::KeychainStore>();
    cb::AppController controller(&settings, keychain.get(), options);

    int exitCode = 0;
    QObject::connect(&controller, &cb::AppController::startFailed, &app,
                     [&exitCode](const cb::Error &error) {
                         std::fprintf(stderr, "callboard: %s\n", qPrintable(error.message));
                         exitCode = 1;
                         QApplication::exit(1);
                     });

    if (parser.isSet(checkModels)) {
        using Mode = QAbstractItemModelTester::FailureReportingMode;
        new QAbstractItemModelTester(controller.callModel(), Mode::Warning, &controller);
        new QAbstractItemModelTester(controller.filterModel(), Mode::Warning, &controller);
    }
    std::unique_ptr<cb::SelfCheck> check;
    if (parser.isSet(report))
        check = std::make_unique<cb::SelfCheck>(&controller, parser.value(report));
    if (parser.isSet(quitAfter)) {
        const int seconds = parser.value(quitAfter).toInt();
        QTimer::singleShot(std::max(seconds, 1) * 1000, &app, [] { QApplication::quit(); });
    }
    std::unique_ptr<cb::ScreenshotTour> screenshots;
    if (parser.isSet(tour)) {
        screenshots = std::make_unique<cb::ScreenshotTour>(&controller, parser.value(tour));
        QObject::connect(screenshots.get(), &cb::ScreenshotTour::finished, &app,
                         [&exitCode](bool ok) {
                             exitCode = ok ? 0 : 2;
                             QApplication::exit(exitCode);
                         });
        screenshots->start();
    }

    controller.start();
    const int rc = app.exec();
    if (check && !check->writeReport())
        std::fprintf(stderr, "callboard: cannot write the report\n");
    return rc != 0 ? rc : exitCode;
}
