#pragma once

#include "core/callstatus.h"
#include "core/enums.h"

#include <QColor>
#include <QIcon>
#include <QString>

class QPalette;

namespace cb::ui {

/// A monochrome action icon from ":/icons/<name>.svg", tinted at paint time with the
/// current palette's text colour (and its disabled colour when disabled), so toolbars
/// read in light and dark themes alike.
QIcon themedIcon(const QString &name);

/// A coloured icon from ":/icons/<name>.svg", drawn as it is.
QIcon colourIcon(const QString &name);

/// The status icon (":/icons/status/<wire name>.svg").
QIcon statusIcon(CallStatus status);
QIcon directionIcon(Direction direction);

/// The application icon.
QIcon appIcon();

/// The status colour, adjusted so that it keeps enough contrast against @p palette's base.
QColor statusColour(CallStatus status, const QPalette &palette);
/// A colour for good/bad/neutral text (inline errors, results) readable on @p palette.
QColor errorTextColour(const QPalette &palette);
QColor okTextColour(const QPalette &palette);
QColor warningTextColour(const QPalette &palette);

/// True when the palette's window is dark.
bool isDarkPalette(const QPalette &palette);

/// "Completed", "No answer", "In progress" …
QString statusText(CallStatus status);
QString providerText(Provider provider);
QString directionText(Direction direction);
QString roleText(Role role);

} // namespace cb::ui
