#pragma once

#include "providerclient.h"

#include "core/providermapper.h"

namespace cb {

/// Passes the JSON answer through @p read (Json -> T) to @p done, or passes the error on.
template<typename T, typename Read>
ProviderClient::Callback<Json> answerHandler(ProviderClient::Callback<T> done, Read read)
{
    return [done = std::move(done), read = std::move(read)](Result<Json> answer) {
        if (!answer)
            done(answer.error());
        else
            done(read(answer.value()));
    };
}

/// Reports only whether the request succeeded.
inline ProviderClient::Callback<Json> doneHandler(ProviderClient::Callback<void> done)
{
    return [done = std::move(done)](Result<Json> answer) {
        if (!answer)
            done(answer.error());
        else
            done(Result<void>());
    };
}

/// Turns the JSON answer of a "get call" request into a PolledCall, or passes the error on.
inline ProviderClient::Callback<Json> polledCallHandler(Provider provider,
                                                        ProviderClient::Callback<PolledCall> done)
{
    return [provider, done = std::move(done)](Result<Json> answer) {
        if (!answer) {
            done(answer.error());
            return;
        }
        auto event = mapPolledCall(provider, answer.value());
        if (!event) {
            done(Error{QStringLiteral("provider_bad_response"),
                       QStringLiteral("%1 call object not understood: %2")
                           .arg(wireName(provider), event.error().message)});
            return;
        }
        done(PolledCall{std::move(event).value(), std::move(answer).value()});
    };
}

/// Turns the JSON answer of a "start call" request into a StartedCall: the provider's call id
/// under @p idKey (an answer without one is an error naming @p request) and its status under
/// @p statusKey.
inline ProviderClient::Callback<Json> startedCallHandler(Provider provider, const char *idKey,
                                                         const char *statusKey, QString request,
                                                         ProviderClient::Callback<StartedCall> done)
{
    return [=, done = std::move(done)](Result<Json> answer) {
        if (!answer) {
            done(answer.error());
            return;
        }
        const QString id = stringField(answer.value(), idKey);
        if (id.isEmpty()) {
            done(Error{QStringLiteral("provider_bad_response"),
                       QStringLiteral("%1: no %2 in the answer to %3")
                           .arg(wireName(provider), QString::fromLatin1(idKey), request)});
            return;
        }
        done(StartedCall{id, stringField(answer.value(), statusKey), std::move(answer).value()});
    };
}

} // namespace cb
