#include "safejson.h"

#include <string>
#include <vector>

namespace cb {

namespace {

constexpr qsizetype maxMessageChars = 160;

/// Builds the document like nlohmann's own DOM parser, but counts nesting as it goes and
/// stops the parse as soon as it passes the cap, and keeps the error position.
class BoundedDomBuilder
{
public:
    BoundedDomBuilder(Json &root, int maxDepth) : m_root(root), m_maxDepth(maxDepth) { }

    bool null() { return add(nullptr); }
    bool boolean(bool value) { return add(value); }
    bool number_integer(Json::number_integer_t value) { return add(value); }
    bool number_unsigned(Json::number_unsigned_t value) { return add(value); }
    bool number_float(Json::number_float_t value, const Json::string_t &) { return add(value); }
    bool string(Json::string_t &value) { return add(std::move(value)); }
    bool binary(Json::binary_t &value) { return add(std::move(value)); }

    bool start_object(std::size_t) { return open(Json::value_t::object); }
    bool start_array(std::size_t) { return open(Json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(Json::string_t &key)
    {
        m_member = &(*m_stack.back())[key];
        return true;
    }

    template<class Exception>
    bool parse_error(std::size_t position, const std::string &, const Exception &error)
    {
        m_errorPosition = position;
        m_errorText = error.what();
        return false;
    }

    bool tooDeep() const { return m_tooDeep; }
    std::size_t errorPosition() const { return m_errorPosition; }
    const std::string &errorText() const { return m_errorText; }

private:
    template<typename Value>
    Json *place(Value &&value)
    {
        if (m_stack.empty()) {
            m_root = Json(std::forward<Value>(value));
            return &m_root;
        }
        Json *parent = m_stack.back();
        if (parent->is_array()) {
            parent->emplace_back(std::forward<Value>(value));
            return &parent->back();
        }
        *m_member = Json(std::forward<Value>(value));
        return m_member;
    }

    template<typename Value>
    bool add(Value &&value)
    {
        place(std::forward<Value>(value));
        return true;
    }

    bool open(Json::value_t type)
    {
        if (int(m_stack.size()) >= m_maxDepth) {
            m_tooDeep = true;
            return false;
        }
        m_stack.push_back(place(type));
        return true;
    }

    bool close()
    {
        m_stack.pop_back();
        return true;
    }

    Json &m_root;
    const int m_maxDepth;
    std::vector<Json *> m_stack;
    Json *m_member = nullptr;
    bool m_tooDeep = false;
    std::size_t m_errorPosition = 0;
    std::string m_errorText;
};

/// nlohmann's message without its "[json.exception.parse_error.101] " prefix, shortened:
/// it may quote an arbitrarily long token of the input.
QString describeParseError(const std::string &text)
{
    std::string_view view(text);
    if (const auto end = view.find("] "); !view.empty() && view.front() == '[' && end != view.npos)
        view.remove_prefix(end + 2);
    QString message = QString::fromUtf8(view.data(), qsizetype(view.size()));
    if (message.size() > maxMessageChars)
        message = message.left(maxMessageChars) + QStringLiteral("…");
    return message;
}

QString shapeName(JsonShape shape)
{
    switch (shape) {
    case JsonShape::Object:
        return QStringLiteral("an object");
    case JsonShape::Array:
        return QStringLiteral("an array");
    case JsonShape::Any:
        break;
    }
    return QStringLiteral("a value");
}

} // namespace

Result<Json> parseJsonSafely(QByteArrayView body, qsizetype maxBytes, int maxDepth)
{
    if (body.size() > maxBytes) {
        return Result<Json>::failure(
            QStringLiteral("too_large"),
            QStringLiteral("body of %1 bytes exceeds the limit of %2 bytes")
                .arg(body.size())
                .arg(maxBytes));
    }
    if (body.isEmpty())
        return Result<Json>::failure(QStringLiteral("invalid_json"), QStringLiteral("empty body"));

    try {
        Json root;
        BoundedDomBuilder builder(root, maxDepth);
        const char *begin = body.data();
        const bool ok = Json::sax_parse(begin, begin + body.size(), &builder,
                                        Json::input_format_t::json, true, false);
        if (builder.tooDeep()) {
            return Result<Json>::failure(
                QStringLiteral("too_deep"),
                QStringLiteral("JSON nesting deeper than %1 levels").arg(maxDepth));
        }
        if (!ok) {
            return Result<Json>::failure(QStringLiteral("invalid_json"),
                                         QStringLiteral("invalid JSON at byte %1: %2")
                                             .arg(qulonglong(builder.errorPosition()))
                                             .arg(describeParseError(builder.errorText())));
        }
        return root;
    } catch (const std::exception &error) {
        return Result<Json>::failure(
            QStringLiteral("invalid_json"),
            QStringLiteral("JSON could not be parsed: %1").arg(QString::fromUtf8(error.what())));
    }
}

Result<Json> parseJsonSafely(QByteArrayView body, JsonShape shape, qsizetype maxBytes, int maxDepth)
{
    auto parsed = parseJsonSafely(body, maxBytes, maxDepth);
    if (!parsed)
        return parsed;
    const bool fits = shape == JsonShape::Any ||
        (shape == JsonShape::Object && parsed->is_object()) ||
        (shape == JsonShape::Array && parsed->is_array());
    if (!fits) {
        return Result<Json>::failure(
            QStringLiteral("wrong_shape"),
            QStringLiteral("expected %1 at the top level, got %2")
                .arg(shapeName(shape), QString::fromUtf8(parsed->type_name())));
    }
    return parsed;
}

} // namespace cb
