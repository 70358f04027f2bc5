#include "phonenumber.h"

namespace cb {

namespace {

constexpr int minDigits = 7;
constexpr int maxDigits = 15;

bool isSeparator(QChar c)
{
    return c == u' ' || c == u'-' || c == u'.' || c == u'/' || c == u'(' || c == u')' ||
        c == QChar(0x00A0);
}

} // namespace

QString normalizePhoneNumber(QStringView input)
{
    QString out;
    out.reserve(input.size());
    for (QChar c : input.trimmed()) {
        if (!isSeparator(c))
            out.append(c);
    }
    if (out.startsWith(u"00"))
        out.replace(0, 2, u'+');
    return out;
}

PhoneNumberProblem phoneNumberProblem(QStringView input)
{
    const QString number = normalizePhoneNumber(input);
    if (number.isEmpty())
        return PhoneNumberProblem::Empty;
    const bool plus = number.front() == u'+';
    const QStringView digits = QStringView(number).mid(plus ? 1 : 0);
    for (QChar c : digits) {
        if (c < u'0' || c > u'9')
            return PhoneNumberProblem::InvalidCharacter;
    }
    if (!plus)
        return PhoneNumberProblem::MissingPlus;
    if (digits.isEmpty())
        return PhoneNumberProblem::TooShort;
    if (digits.front() == u'0')
        return PhoneNumberProblem::LeadingZero;
    if (digits.size() < minDigits)
        return PhoneNumberProblem::TooShort;
    if (digits.size() > maxDigits)
        return PhoneNumberProblem::TooLong;
    return PhoneNumberProblem::None;
}

bool isE164(QStringView number)
{
    if (number.size() < 1 + minDigits || number.size() > 1 + maxDigits || number.front() != u'+')
        return false;
    if (number[1] < u'1' || number[1] > u'9')
        return false;
    for (QChar c : number.mid(2)) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

} // namespace cb
