#include "enums.h"

namespace cb {

QString wireName(Provider provider)
{
    switch (provider) {
    case Provider::Bolna:
        return QStringLiteral("bolna");
    case Provider::Vapi:
        return QStringLiteral("vapi");
    case Provider::Retell:
        return QStringLiteral("retell");
    }
    return {};
}

QString wireName(Direction direction)
{
    switch (direction) {
    case Direction::Inbound:
        return QStringLiteral("inbound");
    case Direction::Outbound:
        return QStringLiteral("outbound");
    case Direction::Web:
        return QStringLiteral("web");
    }
    return {};
}

QString wireName(Role role)
{
    switch (role) {
    case Role::Viewer:
        return QStringLiteral("viewer");
    case Role::Staff:
        return QStringLiteral("staff");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return {};
}

std::optional<Provider> providerFromString(QStringView text)
{
    for (auto p : {Provider::Bolna, Provider::Vapi, Provider::Retell}) {
        if (text == wireName(p))
            return p;
    }
    return std::nullopt;
}

std::optional<Direction> directionFromString(QStringView text)
{
    for (auto d : {Direction::Inbound, Direction::Outbound, Direction::Web}) {
        if (text == wireName(d))
            return d;
    }
    return std::nullopt;
}

std::optional<Role> roleFromString(QStringView text)
{
    for (auto r : {Role::Viewer, Role::Staff, Role::Admin}) {
        if (text == wireName(r))
            return r;
    }
    return std::nullopt;
}

} // namespace cb
