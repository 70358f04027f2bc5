#include "inlinemessage.h"

#include "icons.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>

namespace cb {

InlineMessage::InlineMessage(QWidget *parent)
    : QWidget(parent), m_icon(new QLabel(this)), m_text(new QLabel(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addWidget(m_text, 1);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setTextFormat(Qt::PlainText);
    setVisible(false);
}

void InlineMessage::showMessage(Kind kind, const QString &text)
{
    m_kind = kind;
    const char *iconName = "error";
    switch (kind) {
    case Kind::Error:
        iconName = "error";
        break;
    case Kind::Warning:
        iconName = "warning";
        break;
    case Kind::Info:
        iconName = "info";
        break;
    case Kind::Ok:
        iconName = "ok";
        break;
    }
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(ui::colourIcon(QLatin1String(iconName)).pixmap(size, size));
    m_text->setText(text);
    applyColours();
    setVisible(!text.isEmpty());
}

void InlineMessage::clear()
{
    m_text->clear();
    setVisible(false);
}

QString InlineMessage::text() const
{
    return m_text->text();
}

void InlineMessage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyColours();
    QWidget::changeEvent(event);
}

void InlineMessage::applyColours()
{
    QColor colour;
    switch (m_kind) {
    case Kind::Error:
        colour = ui::errorTextColour(palette());
        break;
    case Kind::Warning:
        colour = ui::warningTextColour(palette());
        break;
    case Kind::Ok:
        colour = ui::okTextColour(palette());
        break;
    case Kind::Info:
        colour = palette().color(QPalette::WindowText);
        break;
    }
    QPalette p = m_text->palette();
    p.setColor(QPalette::WindowText, colour);
    m_text->setPalette(p);
}

} // namespace cb
