/* The SQLite driver's rate-limit counters (struct grantd_store_driver in store.h, version 7;
 * issue 16): limit_add, limit_clear, and the purge of counters whose window ended (called
 * by purge_expired, sqlite_purge.c). One row per (tenant, key) in rate_limits (schema
 * version 18 of this branch, "step 19" of issue 16: sqlite_schema.c).
 *
 * An add is one upsert on the writer connection (group commit with the other writes), so
 * concurrent adds of every process on the file serialize on SQLite's write lock and none is
 * lost; a read (add 0) is one SELECT on the calling thread's connection.
 *
 * Not here: what is counted and what a count means (oauth/ratelimit.c). */
#include "store/sqlite_int.h"

#include <string.h>

struct limit_args {
    int64_t tenant;
    const char *key;
    int64_t add, window, now;
    struct grantd_limit *out;
};

/* ?1 tenant, ?2 key, ?3 add, ?4 now, ?5 window */
static int bind_limit(sqlite3_stmt *st, const void *arg)
{
    const struct limit_args *x = arg;
    return sqlite3_bind_int64(st, 1, x->tenant) | sqlite__bind_text(st, 2, x->key) |
           sqlite3_bind_int64(st, 3, x->add) | sqlite3_bind_int64(st, 4, x->now) |
           sqlite3_bind_int64(st, 5, x->window);
}

/* ?1 tenant, ?2 key, ?3 now */
static int bind_read(sqlite3_stmt *st, const void *arg)
{
    const struct limit_args *x = arg;
    return sqlite3_bind_int64(st, 1, x->tenant) | sqlite__bind_text(st, 2, x->key) |
           sqlite3_bind_int64(st, 3, x->now);
}

static void limit_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    (void)a;
    struct grantd_limit *l = out;
    l->count = sqlite3_column_int64(st, 0);
    l->since = sqlite3_column_int64(st, 1);
    l->prev = sqlite3_column_int64(st, 2);
}

/* A window still open (expires_at > now) goes on; an ended one starts over at now. Every
 * right-hand side reads the row as it was before the update. */
#define OPEN "rate_limits.expires_at > ?4"
static const struct sq_query limit_upsert = {
    SQ_LIMIT_ADD,
    "INSERT INTO rate_limits (tenant_id, key, hits, since, last_at, prev_at, expires_at) "
    "VALUES (?1, ?2, ?3, ?4, ?4, 0, ?4 + ?5) ON CONFLICT (tenant_id, key) DO UPDATE SET "
    "hits = CASE WHEN " OPEN " THEN rate_limits.hits + ?3 ELSE ?3 END, "
    "since = CASE WHEN " OPEN " THEN rate_limits.since ELSE ?4 END, "
    "prev_at = CASE WHEN " OPEN " THEN rate_limits.last_at ELSE 0 END, "
    "last_at = ?4, "
    "expires_at = CASE WHEN " OPEN " THEN rate_limits.expires_at ELSE ?4 + ?5 END "
    "RETURNING hits, since, prev_at",
    bind_limit, limit_row, 0};

static const struct sq_query limit_get = {
    SQ_LIMIT_GET,
    "SELECT hits, since, last_at FROM rate_limits "
    "WHERE tenant_id = ?1 AND key = ?2 AND expires_at > ?3",
    bind_read, limit_row, 0};

static const struct sq_query limit_delete = {
    SQ_LIMIT_CLEAR, "DELETE FROM rate_limits WHERE tenant_id = ?1 AND key = ?2",
    sqlite__bind_id, NULL, 0};

static const struct sq_query limit_purge = {
    SQ_LIMIT_PURGE, "DELETE FROM rate_limits WHERE expires_at < ?1", sqlite__bind_int64, NULL,
    0};

static grantd_rc add_tx(struct sq_conn *c, void *arg)
{
    struct limit_args *x = arg;
    return sqlite__get(c, &limit_upsert, x, NULL, x->out);
}

grantd_rc sqlite__limit_add(struct grantd_store *s, int64_t tenant, const char *key,
                            int64_t add, int64_t window, int64_t now, struct grantd_limit *out)
{
    struct limit_args x = {tenant, key, add, window, now, out};
    memset(out, 0, sizeof(*out));
    if (add > 0)
        return sqlite__write(s, add_tx, &x);
    grantd_rc rc = sqlite__read(s, &limit_get, &x, NULL, out);
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

grantd_rc sqlite__limit_clear(struct grantd_store *s, int64_t tenant, const char *key)
{
    struct sq_id id = {tenant, key};
    return sqlite__write_query(s, &limit_delete, &id);
}

grantd_rc sqlite__limit_purge(struct grantd_store *s, int64_t before)
{
    return sqlite__write_query(s, &limit_purge, &before);
}
