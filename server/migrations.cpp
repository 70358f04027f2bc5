#include "migrations.h"

namespace cb {

const QList<Migration> &migrations()
{
    static const QList<Migration> all = {
        {1,
         QStringLiteral("orgs, users, sessions, agents, contacts, calls, events, unrouted, audit"),
         {
             QStringLiteral("CREATE TABLE orgs ("
                            " id TEXT PRIMARY KEY,"
                            " name TEXT NOT NULL,"
                            " last_seq BIGINT NOT NULL DEFAULT 0,"
                            " created_at BIGINT NOT NULL)"),
             QStringLiteral("CREATE TABLE users ("
                            " id TEXT PRIMARY KEY,"
                            " email TEXT NOT NULL UNIQUE,"
                            " name TEXT NOT NULL DEFAULT '',"
                            " password_hash TEXT NOT NULL,"
                            " created_at BIGINT NOT NULL)"),
             QStringLiteral("CREATE TABLE memberships ("
                            " org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
                            " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
                            " role TEXT NOT NULL,"
                            " PRIMARY KEY (org_id, user_id))"),
             QStringLiteral("CREATE INDEX memberships_user ON memberships(user_id)"),
             QStringLiteral("CREATE TABLE sessions ("
                            " token_hash TEXT PRIMARY KEY,"
                            " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
                            " created_at BIGINT NOT NULL,"
                            " expires_at BIGINT NOT NULL,"
                            " revoked_at BIGINT)"),
             QStringLiteral("CREATE TABLE provider_settings ("
                            " org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
                            " provider TEXT NOT NULL,"
                            " base_url TEXT NOT NULL DEFAULT '',"
                            " api_key TEXT NOT NULL DEFAULT '',"
                            " webhook_secret TEXT NOT NULL DEFAULT '',"
                            " updated_at BIGINT NOT NULL,"
                            " PRIMARY KEY (org_id, provider))"),
             QStringLiteral("CREATE TABLE agents ("
                            " id TEXT PRIMARY KEY,"
                            " org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
                            " provider TEXT NOT NULL,"
                            " provider_agent_id TEXT NOT NULL,"
                            " name TEXT NOT NULL DEFAULT '',"
                            " from_number TEXT NOT NULL DEFAULT '',"
                            " webhook_state TEXT NOT NULL DEFAULT 'unknown',"
                            " webhook_url TEXT NOT NULL DEFAULT '',"
                            " webhook_message TEXT NOT NULL DEFAULT '',"
                            " webhook_checked_at BIGINT,"
                            " created_at BIGINT NOT NULL,"
                            " UNIQUE (provider, provider_agent_id))"),
             QStringLiteral("CREATE INDEX agents_org ON agents(org_id)"),
             QStringLiteral("CREATE TABLE contacts ("
                            " id TEXT PRIMARY KEY,"
                            " org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
                            " number TEXT NOT NULL,"
                            " name TEXT NOT NULL,"
                            " UNIQUE (org_id, number))"),
             QStringLiteral("CREATE TABLE calls ("
                            " id TEXT PRIMARY KEY,"
                            " org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
                            " provider TEXT NOT NULL,"
                            " provider_call_id TEXT NOT NULL,"
                            " agent_id TEXT,"
                            " provider_agent_id TEXT,"
                            " direction TEXT,"
                            " to_number TEXT,"
                            " from_number TEXT,"
                            " caller_name TEXT,"
                            " status TEXT NOT NULL,"
                            " raw_status TEXT,"
                            " end_reason TEXT,"
                            " finalized INTEGER NOT NULL DEFAULT 0,"
                            " voicemail INTEGER NOT NULL DEFAULT 0,"
                            " stale INTEGER NOT NULL DEFAULT 0,"
                            " is_test INTEGER NOT NULL DEFAULT 0,"
                            " created_at BIGINT,"
                            " started_at BIGINT,"
                            " answered_at BIGINT,"
                            " ended_at BIGINT,"
                            " duration_s DOUBLE PRECISION,"
                            " cost_cents DOUBLE PRECISION,"
                            " currency TEXT,"
                            " recording_url TEXT,"
                            " summary TEXT,"
                            " sentiment TEXT,"
                            " success INTEGER,"
                            " metadata TEXT,"
                            " transcript TEXT,"
                            " merge_state TEXT NOT NULL,"
                            " sort_at BIGINT NOT NULL,"
                            " updated_at BIGINT NOT NULL,"
                            " seq BIGINT NOT NULL,"
                            " UNIQUE (org_id, provider, provider_call_id))"),
             QStringLiteral("CREATE INDEX calls_org_sort ON calls(org_id, sort_at DESC, id DESC)"),
             QStringLiteral("CREATE INDEX calls_org_seq ON calls(org_id, seq)"),
             QStringLiteral("CREATE INDEX calls_org_status ON calls(org_id, status)"),
             QStringLiteral("CREATE TABLE call_tombstones ("
                            " org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
                            " call_id TEXT NOT NULL,"
                            " seq BIGINT NOT NULL,"
                            " deleted_at BIGINT NOT NULL,"
                            " PRIMARY KEY (org_id, call_id))"),
             QStringLiteral("CREATE INDEX call_tombstones_seq ON call_tombstones(org_id, seq)"),
             QStringLiteral("CREATE TABLE call_events ("
                            " id {id_pk},"
                            " org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
                            " call_id TEXT NOT NULL,"
                            " provider TEXT NOT NULL,"
                            " provider_call_id TEXT NOT NULL,"
                            " source TEXT NOT NULL,"
                            " dedup_key TEXT NOT NULL,"
                            " kind TEXT NOT NULL DEFAULT '',"
                            " status TEXT,"
                            " raw_status TEXT,"
                            " received_at BIGINT NOT NULL,"
                            " payload TEXT NOT NULL,"
                            " UNIQUE (org_id, provider, provider_call_id, dedup_key))"),
             QStringLiteral("CREATE INDEX call_events_call ON call_events(org_id, call_id, id)"),
             QStringLiteral(
                 "CREATE INDEX call_events_received ON call_events(org_id, provider, received_at)"),
             QStringLiteral("CREATE TABLE unrouted_events ("
                            " id {id_pk},"
                            " provider TEXT NOT NULL,"
                            " provider_agent_id TEXT NOT NULL DEFAULT '',"
                            " provider_call_id TEXT NOT NULL,"
                            " org_hint TEXT NOT NULL DEFAULT '',"
                            " dedup_key TEXT NOT NULL,"
                            " kind TEXT NOT NULL DEFAULT '',"
                            " received_at BIGINT NOT NULL,"
                            " payload TEXT NOT NULL,"
                            " UNIQUE (provider, provider_call_id, dedup_key))"),
             QStringLiteral(
                 "CREATE INDEX unrouted_agent ON unrouted_events(provider, provider_agent_id)"),
             QStringLiteral("CREATE TABLE audit ("
                            " id {id_pk},"
                            " org_id TEXT NOT NULL,"
                            " user_id TEXT NOT NULL DEFAULT '',"
                            " action TEXT NOT NULL,"
                            " target TEXT NOT NULL DEFAULT '',"
                            " detail TEXT NOT NULL DEFAULT '',"
                            " at BIGINT NOT NULL)"),
             QStringLiteral("CREATE INDEX audit_org ON audit(org_id, at)"),
         }},
    };
    return all;
}

} // namespace cb
