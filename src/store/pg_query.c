/* The PostgreSQL driver's statements and transactions: parameters (always bound, never
 * formatted into SQL; storage keys and hashes as binary bytea), statements prepared on a
 * connection at their first use there, the run / get / rows helpers that make an
 * operation a statement definition plus its binder, the transaction helper with its
 * retries, and the mapping of SQLSTATEs to grantd_rc.
 *
 * Results come back in text format: integers are decimal text, bytea is PostgreSQL's hex
 * output ("\x0a1b..."), decoded here.
 *
 * Retries: a transaction that fails with a serialization failure (40001) or a deadlock
 * (40P01) runs again from its start, up to TX_RETRIES times; one whose connection broke
 * before its COMMIT was sent runs once more on a new connection. A broken connection after
 * COMMIT was sent leaves the outcome unknown: GRANTD_EBUSY, never a second run (an insert
 * would then answer EEXIST for its own row).
 *
 * Deadline: every statement is sent without blocking and its answer awaited for at most
 * PG_QUERY_DEADLINE_MS (pg_int.h). A server that accepted the connection and then stopped
 * answering (a frozen host, a stopped postmaster) would otherwise hold the calling thread
 * for as long as it hangs: past the deadline the connection is given up (closed; the next
 * operation on the thread connects again, within the URL's connect_timeout) and the
 * operation is GRANTD_EBUSY, never run again on another connection (the statement may
 * still complete on the server). Migrations (pg_schema.c) have none: a step may build an
 * index for longer.
 *
 * Not here: connections (pg.c), the schema (pg_schema.c), record operations. */
#include "store/pg_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"

#define TX_RETRIES 5

/* ---- parameters ------------------------------------------------------------------------- */

static void param(struct pg_params *p, int i, const char *v, int len, int format)
{
    p->values[i - 1] = v;
    p->lengths[i - 1] = len;
    p->formats[i - 1] = format;
    if (i > p->n)
        p->n = i;
}

void pg__text(struct pg_params *p, int i, const char *s)
{
    param(p, i, s, 0, 0);
}

void pg__int64(struct pg_params *p, int i, int64_t v)
{
    snprintf(p->num[i - 1], sizeof(p->num[i - 1]), "%lld", (long long)v);
    param(p, i, p->num[i - 1], 0, 0);
}

void pg__bytea(struct pg_params *p, int i, const unsigned char *b, size_t len)
{
    param(p, i, (const char *)b, b ? (int)len : 0, 1);
}

void pg__bind_id(struct pg_params *p, const void *arg)
{
    const struct pg_id *k = arg;
    pg__int64(p, 1, k->tenant);
    pg__text(p, 2, k->id);
}

void pg__bind_set(struct pg_params *p, const void *arg)
{
    const struct pg_set *u = arg;
    pg__bind_id(p, &u->key);
    if (u->text)
        pg__text(p, 3, u->text);
    else if (u->hash)
        pg__bytea(p, 3, u->hash, GRANTD_SHA256_LEN);
    else
        pg__int64(p, 3, u->number);
    pg__int64(p, 4, u->now);
}

void pg__bind_int64(struct pg_params *p, const void *arg)
{
    pg__int64(p, 1, *(const int64_t *)arg);
}

/* ---- results ---------------------------------------------------------------------------- */

const char *pg__col_str(struct grantd_arena *a, const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    return grantd_arena_strdup(a, PQgetvalue(r, row, col));
}

int64_t pg__col_int64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

void pg__col_hash(const PGresult *r, int row, int col, unsigned char out[GRANTD_SHA256_LEN])
{
    memset(out, 0, GRANTD_SHA256_LEN);
    if (PQgetisnull(r, row, col))
        return;
    const char *v = PQgetvalue(r, row, col);
    size_t n = strlen(v), got = 0;
    if (n != 2 + 2 * GRANTD_SHA256_LEN || v[0] != '\\' || v[1] != 'x')
        return;
    if (grantd_hex_decode(v + 2, n - 2, out, GRANTD_SHA256_LEN, &got) != GRANTD_OK ||
        got != GRANTD_SHA256_LEN)
        memset(out, 0, GRANTD_SHA256_LEN);
}

const unsigned char *pg__col_blob(struct grantd_arena *a, const PGresult *r, int row, int col,
                                  size_t *len)
{
    *len = 0;
    if (PQgetisnull(r, row, col))
        return NULL;
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
    if (!raw || n == 0) {
        PQfreemem(raw);
        return NULL;
    }
    unsigned char *out = grantd_arena_alloc(a, n);
    memcpy(out, raw, n);
    PQfreemem(raw);
    *len = n;
    return out;
}

void pg__row_int64(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    *(int64_t *)out = pg__col_int64(r, row, 0);
}

/* ---- result codes ----------------------------------------------------------------------- */

grantd_rc pg__rc_sqlstate(const char *st)
{
    if (!st || strlen(st) != 5)
        return GRANTD_ESTORE;
    if (strcmp(st, "23505") == 0)
        return GRANTD_EEXIST;
    if (strcmp(st, "23503") == 0)
        return GRANTD_ENOTFOUND;
    if (strcmp(st, PG_FAMILY_REVOKED_STATE) == 0)
        return GRANTD_ECONFLICT;
    if (strncmp(st, "08", 2) == 0 || strncmp(st, "53", 2) == 0 || pg__retryable(st) ||
        strcmp(st, "57P01") == 0 || strcmp(st, "57P02") == 0 || strcmp(st, "57P03") == 0)
        return GRANTD_EBUSY;
    return GRANTD_ESTORE;
}

int pg__retryable(const char *st)
{
    return st && (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0);
}

/* Maps a failed result (r may be NULL: out of memory, connection gone) and logs it. A
 * connection given up after the deadline (c->db NULL) is GRANTD_EBUSY, logged by give_up. */
static grantd_rc failed(struct pg_conn *c, const PGresult *r)
{
    if (!c->db) {
        snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", "08006");
        return GRANTD_EBUSY;
    }
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!st && PQstatus(c->db) != CONNECTION_OK)
        st = "08006"; /* connection failure */
    snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", st ? st : "XX000");
    grantd_rc rc = pg__rc_sqlstate(c->sqlstate);
    /* the primary message only: a DETAIL may quote the row (hashes, claims) */
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (rc == GRANTD_EBUSY || rc == GRANTD_ESTORE)
        grantd_log(rc == GRANTD_EBUSY ? GRANTD_LOG_WARN : GRANTD_LOG_ERROR,
                   rc == GRANTD_EBUSY ? "store_busy" : "store_error", "{s:s,s:s,s:s}", "driver",
                   "postgres", "sqlstate", c->sqlstate, "message",
                   msg ? msg : PQerrorMessage(c->db));
    return rc;
}

static int result_ok(const PGresult *r)
{
    ExecStatusType t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

/* The server did not answer in time: the connection is closed (an answer may still come on
 * it) and made again at the thread's next operation (pg__conn). */
static void give_up(struct pg_conn *c)
{
    grantd_log(GRANTD_LOG_WARN, "store_busy", "{s:s,s:s,s:s,s:i}", "driver", "postgres",
               "database", c->store->display, "message", "no answer within the deadline",
               "deadline_ms", PG_QUERY_DEADLINE_MS);
    PQfinish(c->db);
    c->db = NULL;
    snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", "08006");
    pg__hung(c->store);
}

/* Waits until the connection's answer can be read without blocking: 1; 0 when the
 * deadline (until_us, 0: none) passed first or the connection broke. */
static int readable(struct pg_conn *c, int64_t until_us)
{
    while (PQisBusy(c->db)) {
        int wait_ms = -1;
        if (until_us) {
            int64_t left = until_us - grantd_clock_mono_us();
            if (left <= 0)
                return 0;
            wait_ms = (int)((left + 999) / 1000);
        }
        struct pollfd pfd = {.fd = PQsocket(c->db), .events = POLLIN};
        int n = poll(&pfd, 1, wait_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 && until_us && grantd_clock_mono_us() >= until_us)
            return 0;
        if (n < 0 || !PQconsumeInput(c->db))
            return 1; /* broken: PQgetResult reports it */
    }
    return 1;
}

/* The answer of what was just sent on c (sent: PQsend*'s result): the last result, or the
 * first failed one; NULL when nothing could be sent or the deadline passed (c given up,
 * c->sqlstate 08006). */
static PGresult *answer(struct pg_conn *c, int sent)
{
    if (!sent)
        return NULL;
    int64_t until = c->no_deadline ? 0 : grantd_clock_mono_us() + PG_QUERY_DEADLINE_MS * 1000LL;
    PGresult *kept = NULL;
    for (;;) {
        if (!readable(c, until)) {
            PQclear(kept);
            give_up(c);
            return NULL;
        }
        PGresult *r = PQgetResult(c->db);
        if (!r)
            return kept;
        if (kept && !result_ok(kept)) {
            PQclear(r); /* keep the first failure: what PQexec would report */
            continue;
        }
        PQclear(kept);
        kept = r;
    }
}

/* PQexec with the deadline; NULL as answer() says. */
static PGresult *exec_text(struct pg_conn *c, const char *sql)
{
    return c->db ? answer(c, PQsendQuery(c->db, sql)) : NULL;
}

grantd_rc pg__exec(struct pg_conn *c, const char *sql)
{
    PGresult *r = exec_text(c, sql);
    grantd_rc rc = result_ok(r) ? GRANTD_OK : failed(c, r);
    PQclear(r);
    return rc;
}

void pg__exec_quiet(struct pg_conn *c, const char *sql)
{
    PQclear(exec_text(c, sql));
}

grantd_rc pg__exec_params(struct pg_conn *c, const char *sql, int n, const char *const *values,
                          const int *lengths, const int *formats)
{
    PGresult *r = c->db ? answer(c, PQsendQueryParams(c->db, sql, n, NULL, values, lengths,
                                                      formats, 0))
                        : NULL;
    grantd_rc rc = result_ok(r) ? GRANTD_OK : failed(c, r);
    PQclear(r);
    return rc;
}

/* Runs q (prepared on c first when it is not yet) and returns its result, or NULL with *rc
 * set when it failed. */
static PGresult *execute(struct pg_conn *c, const struct pg_query *q, const void *arg,
                         grantd_rc *rc)
{
    char name[16];
    snprintf(name, sizeof(name), "g%d", (int)q->id);
    if (!c->db) { /* given up after a deadline: made again at the next operation */
        *rc = failed(c, NULL);
        return NULL;
    }
    if (!c->prepared[q->id]) {
        PGresult *pr = answer(c, PQsendPrepare(c->db, name, q->sql, 0, NULL));
        if (!result_ok(pr)) {
            *rc = failed(c, pr);
            PQclear(pr);
            return NULL;
        }
        PQclear(pr);
        c->prepared[q->id] = 1;
    }
    struct pg_params p;
    p.n = 0;
    if (q->bind)
        q->bind(&p, arg);
    PGresult *r = answer(c, PQsendQueryPrepared(c->db, name, p.n, p.values, p.lengths,
                                                p.formats, 0));
    if (!result_ok(r)) {
        *rc = failed(c, r);
        PQclear(r);
        return NULL;
    }
    *rc = GRANTD_OK;
    return r;
}

grantd_rc pg__run(struct pg_conn *c, const struct pg_query *q, const void *arg)
{
    grantd_rc rc;
    PGresult *r = execute(c, q, arg, &rc);
    if (!r)
        return rc;
    if ((q->flags & PG_ONE_ROW) && strcmp(PQcmdTuples(r), "0") == 0)
        rc = GRANTD_ENOTFOUND;
    PQclear(r);
    return rc;
}

grantd_rc pg__get(struct pg_conn *c, const struct pg_query *q, const void *arg,
                  struct grantd_arena *a, void *out)
{
    grantd_rc rc;
    PGresult *r = execute(c, q, arg, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) < 1)
        rc = GRANTD_ENOTFOUND;
    else
        q->row(r, 0, a, out);
    PQclear(r);
    return rc;
}

grantd_rc pg__rows(struct pg_conn *c, const struct pg_query *q, const void *arg,
                   struct grantd_arena *a, size_t elem, void **out, size_t *count)
{
    grantd_rc rc;
    PGresult *r = execute(c, q, arg, &rc);
    if (!r)
        return rc;
    int n = PQntuples(r);
    unsigned char *items = n ? grantd_arena_alloc(a, elem * (size_t)n) : NULL;
    for (int i = 0; i < n; i++)
        q->row(r, i, a, items + elem * (size_t)i);
    PQclear(r);
    *out = items;
    *count = (size_t)n;
    return GRANTD_OK;
}

grantd_rc pg__each(struct pg_conn *c, const struct pg_query *q, const void *arg,
                   void (*each)(const PGresult *r, int row, void *ctx), void *ctx)
{
    grantd_rc rc;
    PGresult *r = execute(c, q, arg, &rc);
    if (!r)
        return rc;
    for (int i = 0, n = PQntuples(r); i < n; i++)
        each(r, i, ctx);
    PQclear(r);
    return GRANTD_OK;
}

/* ---- transactions ----------------------------------------------------------------------- */

/* One run of fn between BEGIN and COMMIT (or ROLLBACK). *commit_sent tells whether COMMIT
 * went out, after which a broken connection leaves the outcome unknown. */
static grantd_rc one_tx(struct pg_conn *c, pg_tx_fn fn, void *arg, int single,
                        int *commit_sent)
{
    c->sqlstate[0] = '\0';
    *commit_sent = 0;
    if (single) /* one statement: autocommit is its transaction, two round trips fewer */
        return fn(c, arg);
    grantd_rc rc = pg__exec(c, "BEGIN");
    if (rc != GRANTD_OK)
        return rc;
    rc = fn(c, arg);
    if (rc == GRANTD_OK) {
        *commit_sent = 1;
        return pg__exec(c, "COMMIT");
    }
    pg__exec_quiet(c, "ROLLBACK");
    return rc;
}

/* fn inside the thread's audit unit: a savepoint of the unit's transaction, released, or
 * rolled back to when fn failed; never retried (the unit's earlier writes would be lost
 * with a new transaction). GRANTD_EBUSY when the unit's transaction is gone (the
 * connection was re-made). */
static grantd_rc in_unit(struct pg_conn *c, pg_tx_fn fn, void *arg)
{
    c->sqlstate[0] = '\0';
    if (PQtransactionStatus(c->db) != PQTRANS_INTRANS)
        return GRANTD_EBUSY;
    grantd_rc rc = pg__exec(c, "SAVEPOINT unit_job");
    if (rc != GRANTD_OK)
        return rc;
    rc = fn(c, arg);
    if (rc == GRANTD_OK)
        return pg__exec(c, "RELEASE SAVEPOINT unit_job");
    pg__exec_quiet(c, "ROLLBACK TO SAVEPOINT unit_job");
    return rc;
}

/* pg__tx; single: fn runs one statement, without BEGIN and COMMIT around it. */
static grantd_rc run_tx(struct grantd_store *s, pg_tx_fn fn, void *arg, int single)
{
    struct pg_conn *c;
    grantd_rc rc = pg__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    if (c->unit)
        return in_unit(c, fn, arg);
    int reconnected = 0;
    for (int attempt = 0;; attempt++) {
        int commit_sent = 0;
        rc = one_tx(c, fn, arg, single, &commit_sent);
        if (rc == GRANTD_OK)
            return rc;
        if (pg__retryable(c->sqlstate) && attempt < TX_RETRIES) {
            usleep((useconds_t)(200 * (attempt + 1))); /* let the other side finish */
            continue;
        }
        if (!c->db)
            return GRANTD_EBUSY; /* given up after the deadline: the server hangs */
        if (PQstatus(c->db) != CONNECTION_OK) {
            if (commit_sent || reconnected)
                return GRANTD_EBUSY;
            reconnected = 1;
            if (pg__reconnect(c) != GRANTD_OK)
                return GRANTD_EBUSY;
            continue;
        }
        return rc;
    }
}

grantd_rc pg__tx(struct grantd_store *s, pg_tx_fn fn, void *arg)
{
    return run_tx(s, fn, arg, 0);
}

grantd_rc pg__tx_single(struct grantd_store *s, pg_tx_fn fn, void *arg)
{
    return run_tx(s, fn, arg, 1);
}

struct write_query {
    const struct pg_query *q;
    const void *arg;
};

static grantd_rc write_query_tx(struct pg_conn *c, void *arg)
{
    const struct write_query *w = arg;
    grantd_rc rc = pg__run(c, w->q, w->arg);
    if (rc == GRANTD_OK && (w->q->flags & PG_CHANGES))
        rc = pg__changed(c);
    return rc;
}

grantd_rc pg__write_query(struct grantd_store *s, const struct pg_query *q, const void *arg)
{
    struct write_query w = {q, arg};
    return pg__tx(s, write_query_tx, &w);
}

struct read {
    const struct pg_query *q;
    const void *arg;
    struct grantd_arena *a;
    void *out;
    size_t elem, *count; /* pg__read_rows: elem > 0 */
};

static grantd_rc read_tx(struct pg_conn *c, void *arg)
{
    struct read *r = arg;
    if (r->elem)
        return pg__rows(c, r->q, r->arg, r->a, r->elem, (void **)r->out, r->count);
    return pg__get(c, r->q, r->arg, r->a, r->out);
}

grantd_rc pg__read(struct grantd_store *s, const struct pg_query *q, const void *arg,
                   struct grantd_arena *a, void *out)
{
    struct read r = {q, arg, a, out, 0, NULL};
    return run_tx(s, read_tx, &r, 1);
}

grantd_rc pg__read_rows(struct grantd_store *s, const struct pg_query *q, const void *arg,
                        struct grantd_arena *a, size_t elem, void **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    struct read r = {q, arg, a, out, elem, count};
    return run_tx(s, read_tx, &r, 1);
}
