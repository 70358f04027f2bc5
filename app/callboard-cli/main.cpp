#include <QCommandLineParser>
#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("callboard-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CALLBOARD_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Command-line client for a Callboard server."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    return 0;
}
