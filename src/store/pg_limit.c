/* The PostgreSQL driver's rate-limit counters (struct grantd_store_driver in store.h,
 * version 7; issue 16): limit_add, limit_clear, and the purge of counters whose window
 * ended (called by purge_expired, pg_purge.c). One row per (tenant, key) in rate_limits
 * (schema version 18 of this branch, "step 19" of issue 16: pg_schema.c).
 *
 * An add is one INSERT ... ON CONFLICT DO UPDATE ... RETURNING in autocommit: the conflict
 * arm locks the row and reads its newest version, so concurrent adds of every instance on
 * the database serialize on the row and none is lost (each gets a different count). A read
 * (add 0) is one SELECT.
 *
 * Not here: what is counted and what a count means (oauth/ratelimit.c). */
#include "store/pg_int.h"

#include <string.h>

struct limit_args {
    int64_t tenant;
    const char *key;
    int64_t add, window, now;
};

/* $1 tenant, $2 key, $3 add, $4 now, $5 window */
static void bind_limit(struct pg_params *p, const void *arg)
{
    const struct limit_args *x = arg;
    pg__int64(p, 1, x->tenant);
    pg__text(p, 2, x->key);
    pg__int64(p, 3, x->add);
    pg__int64(p, 4, x->now);
    pg__int64(p, 5, x->window);
}

/* $1 tenant, $2 key, $3 now */
static void bind_read(struct pg_params *p, const void *arg)
{
    const struct limit_args *x = arg;
    pg__int64(p, 1, x->tenant);
    pg__text(p, 2, x->key);
    pg__int64(p, 3, x->now);
}

static void limit_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    (void)a;
    struct grantd_limit *l = out;
    l->count = pg__col_int64(r, row, 0);
    l->since = pg__col_int64(r, row, 1);
    l->prev = pg__col_int64(r, row, 2);
}

/* A window still open (expires_at > now) goes on; an ended one starts over at now. Every
 * right-hand side reads the row as it was before the update. */
#define OPEN "rate_limits.expires_at > $4::bigint"
static const struct pg_query limit_upsert = {
    PG_LIMIT_ADD,
    "INSERT INTO rate_limits (tenant_id, key, hits, since, last_at, prev_at, expires_at) "
    "VALUES ($1::bigint, $2::text, $3::bigint, $4::bigint, $4::bigint, 0, "
    "$4::bigint + $5::bigint) ON CONFLICT (tenant_id, key) DO UPDATE SET "
    "hits = CASE WHEN " OPEN " THEN rate_limits.hits + $3::bigint ELSE $3::bigint END, "
    "since = CASE WHEN " OPEN " THEN rate_limits.since ELSE $4::bigint END, "
    "prev_at = CASE WHEN " OPEN " THEN rate_limits.last_at ELSE 0 END, "
    "last_at = $4::bigint, "
    "expires_at = CASE WHEN " OPEN " THEN rate_limits.expires_at "
    "ELSE $4::bigint + $5::bigint END "
    "RETURNING hits, since, prev_at",
    bind_limit, limit_row, 0};

static const struct pg_query limit_get = {
    PG_LIMIT_GET,
    "SELECT hits, since, last_at FROM rate_limits "
    "WHERE tenant_id = $1 AND key = $2 AND expires_at > $3",
    bind_read, limit_row, 0};

static const struct pg_query limit_delete = {
    PG_LIMIT_CLEAR, "DELETE FROM rate_limits WHERE tenant_id = $1 AND key = $2", pg__bind_id,
    NULL, 0};

static const struct pg_query limit_purge = {
    PG_LIMIT_PURGE, "DELETE FROM rate_limits WHERE expires_at < $1", pg__bind_int64, NULL, 0};

grantd_rc pg__limit_add(struct grantd_store *s, int64_t tenant, const char *key, int64_t add,
                        int64_t window, int64_t now, struct grantd_limit *out)
{
    struct limit_args x = {tenant, key, add, window, now};
    memset(out, 0, sizeof(*out));
    grantd_rc rc = pg__read(s, add > 0 ? &limit_upsert : &limit_get, &x, NULL, out);
    return rc == GRANTD_ENOTFOUND && add == 0 ? GRANTD_OK : rc;
}

grantd_rc pg__limit_clear(struct grantd_store *s, int64_t tenant, const char *key)
{
    struct pg_id id = {tenant, key};
    return pg__write_query(s, &limit_delete, &id);
}

grantd_rc pg__limit_purge(struct grantd_store *s, int64_t before)
{
    return pg__write_query(s, &limit_purge, &before);
}
