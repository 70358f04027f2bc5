#pragma once

#include <QString>
#include <QStringView>

namespace cb {

/// Why a phone number is not E.164, for messages shown while the user types.
enum class PhoneNumberProblem {
    None,
    Empty,
    MissingPlus, ///< digits without a leading '+' (or "00") country code
    InvalidCharacter,
    LeadingZero, ///< country codes never start with 0
    TooShort,
    TooLong,
};

/// True for "+" followed by 7 to 15 digits, the first of them 1–9 (ITU-T E.164).
bool isE164(QStringView number);

/// Removes the separators people type (spaces, '-', '.', '/', parentheses) and turns a
/// leading international "00" into '+'. The result is not necessarily valid; check it
/// with isE164() or phoneNumberProblem().
QString normalizePhoneNumber(QStringView input);

/// What is wrong with @p input after normalizePhoneNumber(), or None.
PhoneNumberProblem phoneNumberProblem(QStringView input);

} // namespace cb
