#include "calltabledelegate.h"

#include "icons.h"

#include "models/calltablemodel.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>

namespace cb {

namespace {

struct Badge
{
    QString text;
    QColor colour;
};

QList<Badge> badgesFor(int flags, const QPalette &palette)
{
    QList<Badge> badges;
    const bool dark = ui::isDarkPalette(palette);
    if (flags & CallTableModel::StaleFlag)
        badges.append({CallTableDelegate::tr("STALE"), ui::warningTextColour(palette)});
    if (flags & CallTableModel::TestFlag)
        badges.append({CallTableDelegate::tr("TEST"),
                       dark ? QColor(0xb3, 0x9d, 0xff) : QColor(0x6d, 0x3f, 0xd8)});
    if (flags & CallTableModel::VoicemailFlag)
        badges.append({CallTableDelegate::tr("VM"), palette.color(QPalette::Text)});
    return badges;
}

} // namespace

CallTableDelegate::CallTableDelegate(QObject *parent) : QStyledItemDelegate(parent) { }

void CallTableDelegate::initStyleOption(QStyleOptionViewItem *option,
                                        const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const int flags = index.data(CallTableModel::FlagsRole).toInt();
    // The model's own background and colours assume a light theme; choose here instead.
    option->backgroundBrush = Qt::NoBrush;
    if (flags & CallTableModel::StaleFlag) {
        QColor tint = ui::warningTextColour(option->palette);
        tint.setAlpha(ui::isDarkPalette(option->palette) ? 55 : 38);
        option->backgroundBrush = tint;
    }
    option->palette.setBrush(QPalette::Text,
                             option->palette.brush(QPalette::Active, QPalette::Text));

    switch (index.column()) {
    case CallTableModel::StatusColumn: {
        const QVariant status = index.data(CallTableModel::StatusRole);
        if (!status.isValid())
            break;
        const auto s = static_cast<CallStatus>(status.toInt());
        option->icon = ui::statusIcon(s);
        option->features |= QStyleOptionViewItem::HasDecoration;
        option->decorationSize = QSize(16, 16);
        option->palette.setColor(QPalette::Text, ui::statusColour(s, option->palette));
        if (flags & CallTableModel::StaleFlag)
            option->font.setItalic(true);
        break;
    }
    case CallTableModel::DirectionColumn: {
        const Call call = index.data(CallTableModel::CallRole).value<Call>();
        if (call.direction) {
            option->icon = ui::directionIcon(*call.direction);
            option->features |= QStyleOptionViewItem::HasDecoration;
            option->decorationSize = QSize(14, 14);
        } else {
            option->icon = QIcon();
            option->features &= ~QStyleOptionViewItem::HasDecoration;
        }
        break;
    }
    case CallTableModel::TimeColumn: {
        // Today's calls need only the time; the full date is in the tooltip and details.
        const Call call = index.data(CallTableModel::CallRole).value<Call>();
        QDateTime when = call.createdAt.isValid()
            ? call.createdAt
            : (call.startedAt.isValid() ? call.startedAt : call.updatedAt);
        if (when.isValid()) {
            when = when.toLocalTime();
            const bool today = when.date() == QDate::currentDate();
            option->text = QLocale().toString(
                when, today ? QStringLiteral("HH:mm:ss") : QStringLiteral("d MMM HH:mm"));
        }
        option->features &= ~QStyleOptionViewItem::HasDecoration;
        option->icon = QIcon();
        break;
    }
    case CallTableModel::DurationColumn:
    case CallTableModel::CostColumn:
        option->features &= ~QStyleOptionViewItem::HasDecoration;
        option->icon = QIcon();
        break;
    default:
        option->features &= ~QStyleOptionViewItem::HasDecoration;
        option->icon = QIcon();
        break;
    }
}

void CallTableDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    if (index.column() != CallTableModel::FlagsColumn) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QList<Badge> badges =
        badgesFor(index.data(CallTableModel::FlagsRole).toInt(), opt.palette);
    if (badges.isEmpty())
        return;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QFont small = opt.font;
    small.setPointSizeF(small.pointSizeF() * 0.78);
    small.setWeight(QFont::Bold);
    painter->setFont(small);
    const QFontMetrics fm(small);
    const int height = fm.height() + 2;
    int x = opt.rect.left() + 4;
    const int y = opt.rect.center().y() - height / 2;
    for (const Badge &badge : badges) {
        const int width = fm.horizontalAdvance(badge.text) + 10;
        if (x + width > opt.rect.right())
            break;
        const QRectF pill(x, y, width, height);
        QColor fill = badge.colour;
        fill.setAlpha(40);
        painter->setPen(QPen(badge.colour, 1));
        painter->setBrush(fill);
        painter->drawRoundedRect(pill.adjusted(0.5, 0.5, -0.5, -0.5), height / 2.0, height / 2.0);
        painter->setPen(badge.colour);
        painter->drawText(pill, Qt::AlignCenter, badge.text);
        x += width + 4;
    }
    painter->restore();
}

QSize CallTableDelegate::sizeHint(const QStyleOptionViewItem &option,
                                  const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() == CallTableModel::FlagsColumn) {
        const int flags = index.data(CallTableModel::FlagsRole).toInt();
        QFont small = option.font;
        small.setPointSizeF(small.pointSizeF() * 0.78);
        const QFontMetrics fm(small);
        int width = 8;
        for (const Badge &badge : badgesFor(flags, option.palette))
            width += fm.horizontalAdvance(badge.text) + 14;
        size.setWidth(std::max(size.width(), width));
    }
    return size;
}

} // namespace cb
