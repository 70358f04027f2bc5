#pragma once

#include <QString>

#include <optional>

namespace cb {

enum class Provider { Bolna, Vapi, Retell };
enum class Direction { Inbound, Outbound, Web };
/// Roles in an organization, in increasing order of power.
enum class Role { Viewer, Staff, Admin };

QString wireName(Provider provider);
QString wireName(Direction direction);
QString wireName(Role role);

std::optional<Provider> providerFromString(QStringView text);
std::optional<Direction> directionFromString(QStringView text);
std::optional<Role> roleFromString(QStringView text);

/// True when @p role may do what @p required may do.
constexpr bool roleAtLeast(Role role, Role required)
{
    return static_cast<int>(role) >= static_cast<int>(required);
}

} // namespace cb
