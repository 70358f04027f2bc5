#include "core/phonenumber.h"

#include <QTest>

using namespace cb;

class TestPhoneNumber : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void normalizes_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("normalized");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << QStringLiteral("+14155550123") << QStringLiteral("+14155550123")
                               << true;
        QTest::newRow("spaces") << QStringLiteral(" +1 415 555 0123 ")
                                << QStringLiteral("+14155550123") << true;
        QTest::newRow("punctuation")
            << QStringLiteral("+1 (415) 555-01.23") << QStringLiteral("+14155550123") << true;
        QTest::newRow("00 prefix")
            << QStringLiteral("0049 30 1234567") << QStringLiteral("+49301234567") << true;
        QTest::newRow("no plus") << QStringLiteral("4155550123") << QStringLiteral("4155550123")
                                 << false;
        QTest::newRow("leading zero")
            << QStringLiteral("+0415555") << QStringLiteral("+0415555") << false;
        QTest::newRow("letters") << QStringLiteral("+1415CALLME") << QStringLiteral("+1415CALLME")
                                 << false;
        QTest::newRow("too short") << QStringLiteral("+12345") << QStringLiteral("+12345") << false;
        QTest::newRow("shortest") << QStringLiteral("+1234567") << QStringLiteral("+1234567")
                                  << true;
        QTest::newRow("longest") << QStringLiteral("+123456789012345")
                                 << QStringLiteral("+123456789012345") << true;
        QTest::newRow("too long") << QStringLiteral("+1234567890123456")
                                  << QStringLiteral("+1234567890123456") << false;
        QTest::newRow("empty") << QString() << QString() << false;
        QTest::newRow("plus only") << QStringLiteral("+") << QStringLiteral("+") << false;
    }

    void normalizes()
    {
        QFETCH(QString, input);
        QFETCH(QString, normalized);
        QFETCH(bool, valid);
        QCOMPARE(normalizePhoneNumber(input), normalized);
        QCOMPARE(isE164(normalizePhoneNumber(input)), valid);
        QCOMPARE(phoneNumberProblem(input) == PhoneNumberProblem::None, valid);
    }

    void problems()
    {
        QCOMPARE(phoneNumberProblem(u""), PhoneNumberProblem::Empty);
        QCOMPARE(phoneNumberProblem(u"4155550123"), PhoneNumberProblem::MissingPlus);
        QCOMPARE(phoneNumberProblem(u"+1415x"), PhoneNumberProblem::InvalidCharacter);
        QCOMPARE(phoneNumberProblem(u"+0123456789"), PhoneNumberProblem::LeadingZero);
        QCOMPARE(phoneNumberProblem(u"+1415"), PhoneNumberProblem::TooShort);
        QCOMPARE(phoneNumberProblem(u"+14155550123456789"), PhoneNumberProblem::TooLong);
    }
};

QTEST_GUILESS_MAIN(TestPhoneNumber)
#include "tst_phonenumber.moc"
