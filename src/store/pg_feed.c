/* The PostgreSQL driver's revocation feed (store.h, revocations_since), sqlite_feed.c's
 * statements with $n parameters: a read of revocation_events, whose rows the schema's
 * PL/pgSQL triggers append in the transaction of every write that revokes (pg_schema.c);
 * revocations_purge removes old events and raises the floor in one transaction;
 * revocations_floor reads it.
 *
 * Cursors are identity values, handed out when a row is inserted. Every trigger that
 * appends first takes the feed's advisory lock, held to its commit (pg_schema.c,
 * FEED_LOCK), so cursors are taken in commit order and a reader never sees a cursor while
 * a smaller one is still to come, whichever instance or thread writes.
 *
 * Not here: what appends (the triggers), the HTTP feed, the janitor that purges. */
#include "store/pg_int.h"

/* The most events one call answers, whatever limit the caller asks for. */
#define FEED_LIMIT_MAX 1000

struct feed_args {
    int64_t tenant, after, limit;
};

static void bind_feed(struct pg_params *p, const void *arg)
{
    const struct feed_args *f = arg;
    pg__int64(p, 1, f->tenant);
    pg__int64(p, 2, f->after);
    pg__int64(p, 3, f->limit);
}

static void feed_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_revocation *e = out;
    e->cursor = pg__col_int64(r, row, 0);
    e->tenant = pg__col_int64(r, row, 1);
    e->kind = pg__col_str(a, r, row, 2);
    e->subject = pg__col_str(a, r, row, 3);
    e->at = pg__col_int64(r, row, 4);
}

static const struct pg_query feed = {PG_REVOCATIONS_SINCE,
                                     "SELECT id, tenant_id, kind, subject, at "
                                     "FROM revocation_events WHERE tenant_id = $1 AND id > $2 "
                                     "ORDER BY id LIMIT $3",
                                     bind_feed, feed_row, 0};

grantd_rc pg__revocations_since(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                int64_t after, size_t limit, struct grantd_revocation **out,
                                size_t *count, int64_t *next_cursor)
{
    struct feed_args f = {tenant, after,
                          limit > FEED_LIMIT_MAX ? FEED_LIMIT_MAX : (int64_t)limit};
    void *rows = NULL;
    grantd_rc rc = pg__read_rows(s, &feed, &f, a, sizeof(**out), &rows, count);
    if (rc == GRANTD_OK) {
        *out = rows;
        *next_cursor = *count ? (*out)[*count - 1].cursor : after;
    }
    return rc;
}

static const struct pg_query floor_q = {PG_FEED_FLOOR,
                                        "SELECT upto FROM revocation_feed_floor WHERE id = 1",
                                        NULL, pg__row_int64, 0};
/* The floor rises to the newest event stamped before $1 (sqlite_feed.c). */
static const struct pg_query raise_floor = {
    PG_FEED_RAISE_FLOOR,
    "UPDATE revocation_feed_floor SET upto = GREATEST(upto, COALESCE((SELECT max(id) FROM "
    "revocation_events WHERE at > 0 AND at < $1), 0)) WHERE id = 1",
    pg__bind_int64, NULL, PG_ONE_ROW};
static const struct pg_query purge = {PG_FEED_PURGE,
                                      "WITH d AS (DELETE FROM revocation_events WHERE id <= "
                                      "(SELECT upto FROM revocation_feed_floor WHERE id = 1) "
                                      "RETURNING 1) SELECT count(*) FROM d",
                                      NULL, pg__row_int64, 0};

grantd_rc pg__revocations_floor(struct grantd_store *s, int64_t *out)
{
    grantd_rc rc = pg__read(s, &floor_q, NULL, NULL, out);
    return rc == GRANTD_ENOTFOUND ? GRANTD_ESTORE : rc; /* the row is made at migration */
}

struct purge_args {
    int64_t before, deleted;
};

static grantd_rc purge_tx(struct pg_conn *c, void *arg)
{
    struct purge_args *p = arg;
    grantd_rc rc = pg__run(c, &raise_floor, &p->before);
    return rc == GRANTD_OK ? pg__get(c, &purge, NULL, NULL, &p->deleted) : rc;
}

grantd_rc pg__revocations_purge(struct grantd_store *s, int64_t before, size_t *deleted)
{
    struct purge_args p = {before, 0};
    grantd_rc rc = pg__tx(s, purge_tx, &p);
    if (rc == GRANTD_OK)
        *deleted = (size_t)p.deleted;
    return rc;
}
