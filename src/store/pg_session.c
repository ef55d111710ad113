/* The PostgreSQL driver's browser sessions and remembered consents (struct
 * grantd_store_driver in store.h), the statements of sqlite_session.c and sqlite_account.c's
 * consent_list with $n parameters. Each operation is one statement, hence one transaction;
 * strings handed back live in the caller's arena. Sessions are read from the store at every
 * use and cached nowhere, so their writes leave the change sequence; a consent put moves it.
 *
 * Not here: cookies and CSRF tokens (only the storage key of a session id reaches the
 * store), deciding whether a consent covers a request (oauth/), connections and error
 * mapping (pg.c, pg_query.c), the schema (pg_schema.c). */
#include "store/pg_int.h"

#include <string.h>

/* ---- sessions --------------------------------------------------------------------------- */

#define SESSION_COLUMNS                                                                        \
    "tenant_id, id_hash, user_id, auth_time, created_at, expires_at, login_for"

static void session_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_session *s = out;
    memset(s, 0, sizeof(*s));
    s->tenant = pg__col_int64(r, row, 0);
    pg__col_hash(r, row, 1, s->id_hash);
    s->user_id = pg__col_str(a, r, row, 2);
    s->auth_time = pg__col_int64(r, row, 3);
    s->created_at = pg__col_int64(r, row, 4);
    s->expires_at = pg__col_int64(r, row, 5);
    /* login_for: NULL, or the 32 bytes (pg__col_hash zeroes what is not) */
    s->has_login_for = !PQgetisnull(r, row, 6) &&
                       strlen(PQgetvalue(r, row, 6)) == 2 + 2 * sizeof(s->login_for);
    if (s->has_login_for)
        pg__col_hash(r, row, 6, s->login_for);
}

static void bind_hash_key(struct pg_params *p, int64_t tenant, const unsigned char *hash)
{
    pg__int64(p, 1, tenant);
    pg__bytea(p, 2, hash, GRANTD_SHA256_LEN);
}

static void bind_session(struct pg_params *p, const void *arg)
{
    const struct grantd_session *s = arg;
    bind_hash_key(p, s->tenant, s->id_hash);
    pg__text(p, 3, s->user_id);
    pg__int64(p, 4, s->auth_time);
    pg__int64(p, 5, s->created_at);
    pg__int64(p, 6, s->expires_at);
    pg__bytea(p, 7, s->has_login_for ? s->login_for : NULL, sizeof(s->login_for));
}

/* A session key and the time it must not have expired at. */
struct session_at {
    int64_t tenant;
    const unsigned char *hash;
    int64_t now;
};

static void bind_session_key(struct pg_params *p, const void *arg)
{
    const struct session_at *k = arg;
    bind_hash_key(p, k->tenant, k->hash);
}

static void bind_session_at(struct pg_params *p, const void *arg)
{
    const struct session_at *k = arg;
    bind_hash_key(p, k->tenant, k->hash);
    pg__int64(p, 3, k->now);
}

static const struct pg_query session_put = {PG_SESSION_PUT,
                                            "INSERT INTO sessions (" SESSION_COLUMNS ") "
                                            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                            bind_session, NULL, 0};
static const struct pg_query session_get = {PG_SESSION_GET,
                                            "SELECT " SESSION_COLUMNS " FROM sessions "
                                            "WHERE tenant_id = $1 AND id_hash = $2 "
                                            "AND expires_at > $3",
                                            bind_session_at, session_row, 0};
/* no row deleted is fine: the session is gone */
static const struct pg_query session_delete = {PG_SESSION_DELETE,
                                               "DELETE FROM sessions "
                                               "WHERE tenant_id = $1 AND id_hash = $2",
                                               bind_session_key, NULL, 0};

/* created_at is required. user_id NULL is a session before login. */
grantd_rc pg__session_put(struct grantd_store *s, const struct grantd_session *sess)
{
    return pg__write_query(s, &session_put, sess);
}

/* An expired session (expires_at <= now) is answered like an absent one. */
grantd_rc pg__session_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                          const unsigned char id_hash[GRANTD_SHA256_LEN], int64_t now,
                          struct grantd_session *out)
{
    struct session_at k = {tenant, id_hash, now};
    return pg__read(s, &session_get, &k, a, out);
}

grantd_rc pg__session_delete(struct grantd_store *s, int64_t tenant,
                             const unsigned char id_hash[GRANTD_SHA256_LEN])
{
    struct session_at k = {tenant, id_hash, 0};
    return pg__write_query(s, &session_delete, &k);
}

/* ---- consents --------------------------------------------------------------------------- */

#define CONSENT_COLUMNS "tenant_id, user_id, client_id, scope, created_at"

static void consent_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_consent *c = out;
    memset(c, 0, sizeof(*c));
    c->tenant = pg__col_int64(r, row, 0);
    c->user_id = pg__col_str(a, r, row, 1);
    c->client_id = pg__col_str(a, r, row, 2);
    c->scope = pg__col_str(a, r, row, 3);
    c->created_at = pg__col_int64(r, row, 4);
}

static void bind_consent_key(struct pg_params *p, const void *arg)
{
    const struct grantd_consent *c = arg;
    pg__int64(p, 1, c->tenant);
    pg__text(p, 2, c->user_id);
    pg__text(p, 3, c->client_id);
}

static void bind_consent(struct pg_params *p, const void *arg)
{
    const struct grantd_consent *c = arg;
    bind_consent_key(p, c);
    pg__text(p, 4, c->scope ? c->scope : "");
    pg__int64(p, 5, c->created_at);
}

static const struct pg_query consent_get = {PG_CONSENT_GET,
                                            "SELECT " CONSENT_COLUMNS " FROM consents "
                                            "WHERE tenant_id = $1 AND user_id = $2 "
                                            "AND client_id = $3",
                                            bind_consent_key, consent_row, 0};
static const struct pg_query consent_put = {PG_CONSENT_PUT,
                                            "INSERT INTO consents (" CONSENT_COLUMNS ") "
                                            "VALUES ($1, $2, $3, $4, $5) "
                                            "ON CONFLICT (tenant_id, user_id, client_id) "
                                            "DO UPDATE SET scope = excluded.scope, "
                                            "created_at = excluded.created_at",
                                            bind_consent, NULL, PG_CHANGES};
/* COLLATE "C": byte order, as SQLite sorts */
static const struct pg_query consent_list = {PG_CONSENT_LIST,
                                             "SELECT " CONSENT_COLUMNS " FROM consents "
                                             "WHERE tenant_id = $1 AND user_id = $2 "
                                             "ORDER BY created_at DESC, client_id COLLATE \"C\"",
                                             pg__bind_id, consent_row, 0};

grantd_rc pg__consent_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                          const char *user_id, const char *client_id,
                          struct grantd_consent *out)
{
    struct grantd_consent key = {.tenant = tenant, .user_id = user_id, .client_id = client_id};
    return pg__read(s, &consent_get, &key, a, out);
}

/* One upsert statement: the new scope replaces the old one (it is not merged; the caller
 * decides what the user granted). created_at is required; NULL scope is "". */
grantd_rc pg__consent_put(struct grantd_store *s, const struct grantd_consent *con)
{
    return pg__write_query(s, &consent_put, con);
}

grantd_rc pg__consent_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           const char *user_id, struct grantd_consent **out, size_t *count)
{
    struct pg_id key = {tenant, user_id};
    return pg__read_rows(s, &consent_list, &key, a, sizeof(**out), (void **)out, count);
}

/* ---- consent_revoke --------------------------------------------------------------------- */

struct withdraw {
    int64_t tenant;
    const char *user_id, *client_id;
    int64_t now;
};

static void bind_withdraw_key(struct pg_params *p, const void *arg)
{
    const struct withdraw *w = arg;
    pg__int64(p, 1, w->tenant);
    pg__text(p, 2, w->user_id);
    pg__text(p, 3, w->client_id);
}

static void bind_withdraw(struct pg_params *p, const void *arg)
{
    const struct withdraw *w = arg;
    bind_withdraw_key(p, w);
    pg__int64(p, 4, w->now);
}

/* FOR UPDATE: two withdrawals of one consent take turns; the second finds none. */
static const struct pg_query consent_exists = {PG_CONSENT_EXISTS,
                                               "SELECT 1 FROM consents WHERE tenant_id = $1 "
                                               "AND user_id = $2 AND client_id = $3 FOR UPDATE",
                                               bind_withdraw_key, pg__row_int64, 0};

/* What withdrawing revokes, after the consent was found; the consent goes last
 * (sqlite_account.c: the same four). */
static const struct pg_query withdraw_steps[] = {
    {PG_CONSENT_FAMILIES,
     "INSERT INTO revoked_families (tenant_id, family, revoked_at) "
     "SELECT DISTINCT tenant_id, family, $4::bigint FROM tokens "
     "WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 ON CONFLICT DO NOTHING",
     bind_withdraw, NULL, 0},
    {PG_CONSENT_CODE_FAMILIES,
     "INSERT INTO revoked_families (tenant_id, family, revoked_at) "
     "SELECT DISTINCT tenant_id, family, $4::bigint FROM codes "
     "WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 ON CONFLICT DO NOTHING",
     bind_withdraw, NULL, 0},
    {PG_CONSENT_CODES_REVOKE,
     "UPDATE codes SET revoked = 1 WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 "
     "AND used = 0",
     bind_withdraw_key, NULL, 0},
    {PG_CONSENT_DELETE,
     "DELETE FROM consents WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3",
     bind_withdraw_key, NULL, PG_ONE_ROW},
};

static grantd_rc withdraw_tx(struct pg_conn *c, void *arg)
{
    int64_t found = 0;
    grantd_rc rc = pg__get(c, &consent_exists, arg, NULL, &found);
    size_t steps = sizeof(withdraw_steps) / sizeof(withdraw_steps[0]);
    for (size_t i = 0; rc == GRANTD_OK && i < steps; i++)
        rc = pg__run(c, &withdraw_steps[i], arg);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

grantd_rc pg__consent_revoke(struct grantd_store *s, int64_t tenant, const char *user_id,
                             const char *client_id, int64_t now)
{
    struct withdraw w = {tenant, user_id, client_id, now};
    return pg__tx(s, withdraw_tx, &w);
}
