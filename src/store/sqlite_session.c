/* The SQLite driver's browser sessions and remembered consents (struct grantd_store_driver
 * in store.h). Each operation is one statement, hence one transaction (writes are jobs of
 * the writer, sqlite_writer.c); strings handed back live in the caller's arena.
 *
 * Not here: cookies and CSRF tokens (only the SHA-256 of a session id reaches the store),
 * deciding whether a consent covers a request (oauth/), connections and error mapping
 * (sqlite.c), the schema (sqlite_schema.c). Expired sessions are not purged here
 * (sqlite_purge.c): session_get simply stops finding them. A session is never updated in
 * place; login puts a new one (a fresh id, against session fixation) and deletes the old. */
#include "store/sqlite_int.h"

#include <string.h>

#include "core/clock.h"

/* ---- sessions ------------------------------------------------------------------------- */

#define SESSION_COLUMNS "tenant_id, id_hash, user_id, auth_time, created_at, expires_at"

static void session_from_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_session *s = out;
    memset(s, 0, sizeof(*s));
    s->tenant = sqlite3_column_int64(st, 0);
    sqlite__col_hash(st, 1, s->id_hash);
    s->user_id = sqlite__col_str(a, st, 2);
    s->auth_time = sqlite3_column_int64(st, 3);
    s->created_at = sqlite3_column_int64(st, 4);
    s->expires_at = sqlite3_column_int64(st, 5);
}

static grantd_rc session_put_tx(struct sq_conn *c, void *arg)
{
    const struct grantd_session *sess = arg;
    sqlite3_stmt *st = sqlite__stmt(c, SQ_SESSION_PUT,
                                          "INSERT INTO sessions (" SESSION_COLUMNS ") "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return GRANTD_ESTORE;
    int64_t created = sess->created_at ? sess->created_at : grantd_clock_now();
    int b = sqlite3_bind_int64(st, 1, sess->tenant) |
            sqlite__bind_hash(st, 2, sess->id_hash) |
            sqlite__bind_text(st, 3, sess->user_id) |
            sqlite3_bind_int64(st, 4, sess->auth_time) | sqlite3_bind_int64(st, 5, created) |
            sqlite3_bind_int64(st, 6, sess->expires_at);
    if (b != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return sqlite__exec(c, st);
}

/* created_at 0 means now. user_id NULL is a session before login. */
grantd_rc sqlite__session_put(struct grantd_store *s, const struct grantd_session *sess)
{
    if (!sess)
        return GRANTD_EINVAL;
    return sqlite__write(s, session_put_tx, (void *)sess);
}

/* An expired session (expires_at <= now) is answered like an absent one. */
grantd_rc sqlite__session_get(struct grantd_store *s, struct grantd_arena *a,
                                    int64_t tenant,
                                    const unsigned char id_hash[GRANTD_SHA256_LEN], int64_t now,
                                    struct grantd_session *out)
{
    if (!id_hash || !out)
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    sqlite3_stmt *st = sqlite__stmt(c, SQ_SESSION_GET,
                                          "SELECT " SESSION_COLUMNS " FROM sessions "
                                          "WHERE tenant_id = ?1 AND id_hash = ?2 "
                                          "AND expires_at > ?3");
    if (!st)
        return GRANTD_ESTORE;
    int b = sqlite3_bind_int64(st, 1, tenant) | sqlite__bind_hash(st, 2, id_hash) |
            sqlite3_bind_int64(st, 3, now);
    if (b != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return sqlite__one_row(c, st, a, session_from_row, out);
}

struct session_key {
    int64_t tenant;
    const unsigned char *id_hash;
};

static grantd_rc session_delete_tx(struct sq_conn *c, void *arg)
{
    const struct session_key *k = arg;
    sqlite3_stmt *st = sqlite__stmt(
        c, SQ_SESSION_DELETE, "DELETE FROM sessions WHERE tenant_id = ?1 AND id_hash = ?2");
    if (!st)
        return GRANTD_ESTORE;
    if ((sqlite3_bind_int64(st, 1, k->tenant) | sqlite__bind_hash(st, 2, k->id_hash)) !=
        SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return sqlite__exec(c, st); /* no row deleted is fine: the session is gone */
}

grantd_rc sqlite__session_delete(struct grantd_store *s, int64_t tenant,
                                       const unsigned char id_hash[GRANTD_SHA256_LEN])
{
    if (!id_hash)
        return GRANTD_EINVAL;
    struct session_key k = {tenant, id_hash};
    return sqlite__write(s, session_delete_tx, &k);
}

/* ---- consents ------------------------------------------------------------------------- */

#define CONSENT_COLUMNS "tenant_id, user_id, client_id, scope, created_at"

static void consent_from_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_consent *c = out;
    memset(c, 0, sizeof(*c));
    c->tenant = sqlite3_column_int64(st, 0);
    c->user_id = sqlite__col_str(a, st, 1);
    c->client_id = sqlite__col_str(a, st, 2);
    c->scope = sqlite__col_str(a, st, 3);
    c->created_at = sqlite3_column_int64(st, 4);
}

grantd_rc sqlite__consent_get(struct grantd_store *s, struct grantd_arena *a,
                                    int64_t tenant, const char *user_id, const char *client_id,
                                    struct grantd_consent *out)
{
    if (!user_id || !client_id || !out)
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    sqlite3_stmt *st = sqlite__stmt(c, SQ_CONSENT_GET,
                                          "SELECT " CONSENT_COLUMNS " FROM consents "
                                          "WHERE tenant_id = ?1 AND user_id = ?2 "
                                          "AND client_id = ?3");
    if (!st)
        return GRANTD_ESTORE;
    int b = sqlite3_bind_int64(st, 1, tenant) | sqlite__bind_text(st, 2, user_id) |
            sqlite__bind_text(st, 3, client_id);
    if (b != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return sqlite__one_row(c, st, a, consent_from_row, out);
}

static grantd_rc consent_put_tx(struct sq_conn *c, void *arg)
{
    const struct grantd_consent *con = arg;
    sqlite3_stmt *st = sqlite__stmt(c, SQ_CONSENT_PUT,
                                          "INSERT INTO consents (" CONSENT_COLUMNS ") "
                                          "VALUES (?1, ?2, ?3, ?4, ?5) "
                                          "ON CONFLICT (tenant_id, user_id, client_id) "
                                          "DO UPDATE SET scope = excluded.scope, "
                                          "created_at = excluded.created_at");
    if (!st)
        return GRANTD_ESTORE;
    int64_t created = con->created_at ? con->created_at : grantd_clock_now();
    int b = sqlite3_bind_int64(st, 1, con->tenant) |
            sqlite__bind_text(st, 2, con->user_id) |
            sqlite__bind_text(st, 3, con->client_id) |
            sqlite__bind_text(st, 4, con->scope ? con->scope : "") |
            sqlite3_bind_int64(st, 5, created);
    if (b != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return sqlite__exec(c, st);
}

/* One upsert statement: the new scope replaces the old one (it is not merged; the caller
 * decides what the user granted). created_at 0 means now; NULL scope is "". */
grantd_rc sqlite__consent_put(struct grantd_store *s, const struct grantd_consent *con)
{
    if (!con || !con->user_id || !con->client_id)
        return GRANTD_EINVAL;
    return sqlite__write(s, consent_put_tx, (void *)con);
}
