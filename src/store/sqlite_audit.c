/* The SQLite driver's audit trail (struct grantd_store_driver in store.h, issue 13 item 6):
 * audit_begin and audit_end around the writes of one change, which make them and the
 * entry one transaction (a unit of the writer, sqlite_writer.c), and audit_list.
 *
 * The table is append-only (schema version 13: triggers refuse UPDATE and DELETE). Reads
 * are one statement on the calling thread's connection, chosen by what the query filters
 * on, so that each is an index range: one target of a tenant (audit_target), one tenant
 * (audit_tenant), or everything (the rowid).
 *
 * Not here: what an entry says (its callers), the unit itself (sqlite_writer.c). */
#include "store/sqlite_int.h"

#include <stdint.h>
#include <string.h>

#define AUDIT_COLUMNS                                                                          \
    "SELECT seq, tenant_id, at, actor_kind, actor_id, actor_name, action, target_kind, "     \
    "target_id, details FROM audit "

/* ---- append ------------------------------------------------------------------------------ */

static int bind_audit(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_audit *e = arg;
    return sqlite3_bind_int64(st, 1, e->tenant) | sqlite3_bind_int64(st, 2, e->at) |
           sqlite__bind_text(st, 3, e->actor_kind) | sqlite__bind_text(st, 4, e->actor_id) |
           sqlite__bind_text(st, 5, e->actor_name) | sqlite__bind_text(st, 6, e->action) |
           sqlite__bind_text(st, 7, e->target_kind) | sqlite__bind_text(st, 8, e->target_id) |
           sqlite__bind_text(st, 9, e->details && *e->details ? e->details : NULL);
}

static const struct sq_query audit_put = {
    SQ_AUDIT_PUT,
    "INSERT INTO audit (tenant_id, at, actor_kind, actor_id, actor_name, action, "
    "target_kind, target_id, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    bind_audit, NULL, 0};

static grantd_rc audit_put_tx(struct sq_conn *c, void *arg)
{
    return sqlite__run(c, &audit_put, arg);
}

grantd_rc sqlite__audit_begin(struct grantd_store *s)
{
    return sqlite__unit_begin(s);
}

grantd_rc sqlite__audit_end(struct grantd_store *s, const struct grantd_audit *e, grantd_rc rc)
{
    return sqlite__unit_end(s, audit_put_tx, (void *)e, rc);
}

/* ---- audit_list ------------------------------------------------------------------------ */

/* ?1 tenant, ?2 target kind, ?3 target id, ?4 the seq bound (after, or before), ?5 since,
 * ?6 limit. */
static int bind_query(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_audit_query *q = arg;
    int64_t bound = q->newest_first ? (q->before > 0 ? q->before : INT64_MAX) : q->after;
    return sqlite3_bind_int64(st, 1, q->tenant) | sqlite__bind_text(st, 2, q->target_kind) |
           sqlite__bind_text(st, 3, q->target_id) | sqlite3_bind_int64(st, 4, bound) |
           sqlite3_bind_int64(st, 5, q->since) |
           sqlite3_bind_int64(st, 6, q->limit > INT32_MAX ? INT32_MAX : (int64_t)q->limit);
}

static void audit_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_audit *e = out;
    e->seq = sqlite3_column_int64(st, 0);
    e->tenant = sqlite3_column_int64(st, 1);
    e->at = sqlite3_column_int64(st, 2);
    e->actor_kind = sqlite__col_str(a, st, 3);
    e->actor_id = sqlite__col_str(a, st, 4);
    e->actor_name = sqlite__col_str(a, st, 5);
    e->action = sqlite__col_str(a, st, 6);
    e->target_kind = sqlite__col_str(a, st, 7);
    e->target_id = sqlite__col_str(a, st, 8);
    e->details = sqlite__col_str(a, st, 9);
}

#define TARGET "WHERE tenant_id = ?1 AND target_kind = ?2 AND target_id = ?3 "
#define TENANT "WHERE tenant_id = ?1 AND ?2 IS NULL AND ?3 IS NULL "
#define ALL "WHERE ?1 = 0 AND ?2 IS NULL AND ?3 IS NULL "
#define UP "AND seq > ?4 AND at >= ?5 ORDER BY seq LIMIT ?6"
#define DOWN "AND seq < ?4 AND at >= ?5 ORDER BY seq DESC LIMIT ?6"

/* [filter][newest_first]: filter 0 one target, 1 one tenant, 2 everything. */
static const struct sq_query audit_lists[3][2] = {
    {{SQ_AUDIT_TARGET, AUDIT_COLUMNS TARGET UP, bind_query, audit_row, 0},
     {SQ_AUDIT_TARGET_DESC, AUDIT_COLUMNS TARGET DOWN, bind_query, audit_row, 0}},
    {{SQ_AUDIT_TENANT, AUDIT_COLUMNS TENANT UP, bind_query, audit_row, 0},
     {SQ_AUDIT_TENANT_DESC, AUDIT_COLUMNS TENANT DOWN, bind_query, audit_row, 0}},
    {{SQ_AUDIT_ALL, AUDIT_COLUMNS ALL UP, bind_query, audit_row, 0},
     {SQ_AUDIT_ALL_DESC, AUDIT_COLUMNS ALL DOWN, bind_query, audit_row, 0}},
};

grantd_rc sqlite__audit_list(struct grantd_store *s, struct grantd_arena *a,
                             const struct grantd_audit_query *q, struct grantd_audit **out,
                             size_t *count)
{
    if (q->limit == 0) /* *out and *count are the wrapper's NULL and 0 */
        return GRANTD_OK;
    int filter = q->target_kind ? 0 : q->tenant ? 1 : 2;
    return sqlite__read_rows(s, &audit_lists[filter][q->newest_first ? 1 : 0], q, a,
                             sizeof(**out), (void **)out, count);
}
