/* The SQLite driver's browser sessions and remembered consents (struct grantd_store_driver
 * in store.h). Each operation is one statement, hence one transaction (writes are jobs of
 * the writer, sqlite_writer.c); strings handed back live in the caller's arena.
 *
 * Not here: cookies and CSRF tokens (only the storage key of a session id reaches the
 * store), deciding whether a consent covers a request (oauth/), connections and error
 * mapping (sqlite.c, sqlite_query.c), the schema (sqlite_schema.c). Expired sessions are not
 * purged here (sqlite_purge.c): session_get simply stops finding them. A session is never
 * updated in place; login puts a new one (a fresh id, against session fixation) and deletes
 * the old. */
#include "store/sqlite_int.h"

#include <string.h>


/* ---- sessions ------------------------------------------------------------------------- */

#define SESSION_COLUMNS                                                                        \
    "tenant_id, id_hash, user_id, auth_time, created_at, expires_at, login_for"

static void session_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_session *s = out;
    memset(s, 0, sizeof(*s));
    s->tenant = sqlite3_column_int64(st, 0);
    sqlite__col_hash(st, 1, s->id_hash);
    s->user_id = sqlite__col_str(a, st, 2);
    s->auth_time = sqlite3_column_int64(st, 3);
    s->created_at = sqlite3_column_int64(st, 4);
    s->expires_at = sqlite3_column_int64(st, 5);
    size_t n = 0;
    const unsigned char *f = sqlite__col_blob(a, st, 6, &n);
    s->has_login_for = f && n == sizeof(s->login_for);
    if (s->has_login_for)
        memcpy(s->login_for, f, n);
}

static int bind_session(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_session *s = arg;
    struct sq_hash key = {s->tenant, s->id_hash};
    return sqlite__bind_hash_key(st, &key) | sqlite__bind_text(st, 3, s->user_id) |
           sqlite3_bind_int64(st, 4, s->auth_time) | sqlite3_bind_int64(st, 5, s->created_at) |
           sqlite3_bind_int64(st, 6, s->expires_at) |
           (s->has_login_for ? sqlite__bind_blob(st, 7, s->login_for, sizeof(s->login_for))
                             : sqlite3_bind_null(st, 7));
}

/* A session key and the time it must not have expired at. */
struct session_at {
    struct sq_hash key;
    int64_t now;
};

static int bind_session_at(sqlite3_stmt *st, const void *arg)
{
    const struct session_at *k = arg;
    return sqlite__bind_hash_key(st, &k->key) | sqlite3_bind_int64(st, 3, k->now);
}

static const struct sq_query session_put = {SQ_SESSION_PUT,
                                            "INSERT INTO sessions (" SESSION_COLUMNS ") "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                            bind_session, NULL, 0};
static const struct sq_query session_get = {SQ_SESSION_GET,
                                            "SELECT " SESSION_COLUMNS " FROM sessions "
                                            "WHERE tenant_id = ?1 AND id_hash = ?2 "
                                            "AND expires_at > ?3",
                                            bind_session_at, session_row, 0};
/* no row deleted is fine: the session is gone */
static const struct sq_query session_delete = {SQ_SESSION_DELETE,
                                               "DELETE FROM sessions "
                                               "WHERE tenant_id = ?1 AND id_hash = ?2",
                                               sqlite__bind_hash_key, NULL, 0};

/* created_at is required. user_id NULL is a session before login. */
grantd_rc sqlite__session_put(struct grantd_store *s, const struct grantd_session *sess)
{
    return sqlite__write_query(s, &session_put, sess);
}

/* An expired session (expires_at <= now) is answered like an absent one. */
grantd_rc sqlite__session_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                              const unsigned char id_hash[GRANTD_SHA256_LEN], int64_t now,
                              struct grantd_session *out)
{
    struct session_at k = {{tenant, id_hash}, now};
    return sqlite__read(s, &session_get, &k, a, out);
}

grantd_rc sqlite__session_delete(struct grantd_store *s, int64_t tenant,
                                 const unsigned char id_hash[GRANTD_SHA256_LEN])
{
    struct sq_hash key = {tenant, id_hash};
    return sqlite__write_query(s, &session_delete, &key);
}

/* ---- consents ------------------------------------------------------------------------- */

void sqlite__consent_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_consent *c = out;
    memset(c, 0, sizeof(*c));
    c->tenant = sqlite3_column_int64(st, 0);
    c->user_id = sqlite__col_str(a, st, 1);
    c->client_id = sqlite__col_str(a, st, 2);
    c->scope = sqlite__col_str(a, st, 3);
    c->created_at = sqlite3_column_int64(st, 4);
}

/* ?1 tenant, ?2 user, ?3 client and, for a put, ?4 scope and ?5 created_at. */
static int bind_consent(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_consent *c = arg;
    int b = sqlite3_bind_int64(st, 1, c->tenant) | sqlite__bind_text(st, 2, c->user_id) |
            sqlite__bind_text(st, 3, c->client_id);
    if (sqlite3_bind_parameter_count(st) < 5)
        return b;
    return b | sqlite__bind_text(st, 4, c->scope ? c->scope : "") |
           sqlite3_bind_int64(st, 5, c->created_at);
}

static const struct sq_query consent_get = {SQ_CONSENT_GET,
                                            "SELECT " SQ_CONSENT_COLUMNS " FROM consents "
                                            "WHERE tenant_id = ?1 AND user_id = ?2 "
                                            "AND client_id = ?3",
                                            bind_consent, sqlite__consent_row, 0};
static const struct sq_query consent_put = {SQ_CONSENT_PUT,
                                            "INSERT INTO consents (" SQ_CONSENT_COLUMNS ") "
                                            "VALUES (?1, ?2, ?3, ?4, ?5) "
                                            "ON CONFLICT (tenant_id, user_id, client_id) "
                                            "DO UPDATE SET scope = excluded.scope, "
                                            "created_at = excluded.created_at",
                                            bind_consent, NULL, SQ_CHANGES};

grantd_rc sqlite__consent_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                              const char *user_id, const char *client_id,
                              struct grantd_consent *out)
{
    struct grantd_consent key = {.tenant = tenant, .user_id = user_id, .client_id = client_id};
    return sqlite__read(s, &consent_get, &key, a, out);
}

/* One upsert statement: the new scope replaces the old one (it is not merged; the caller
 * decides what the user granted). created_at is required; NULL scope is "". */
grantd_rc sqlite__consent_put(struct grantd_store *s, const struct grantd_consent *con)
{
    return sqlite__write_query(s, &consent_put, con);
}
