/* The PostgreSQL driver's audit trail (struct grantd_store_driver in store.h, issue 13
 * item 6): audit_begin and audit_end around the writes of one change, which make them and
 * the entry one transaction, and audit_list.
 *
 * The unit: audit_begin opens a transaction on the calling thread's connection and marks
 * it (pg_conn.unit); every operation that thread calls until audit_end runs inside it, each
 * in a savepoint of its own (pg__tx), so a failed one leaves nothing and reports as ever;
 * audit_end appends the entry and commits, or rolls the whole unit back. Unlike SQLite's
 * single writer, other threads' writes do not wait for the unit, only those that touch the
 * same rows. A unit is not retried: a serialization failure or deadlock inside it fails
 * the change (GRANTD_EBUSY), and its caller answers 503.
 *
 * The table is append-only (PL/pgSQL triggers refuse UPDATE and DELETE). Reads are one
 * statement, chosen by what the query filters on, so that each is one index range.
 *
 * Not here: what an entry says (its callers). */
#include "store/pg_int.h"

#include <stdint.h>
#include <string.h>

#define AUDIT_COLUMNS                                                                          \
    "SELECT seq, tenant_id, at, actor_kind, actor_id, actor_name, action, target_kind, "     \
    "target_id, details FROM audit "

/* ---- the unit --------------------------------------------------------------------------- */

static void bind_audit(struct pg_params *p, const void *arg)
{
    const struct grantd_audit *e = arg;
    pg__int64(p, 1, e->tenant);
    pg__int64(p, 2, e->at);
    pg__text(p, 3, e->actor_kind);
    pg__text(p, 4, e->actor_id);
    pg__text(p, 5, e->actor_name);
    pg__text(p, 6, e->action);
    pg__text(p, 7, e->target_kind);
    pg__text(p, 8, e->target_id);
    pg__text(p, 9, e->details && *e->details ? e->details : NULL);
}

static const struct pg_query audit_put = {
    PG_AUDIT_PUT,
    "INSERT INTO audit (tenant_id, at, actor_kind, actor_id, actor_name, action, "
    "target_kind, target_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    bind_audit, NULL, 0};

/* GRANTD_EINVAL for a unit inside a unit. */
grantd_rc pg__audit_begin(struct grantd_store *s)
{
    struct pg_conn *c;
    grantd_rc rc = pg__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    if (c->unit)
        return GRANTD_EINVAL; /* units do not nest */
    rc = pg__exec(c, "BEGIN");
    if (rc == GRANTD_OK)
        c->unit = 1;
    return rc;
}

/* Returns rc, or the failure of the append or the commit (then nothing was stored).
 * GRANTD_EINVAL without an audit_begin on this thread. */
grantd_rc pg__audit_end(struct grantd_store *s, const struct grantd_audit *e, grantd_rc rc)
{
    struct pg_conn *c;
    grantd_rc got = pg__conn(s, &c);
    if (got != GRANTD_OK || !c->unit) {
        if (got == GRANTD_OK)
            return GRANTD_EINVAL;
        c->unit = 0; /* the connection broke: its transaction is gone with it */
        return got;
    }
    c->unit = 0;
    PGTransactionStatusType tx = PQtransactionStatus(c->db);
    if (tx != PQTRANS_INTRANS && tx != PQTRANS_INERROR)
        return rc == GRANTD_OK ? GRANTD_EBUSY : rc; /* the unit's transaction is gone */
    if (rc == GRANTD_OK)
        rc = pg__run(c, &audit_put, e);
    if (rc == GRANTD_OK)
        return pg__exec(c, "COMMIT");
    PGresult *r = PQexec(c->db, "ROLLBACK");
    PQclear(r);
    return rc;
}

/* ---- audit_list ------------------------------------------------------------------------- */

/* $1 tenant, $2 target kind, $3 target id, $4 the seq bound (after, or before), $5 since,
 * $6 limit. */
static void bind_query(struct pg_params *p, const void *arg)
{
    const struct grantd_audit_query *q = arg;
    int64_t bound = q->newest_first ? (q->before > 0 ? q->before : INT64_MAX) : q->after;
    pg__int64(p, 1, q->tenant);
    pg__text(p, 2, q->target_kind);
    pg__text(p, 3, q->target_id);
    pg__int64(p, 4, bound);
    pg__int64(p, 5, q->since);
    pg__int64(p, 6, q->limit > INT32_MAX ? INT32_MAX : (int64_t)q->limit);
}

static void audit_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_audit *e = out;
    e->seq = pg__col_int64(r, row, 0);
    e->tenant = pg__col_int64(r, row, 1);
    e->at = pg__col_int64(r, row, 2);
    e->actor_kind = pg__col_str(a, r, row, 3);
    e->actor_id = pg__col_str(a, r, row, 4);
    e->actor_name = pg__col_str(a, r, row, 5);
    e->action = pg__col_str(a, r, row, 6);
    e->target_kind = pg__col_str(a, r, row, 7);
    e->target_id = pg__col_str(a, r, row, 8);
    e->details = pg__col_str(a, r, row, 9);
}

#define TARGET "WHERE tenant_id = $1 AND target_kind = $2 AND target_id = $3 "
#define TENANT "WHERE tenant_id = $1 AND $2::text IS NULL AND $3::text IS NULL "
#define ALL "WHERE $1::bigint = 0 AND $2::text IS NULL AND $3::text IS NULL "
#define UP "AND seq > $4 AND at >= $5 ORDER BY seq LIMIT $6"
#define DOWN "AND seq < $4 AND at >= $5 ORDER BY seq DESC LIMIT $6"

/* [filter][newest_first]: filter 0 one target, 1 one tenant, 2 everything. */
static const struct pg_query audit_lists[3][2] = {
    {{PG_AUDIT_TARGET, AUDIT_COLUMNS TARGET UP, bind_query, audit_row, 0},
     {PG_AUDIT_TARGET_DESC, AUDIT_COLUMNS TARGET DOWN, bind_query, audit_row, 0}},
    {{PG_AUDIT_TENANT, AUDIT_COLUMNS TENANT UP, bind_query, audit_row, 0},
     {PG_AUDIT_TENANT_DESC, AUDIT_COLUMNS TENANT DOWN, bind_query, audit_row, 0}},
    {{PG_AUDIT_ALL, AUDIT_COLUMNS ALL UP, bind_query, audit_row, 0},
     {PG_AUDIT_ALL_DESC, AUDIT_COLUMNS ALL DOWN, bind_query, audit_row, 0}},
};

grantd_rc pg__audit_list(struct grantd_store *s, struct grantd_arena *a,
                         const struct grantd_audit_query *q, struct grantd_audit **out,
                         size_t *count)
{
    if (q->limit == 0) /* *out and *count are the wrapper's NULL and 0 */
        return GRANTD_OK;
    int filter = q->target_kind ? 0 : q->tenant ? 1 : 2;
    return pg__read_rows(s, &audit_lists[filter][q->newest_first ? 1 : 0], q, a,
                         sizeof(**out), (void **)out, count);
}
