#include "icons.h"

#include <QApplication>
#include <QHash>
#include <QIconEngine>
#include <QPainter>
#include <QPalette>
#include <QPixmapCache>
#include <QSvgRenderer>

namespace cb::ui {

namespace {

/// Renders one SVG in a single colour taken from the palette at paint time.
class TintedSvgIconEngine final : public QIconEngine
{
public:
    explicit TintedSvgIconEngine(QString path) : m_path(std::move(path)) { }

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State state) override
    {
        const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
        QPixmap pm = render(rect.size() * dpr, mode, state);
        pm.setDevicePixelRatio(dpr);
        painter->drawPixmap(rect, pm);
    }

    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override
    {
        return render(size, mode, state);
    }

    QIconEngine *clone() const override { return new TintedSvgIconEngine(m_path); }
    QString key() const override { return QStringLiteral("callboard-tinted-svg"); }

private:
    QPixmap render(const QSize &size, QIcon::Mode mode, QIcon::State)
    {
        const QPalette palette = QApplication::palette();
        QColor colour = palette.color(QPalette::Active, QPalette::WindowText);
        if (mode == QIcon::Disabled)
            colour = palette.color(QPalette::Disabled, QPalette::WindowText);
        else if (mode == QIcon::Selected)
            colour = palette.color(QPalette::Active, QPalette::HighlightedText);

        const QString cacheKey = QStringLiteral("cbicon:%1:%2x%3:%4")
                                     .arg(m_path)
                                     .arg(size.width())
                                     .arg(size.height())
                                     .arg(colour.rgba());
        QPixmap pm;
        if (QPixmapCache::find(cacheKey, &pm))
            return pm;

        pm = QPixmap(size);
        pm.fill(Qt::transparent);
        {
            QPainter p(&pm);
            QSvgRenderer renderer(m_path);
            renderer.render(&p, QRectF(QPointF(0, 0), QSizeF(size)));
            p.setCompositionMode(QPainter::CompositionMode_SourceIn);
            p.fillRect(pm.rect(), colour);
        }
        QPixmapCache::insert(cacheKey, pm);
        return pm;
    }

    QString m_path;
};

QColor withContrast(QColor colour, const QPalette &palette)
{
    // Status colours are mid-tones; on a dark base lighten them, on a light base darken
    // them a little so text drawn in them stays readable.
    if (isDarkPalette(palette))
        return colour.lighter(135);
    return colour.darker(115);
}

} // namespace

QIcon themedIcon(const QString &name)
{
    return QIcon(new TintedSvgIconEngine(QStringLiteral(":/icons/%1.svg").arg(name)));
}

QIcon colourIcon(const QString &name)
{
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(name));
}

QIcon statusIcon(CallStatus status)
{
    static QHash<int, QIcon> cache;
    auto it = cache.find(static_cast<int>(status));
    if (it == cache.end())
        it = cache.insert(static_cast<int>(status),
                          QIcon(QStringLiteral(":/icons/status/%1.svg").arg(wireName(status))));
    return *it;
}

QIcon directionIcon(Direction direction)
{
    return themedIcon(wireName(direction));
}

QIcon appIcon()
{
    return QIcon(QStringLiteral(":/callboard.svg"));
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

QColor statusColour(CallStatus status, const QPalette &palette)
{
    QColor base;
    switch (status) {
    case CallStatus::Queued:
    case CallStatus::Canceled:
        return isDarkPalette(palette) ? QColor(0xa0, 0xa6, 0xb0) : QColor(0x6b, 0x70, 0x78);
    case CallStatus::Initiated:
        base = QColor(0x3b, 0x82, 0xf6);
        break;
    case CallStatus::Ringing:
        base = QColor(0xc2, 0x8a, 0x06);
        break;
    case CallStatus::InProgress:
        base = QColor(0x7c, 0x5c, 0xff);
        break;
    case CallStatus::Completed:
        base = QColor(0x1f, 0x9a, 0x52);
        break;
    case CallStatus::Busy:
        base = QColor(0xe0, 0x70, 0x14);
        break;
    case CallStatus::NoAnswer:
        base = QColor(0xb8, 0x7d, 0x08);
        break;
    case CallStatus::Failed:
        base = QColor(0xd6, 0x36, 0x36);
        break;
    }
    return withContrast(base, palette);
}

QColor errorTextColour(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0xff, 0x80, 0x80) : QColor(0xb4, 0x1f, 0x1f);
}

QColor okTextColour(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0x6e, 0xd8, 0x96) : QColor(0x17, 0x7a, 0x3f);
}

QColor warningTextColour(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0xf5, 0xc2, 0x4c) : QColor(0x9a, 0x5b, 0x00);
}

QString statusText(CallStatus status)
{
    switch (status) {
    case CallStatus::Queued:
        return QApplication::translate("cb::ui", "Queued");
    case CallStatus::Initiated:
        return QApplication::translate("cb::ui", "Initiated");
    case CallStatus::Ringing:
        return QApplication::translate("cb::ui", "Ringing");
    case CallStatus::InProgress:
        return QApplication::translate("cb::ui", "In progress");
    case CallStatus::Completed:
        return QApplication::translate("cb::ui", "Completed");
    case CallStatus::Busy:
        return QApplication::translate("cb::ui", "Busy");
    case CallStatus::NoAnswer:
        return QApplication::translate("cb::ui", "No answer");
    case CallStatus::Failed:
        return QApplication::translate("cb::ui", "Failed");
    case CallStatus::Canceled:
        return QApplication::translate("cb::ui", "Canceled");
    }
    return {};
}

QString providerText(Provider provider)
{
    switch (provider) {
    case Provider::Bolna:
        return QStringLiteral("Bolna");
    case Provider::Vapi:
        return QStringLiteral("Vapi");
    case Provider::Retell:
        return QStringLiteral("Retell");
    }
    return {};
}

QString directionText(Direction direction)
{
    switch (direction) {
    case Direction::Inbound:
        return QApplication::translate("cb::ui", "Inbound");
    case Direction::Outbound:
        return QApplication::translate("cb::ui", "Outbound");
    case Direction::Web:
        return QApplication::translate("cb::ui", "Web");
    }
    return {};
}

QString roleText(Role role)
{
    switch (role) {
    case Role::Viewer:
        return QApplication::translate("cb::ui", "Viewer");
    case Role::Staff:
        return QApplication::translate("cb::ui", "Staff");
    case Role::Admin:
        return QApplication::translate("cb::ui", "Admin");
    }
    return {};
}

} // namespace cb::ui
