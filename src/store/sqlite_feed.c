/* The SQLite driver's revocation feed (store.h, revocations_since): a read of the table
 * revocation_events (sqlite_schema.c, version 8), whose rows the schema's triggers append in
 * the transaction of every write that revokes a token or a family or disables a client or a
 * user, so this file writes nothing.
 *
 * Not here: what appends (the triggers), the HTTP feed that serves these events. */
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
    if (!a || !out || !count || !next_cursor || after < 0 || limit == 0)
        return GRANTD_EINVAL;
    struct feed_args f = {tenant, after, limit > FEED_LIMIT_MAX ? FEED_LIMIT_MAX : (int64_t)limit};
    void *rows = NULL;
    grantd_rc rc = sqlite__read_rows(s, &feed, &f, a, sizeof(**out), &rows, count);
    if (rc == GRANTD_OK) {
        *out = rows;
        *next_cursor = *count ? (*out)[*count - 1].cursor : after;
    }
    return rc;
}
