/* The SQLite driver's revocation feed (store.h, revocations_since): a read of the table
 * revocation_events (sqlite_schema.c, version 8), whose rows the schema's triggers append in
 * the transaction of every write that revokes a token or a family, disables a client or a
 * user, or retires a key (version 10), so this file only ever deletes: revocations_purge
 * removes old events and raises the floor (revocation_feed_floor, version 10), the cursor at
 * or below which every event is gone, in one transaction; revocations_floor reads it.
 *
 * Not here: what appends (the triggers), the HTTP feed that serves these events, the
 * janitor that purges. */
#include "store/sqlite_int.h"

/* The most events one call answers, whatever limit the caller asks for. */
#define FEED_LIMIT_MAX 1000

struct feed_args {
    int64_t tenant, after, limit;
};

static int bind_feed(sqlite3_stmt *st, const void *arg)
{
    const struct feed_args *f = arg;
    return sqlite3_bind_int64(st, 1, f->tenant) | sqlite3_bind_int64(st, 2, f->after) |
           sqlite3_bind_int64(st, 3, f->limit);
}

static void feed_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_revocation *r = out;
    r->cursor = sqlite3_column_int64(st, 0);
    r->tenant = sqlite3_column_int64(st, 1);
    r->kind = sqlite__col_str(a, st, 2);
    r->subject = sqlite__col_str(a, st, 3);
    r->at = sqlite3_column_int64(st, 4);
}

static const struct sq_query feed = {SQ_REVOCATIONS_SINCE,
                                     "SELECT id, tenant_id, kind, subject, at "
                                     "FROM revocation_events WHERE tenant_id = ?1 AND id > ?2 "
                                     "ORDER BY id LIMIT ?3",
                                     bind_feed, feed_row, 0};

grantd_rc sqlite__revocations_since(struct grantd_store *s, struct grantd_arena *a,
                                    int64_t tenant, int64_t after, size_t limit,
                                    struct grantd_revocation **out, size_t *count,
                                    int64_t *next_cursor)
{
    struct feed_args f = {tenant, after, limit > FEED_LIMIT_MAX ? FEED_LIMIT_MAX : (int64_t)limit};
    void *rows = NULL;
    grantd_rc rc = sqlite__read_rows(s, &feed, &f, a, sizeof(**out), &rows, count);
    if (rc == GRANTD_OK) {
        *out = rows;
        *next_cursor = *count ? (*out)[*count - 1].cursor : after;
    }
    return rc;
}

static const struct sq_query floor_q = {SQ_FEED_FLOOR,
                                        "SELECT upto FROM revocation_feed_floor WHERE id = 1",
                                        NULL, sqlite__row_int64, 0};
/* The floor rises to the newest event stamped before ?1 (an event stamped 0, older than
 * schema 10, never decides it but goes with those around it): ids grow with time, so every
 * event below it is as old, give or take the clocks of the writers. */
static const struct sq_query raise_floor = {
    SQ_FEED_RAISE_FLOOR,
    "UPDATE revocation_feed_floor SET upto = max(upto, coalesce((SELECT max(id) FROM "
    "revocation_events WHERE at > 0 AND at < ?1), 0)) WHERE id = 1",
    sqlite__bind_int64, NULL, SQ_ONE_ROW};
static const struct sq_query purge = {SQ_FEED_PURGE,
                                      "DELETE FROM revocation_events WHERE id <= "
                                      "(SELECT upto FROM revocation_feed_floor WHERE id = 1)",
                                      NULL, NULL, 0};

grantd_rc sqlite__revocations_floor(struct grantd_store *s, int64_t *out)
{
    grantd_rc rc = sqlite__read(s, &floor_q, NULL, NULL, out);
    return rc == GRANTD_ENOTFOUND ? GRANTD_ESTORE : rc; /* the row is made at migration */
}

struct purge_args {
    int64_t before;
    size_t deleted;
};

static grantd_rc purge_tx(struct sq_conn *c, void *arg)
{
    struct purge_args *p = arg;
    grantd_rc rc = sqlite__run(c, &raise_floor, &p->before);
    if (rc == GRANTD_OK)
        rc = sqlite__run(c, &purge, NULL);
    if (rc == GRANTD_OK)
        p->deleted = (size_t)sqlite3_changes(c->db);
    return rc;
}

grantd_rc sqlite__revocations_purge(struct grantd_store *s, int64_t before, size_t *deleted)
{
    struct purge_args p = {before, 0};
    grantd_rc rc = sqlite__write(s, purge_tx, &p);
    if (rc == GRANTD_OK)
        *deleted = p.deleted;
    return rc;
}
