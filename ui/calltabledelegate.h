#pragma once

#include <QStyledItemDelegate>

namespace cb {

/// Draws the call table the way operators read it: the status as icon + text in its
/// colour (adjusted to the palette), direction icons, flags as small badges (TEST, STALE,
/// VM), and stale rows tinted so they stand out in light and dark themes.
class CallTableDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallTableDelegate)

public:
    explicit CallTableDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace cb
