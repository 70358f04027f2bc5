#pragma once

#include <QWidget>

class QLabel;

namespace cb {

/// A one-line message shown beside the field it is about (icon + wrapped text), hidden
/// while empty. Used for the inline errors of the dialogs instead of message boxes.
class InlineMessage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InlineMessage)

public:
    enum class Kind { Error, Warning, Info, Ok };

    explicit InlineMessage(QWidget *parent = nullptr);

    void showMessage(Kind kind, const QString &text);
    void clear();
    QString text() const;
    Kind kind() const { return m_kind; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyColours();

    QLabel *m_icon;
    QLabel *m_text;
    Kind m_kind = Kind::Error;
};

} // namespace cb
