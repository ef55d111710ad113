/* The SQLite driver's statements: result codes, prepared statements, transactions, and the
 * one piece of code every operation runs its SQL through (struct sq_query in sqlite_int.h):
 * prepare (once per connection), bind from the caller's argument, step, copy the row out,
 * reset. An operation is then a few static queries, the functions that bind them and read
 * their rows, and the transaction around them.
 *
 * Not here: connections (sqlite.c), the write path (sqlite_writer.c), what any statement
 * says (the record files). */
#include "store/sqlite_int.h"

#include <string.h>

#include "core/log.h"

grantd_rc sqlite__rc(struct sq_conn *c, int code)
{
    switch (code & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return GRANTD_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        grantd_log(GRANTD_LOG_WARN, "store_busy", "{s:s,s:s}", "driver", "sqlite", "message",
                   sqlite3_errmsg(c->db));
        return GRANTD_EBUSY;
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
        /* the disk is full, the file or its file system read-only, or the I/O failed:
         * nothing was stored, and it may work again once the operator made room */
        atomic_store(&c->store->unwritable, 1);
        grantd_log(GRANTD_LOG_WARN, "store_unwritable", "{s:s,s:i,s:s}", "driver", "sqlite",
                   "code", code, "message", sqlite3_errmsg(c->db));
        return GRANTD_EBUSY;
    case SQLITE_CONSTRAINT:
        if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
            return GRANTD_EEXIST;
        if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
            return GRANTD_ENOTFOUND;
        break;
    default:
        break;
    }
    grantd_log(GRANTD_LOG_ERROR, "store_error", "{s:s,s:i,s:s}", "driver", "sqlite", "code",
               code, "message", sqlite3_errmsg(c->db));
    return GRANTD_ESTORE;
}

sqlite3_stmt *sqlite__stmt(struct sq_conn *c, enum sq_stmt_id id, const char *sql)
{
    if (c->stmts[id])
        return c->stmts[id];
    int r = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmts[id], NULL);
    if (r != SQLITE_OK) {
        (void)sqlite__rc(c, r);
        c->stmts[id] = NULL;
    }
    return c->stmts[id];
}

void sqlite__done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* The statement of q on c with its parameters bound from arg; NULL when it does not
 * prepare or bind (then nothing is left bound). */
static sqlite3_stmt *bound(struct sq_conn *c, const struct sq_query *q, const void *arg)
{
    sqlite3_stmt *st = sqlite__stmt(c, q->id, q->sql);
    if (st && q->bind && q->bind(st, arg) != SQLITE_OK) {
        sqlite__done(st);
        st = NULL;
    }
    return st;
}

grantd_rc sqlite__run(struct sq_conn *c, const struct sq_query *q, const void *arg)
{
    sqlite3_stmt *st = bound(c, q, arg);
    if (!st)
        return GRANTD_ESTORE;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
    } /* a PRAGMA that sets a value also answers it */
    grantd_rc rc = sqlite__rc(c, r);
    sqlite__done(st);
    if (rc == GRANTD_OK && (q->flags & SQ_ONE_ROW) && sqlite3_changes(c->db) == 0)
        rc = GRANTD_ENOTFOUND;
    return rc;
}

grantd_rc sqlite__get(struct sq_conn *c, const struct sq_query *q, const void *arg,
                      struct grantd_arena *a, void *out)
{
    sqlite3_stmt *st = bound(c, q, arg);
    if (!st)
        return GRANTD_ESTORE;
    int r = sqlite3_step(st);
    grantd_rc rc = r == SQLITE_DONE ? GRANTD_ENOTFOUND : sqlite__rc(c, r);
    if (r == SQLITE_ROW)
        q->row(st, a, out);
    sqlite__done(st);
    return rc;
}

grantd_rc sqlite__read(struct grantd_store *s, const struct sq_query *q, const void *arg,
                       struct grantd_arena *a, void *out)
{
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    return rc == GRANTD_OK ? sqlite__get(c, q, arg, a, out) : rc;
}

/* Grows an arena array of elem-sized items holding count items so that one more fits;
 * *cap is its capacity. Returns the (possibly moved) array. */
static void *grow(struct grantd_arena *a, void *arr, size_t count, size_t *cap, size_t elem)
{
    if (count < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *p = grantd_arena_alloc(a, ncap * elem);
    if (count)
        memcpy(p, arr, count * elem);
    *cap = ncap;
    return p;
}

/* Runs q on c and calls fn(st, ctx) for every row. */
static grantd_rc each_row(struct sq_conn *c, const struct sq_query *q, const void *arg,
                          void (*fn)(sqlite3_stmt *st, void *ctx), void *ctx)
{
    sqlite3_stmt *st = bound(c, q, arg);
    if (!st)
        return GRANTD_ESTORE;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        fn(st, ctx);
    grantd_rc rc = sqlite__rc(c, r);
    sqlite__done(st);
    return rc;
}

struct scan {
    const struct sq_query *q;
    struct grantd_arena *a;
    void *out;
};

static void scan_one(sqlite3_stmt *st, void *ctx)
{
    struct scan *x = ctx;
    x->q->row(st, x->a, x->out);
}

grantd_rc sqlite__scan(struct sq_conn *c, const struct sq_query *q, const void *arg,
                       struct grantd_arena *a, void *out)
{
    struct scan x = {q, a, out};
    return each_row(c, q, arg, scan_one, &x);
}

struct array {
    const struct sq_query *q;
    struct grantd_arena *a;
    size_t elem, n, cap;
    unsigned char *v;
};

static void append_one(sqlite3_stmt *st, void *ctx)
{
    struct array *x = ctx;
    x->v = grow(x->a, x->v, x->n, &x->cap, x->elem);
    x->q->row(st, x->a, x->v + x->n++ * x->elem);
}

grantd_rc sqlite__rows(struct sq_conn *c, const struct sq_query *q, const void *arg,
                       struct grantd_arena *a, size_t elem, void **out, size_t *count)
{
    struct array x = {q, a, elem, 0, 0, NULL};
    grantd_rc rc = each_row(c, q, arg, append_one, &x);
    if (rc == GRANTD_OK) {
        *out = x.v;
        *count = x.n;
    }
    return rc;
}

grantd_rc sqlite__read_rows(struct grantd_store *s, const struct sq_query *q, const void *arg,
                            struct grantd_arena *a, size_t elem, void **out, size_t *count)
{
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    return rc == GRANTD_OK ? sqlite__rows(c, q, arg, a, elem, out, count) : rc;
}

struct write_query {
    const struct sq_query *q;
    const void *arg;
};

static grantd_rc write_query_tx(struct sq_conn *c, void *arg)
{
    const struct write_query *w = arg;
    grantd_rc rc = sqlite__run(c, w->q, w->arg);
    return rc == GRANTD_OK && (w->q->flags & SQ_CHANGES) ? sqlite__changed(c) : rc;
}

grantd_rc sqlite__write_query(struct grantd_store *s, const struct sq_query *q, const void *arg)
{
    struct write_query w = {q, arg};
    return sqlite__write(s, write_query_tx, &w);
}

/* ---- transactions ---------------------------------------------------------------------- */

static const struct sq_query begin_read = {SQ_BEGIN_READ, "BEGIN", NULL, NULL, 0};
static const struct sq_query begin_write = {SQ_BEGIN_WRITE, "BEGIN IMMEDIATE", NULL, NULL, 0};
static const struct sq_query commit = {SQ_COMMIT, "COMMIT", NULL, NULL, 0};
static const struct sq_query rollback = {SQ_ROLLBACK, "ROLLBACK", NULL, NULL, 0};

grantd_rc sqlite__begin(struct sq_conn *c, int write)
{
    return sqlite__run(c, write ? &begin_write : &begin_read, NULL);
}

grantd_rc sqlite__end(struct sq_conn *c, grantd_rc rc)
{
    if (sqlite3_get_autocommit(c->db))
        return rc == GRANTD_OK ? GRANTD_ESTORE : rc; /* SQLite already rolled back */
    if (rc == GRANTD_OK && (rc = sqlite__run(c, &commit, NULL)) == GRANTD_OK)
        return rc;
    if (sqlite3_get_autocommit(c->db))
        return rc; /* the failed COMMIT rolled back (SQLITE_FULL, an I/O error) */
    if (sqlite__run(c, &rollback, NULL) != GRANTD_OK)
        grantd_log(GRANTD_LOG_ERROR, "store_rollback_failed", "{s:s}", "driver", "sqlite");
    return rc;
}

/* ---- binding and reading values -------------------------------------------------------- */

int sqlite__bind_int64(sqlite3_stmt *st, const void *arg)
{
    return sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
}

int sqlite__bind_id(sqlite3_stmt *st, const void *arg)
{
    const struct sq_id *k = arg;
    return sqlite3_bind_int64(st, 1, k->tenant) | sqlite__bind_text(st, 2, k->id);
}

int sqlite__bind_hash_key(sqlite3_stmt *st, const void *arg)
{
    const struct sq_hash *k = arg;
    return sqlite3_bind_int64(st, 1, k->tenant) | sqlite__bind_hash(st, 2, k->hash);
}

int sqlite__bind_set(sqlite3_stmt *st, const void *arg)
{
    const struct sq_set *u = arg;
    int b = sqlite__bind_id(st, &u->key) | sqlite3_bind_int64(st, 4, u->now);
    if (u->text)
        return b | sqlite__bind_text(st, 3, u->text);
    return b | (u->hash ? sqlite__bind_hash(st, 3, u->hash) : sqlite3_bind_int64(st, 3, u->number));
}

int sqlite__bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

int sqlite__bind_hash(sqlite3_stmt *st, int i, const unsigned char *hash)
{
    return sqlite3_bind_blob(st, i, hash, GRANTD_SHA256_LEN, SQLITE_STATIC);
}

int sqlite__bind_blob(sqlite3_stmt *st, int i, const void *blob, size_t len)
{
    if (!len)
        return sqlite3_bind_null(st, i);
    return len > (size_t)INT32_MAX ? SQLITE_TOOBIG
                                   : sqlite3_bind_blob(st, i, blob, (int)len, SQLITE_STATIC);
}

void sqlite__row_int64(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    *(int64_t *)out = sqlite3_column_int64(st, 0);
}

void sqlite__col_hash(sqlite3_stmt *st, int col, unsigned char out[GRANTD_SHA256_LEN])
{
    const void *blob = sqlite3_column_blob(st, col);
    if (blob && sqlite3_column_bytes(st, col) == GRANTD_SHA256_LEN)
        memcpy(out, blob, GRANTD_SHA256_LEN);
    else
        memset(out, 0, GRANTD_SHA256_LEN);
}

const char *sqlite__col_str(struct grantd_arena *a, sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    if (!text)
        return NULL;
    return grantd_arena_strndup(a, (const char *)text, (size_t)sqlite3_column_bytes(st, col));
}

const unsigned char *sqlite__col_blob(struct grantd_arena *a, sqlite3_stmt *st, int col,
                                      size_t *len)
{
    const void *blob = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);
    *len = 0;
    if (!blob || n <= 0)
        return NULL;
    unsigned char *copy = grantd_arena_alloc(a, (size_t)n);
    memcpy(copy, blob, (size_t)n);
    *len = (size_t)n;
    return copy;
}
