#include <QCommandLineParser>
#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("callboard-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CALLBOARD_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Stand-in for the Bolna, Vapi and Retell APIs, sending their real webhooks."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    return 0;
}
