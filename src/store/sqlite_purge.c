/* The SQLite driver's bulk operations (struct grantd_store_driver in store.h): disabling a
 * client with everything it was granted, and purging expired rows.
 *
 * Both walk rows in an order no index serves, on purpose: every index on tokens costs a
 * page write for each token the token endpoint stores (sqlite_schema.c, version 3), while
 * these run rarely (an administrator, a periodic purge).
 *
 * client_disable is one write transaction: the client's disabled flag and tokens_after (which
 * ends its self-contained tokens, stored nowhere), one revoked_families
 * row for every family of its tokens and codes (so token_get reports each of those tokens
 * revoked, and token_put/refresh_rotate refuse the families: sqlite_code.c), its unused codes
 * revoked and its consents deleted. Finding the families scans the tenant's tokens and codes
 * while holding the write lock: about a second per few million tokens, during which other
 * writes wait.
 *
 * purge_expired is NOT one transaction: it walks tokens, codes and sessions in primary-key
 * order, CHUNK rows at a time read on the calling thread's own connection (no write lock),
 * and deletes what expired in one write job per chunk, so writers never wait long.
 * Deleting an expired row is invisible to every other operation (an expired code, token or
 * session is refused by its reader either way), so no caller can tell the difference, and
 * a purge that fails half-way leaves a consistent database with fewer rows. The walk reads
 * every row (measured: about 0.4 s per million tokens); an index on expires_at would make
 * it proportional to what expired but cost every token insert a quarter of its rate
 * (measured, single-token transactions), which is the wrong trade below some ten million
 * live tokens with the janitor purging once a minute.
 *
 * Revoked families: a revoked_families row must outlive every token and code of its family
 * (token_get derives "revoked" from it, code exchanges in flight are refused by it). A
 * family row goes once it is older than SQ_FAMILY_KEEP (a day: longer than any
 * code lives and any exchange takes) as measured when the purge began, and no code of its
 * family remains; before that, the token walk copies the revocation of every such family
 * onto each of its surviving tokens' own revoked flag. Tokens cannot join a revoked family,
 * so every token of such a family was flagged by the walk.
 *
 * Not here: single-row revocation (sqlite_code.c), the write path (sqlite_writer.c). */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

#define CHUNK 2000

/* ---- client_disable ------------------------------------------------------------------- */

struct disable {
    int64_t tenant;
    const char *id;
    int64_t now, now_us;
};

/* Runs the statement id with ?1 = tenant, ?2 = client id and, when with_now, ?3 = now. */
static grantd_rc client_exec(struct sq_conn *c, enum sq_stmt_id id, const char *sql,
                             const struct disable *d, int with_now)
{
    sqlite3_stmt *st = sqlite__stmt(c, id, sql);
    if (!st)
        return GRANTD_ESTORE;
    int b = sqlite3_bind_int64(st, 1, d->tenant) | sqlite__bind_text(st, 2, d->id);
    if (with_now)
        b |= sqlite3_bind_int64(st, 3, d->now);
    if (b != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return sqlite__exec(c, st);
}

static grantd_rc disable_tx(struct sq_conn *c, void *arg)
{
    const struct disable *d = arg;
    sqlite3_stmt *st = sqlite__stmt(c, SQ_CLIENT_OFF,
                                          "UPDATE clients SET disabled = 1, updated_at = ?3, "
                                          "tokens_after = ?4 WHERE tenant_id = ?1 AND id = ?2");
    if (!st)
        return GRANTD_ESTORE;
    if ((sqlite3_bind_int64(st, 1, d->tenant) | sqlite__bind_text(st, 2, d->id) |
         sqlite3_bind_int64(st, 3, d->now) | sqlite3_bind_int64(st, 4, d->now_us)) != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    grantd_rc rc = sqlite__exec_one(c, st);
    if (rc == GRANTD_OK)
        rc = client_exec(c, SQ_CLIENT_FAMILIES,
                         "INSERT OR IGNORE INTO revoked_families (tenant_id, family, revoked_at) "
                         "SELECT tenant_id, family, ?3 FROM tokens "
                         "WHERE tenant_id = ?1 AND client_id = ?2",
                         d, 1);
    if (rc == GRANTD_OK)
        rc = client_exec(c, SQ_CLIENT_CODE_FAMILIES,
                         "INSERT OR IGNORE INTO revoked_families (tenant_id, family, revoked_at) "
                         "SELECT tenant_id, family, ?3 FROM codes "
                         "WHERE tenant_id = ?1 AND client_id = ?2",
                         d, 1);
    if (rc == GRANTD_OK)
        rc = client_exec(c, SQ_CLIENT_CODES_REVOKE,
                         "UPDATE codes SET revoked = 1 "
                         "WHERE tenant_id = ?1 AND client_id = ?2 AND used = 0",
                         d, 0);
    if (rc == GRANTD_OK)
        rc = client_exec(c, SQ_CLIENT_CONSENTS,
                         "DELETE FROM consents WHERE tenant_id = ?1 AND client_id = ?2", d, 0);
    return rc;
}

grantd_rc sqlite__client_disable(struct grantd_store *s, int64_t tenant, const char *id)
{
    if (!id)
        return GRANTD_EINVAL;
    struct disable d = {tenant, id, grantd_clock_now(), grantd_clock_now_us()};
    return sqlite__write(s, disable_tx, &d);
}

/* ---- purge_expired -------------------------------------------------------------------- */

/* A table purge walks: its scan answers (tenant_id, key, expired, flag) for up to ?3 rows
 * after key (?1, ?2), ?4 being `before`; expired rows are deleted, flagged ones (tokens of a
 * family revoked before ?6, asked for only when ?5) get revoked = 1. CASE, not AND: SQLite
 * evaluates both sides of an AND in a result column, and the probe costs a microsecond a
 * row. */
struct walk_table {
    enum sq_stmt_id scan_id, delete_id;
    const char *scan, *delete;
};

static const struct walk_table tokens_walk = {
    SQ_PURGE_TOKENS_SCAN, SQ_PURGE_TOKEN_DELETE,
    "SELECT t.tenant_id, t.hash, t.expires_at > 0 AND t.expires_at < ?4, "
    "CASE WHEN ?5 AND t.revoked = 0 THEN EXISTS (SELECT 1 FROM revoked_families r "
    "WHERE r.tenant_id = t.tenant_id AND r.family = t.family AND r.revoked_at < ?6) END "
    "FROM tokens t WHERE (t.tenant_id, t.hash) > (?1, ?2) ORDER BY t.tenant_id, t.hash LIMIT ?3",
    "DELETE FROM tokens WHERE tenant_id = ?1 AND hash = ?2"};

static const struct walk_table codes_walk = {
    SQ_PURGE_CODES_SCAN, SQ_PURGE_CODE_DELETE,
    "SELECT tenant_id, hash, expires_at > 0 AND expires_at < ?4, 0 FROM codes "
    "WHERE (tenant_id, hash) > (?1, ?2) ORDER BY tenant_id, hash LIMIT ?3",
    "DELETE FROM codes WHERE tenant_id = ?1 AND hash = ?2"};

static const struct walk_table sessions_walk = {
    SQ_PURGE_SESSIONS_SCAN, SQ_PURGE_SESSION_DELETE,
    "SELECT tenant_id, id_hash, expires_at > 0 AND expires_at < ?4, 0 "
    "FROM sessions WHERE (tenant_id, id_hash) > (?1, ?2) ORDER BY tenant_id, id_hash LIMIT ?3",
    "DELETE FROM sessions WHERE tenant_id = ?1 AND id_hash = ?2"};

struct row_key {
    int64_t tenant;
    unsigned char key[GRANTD_SHA256_LEN];
    int action; /* 0 none, 1 delete, 2 flag revoked */
};

/* One walk. A chunk is read in a read transaction on the calling thread's connection, then
 * the rows that need it are deleted or flagged in one write job. Both are safe apart: an
 * expired row stays expired, and a revoked family stays revoked (no token joins it). */
struct walk {
    const struct walk_table *t;
    int64_t before, cutoff;
    int flag;                  /* copy old family revocations onto tokens */
    struct row_key *rows;      /* CHUNK entries of scratch */
    size_t n, acted;           /* rows read; rows[0..acted) need a write */
    int64_t from_tenant;
    unsigned char from_key[GRANTD_SHA256_LEN];
    int from_len;              /* 0 before the first chunk: every key is greater */
    size_t deleted;            /* by the last write job */
};

/* Binds the scan's parameters; only the tokens scan has ?5 and ?6. */
static int bind_scan(sqlite3_stmt *st, const struct walk *x)
{
    int b = sqlite3_bind_int64(st, 1, x->from_tenant) |
            sqlite3_bind_blob(st, 2, x->from_key, x->from_len, SQLITE_STATIC) |
            sqlite3_bind_int(st, 3, CHUNK) | sqlite3_bind_int64(st, 4, x->before);
    if (sqlite3_bind_parameter_count(st) >= 6)
        b |= sqlite3_bind_int(st, 5, x->flag) | sqlite3_bind_int64(st, 6, x->cutoff);
    return b;
}

/* Reads the next chunk: x->n rows scanned, the ones to act on first in x->rows, and the
 * walk's position moved past the chunk. */
static grantd_rc chunk_read(struct sq_conn *c, struct walk *x)
{
    sqlite3_stmt *st = sqlite__stmt(c, x->t->scan_id, x->t->scan);
    if (!st)
        return GRANTD_ESTORE;
    x->n = x->acted = 0;
    int r = bind_scan(st, x) == SQLITE_OK ? SQLITE_ROW : SQLITE_MISUSE;
    while (r == SQLITE_ROW && (r = sqlite3_step(st)) == SQLITE_ROW && x->n < CHUNK) {
        x->n++;
        x->from_tenant = sqlite3_column_int64(st, 0);
        sqlite__col_hash(st, 1, x->from_key);
        x->from_len = GRANTD_SHA256_LEN;
        int action = sqlite3_column_int(st, 2) ? 1 : sqlite3_column_int(st, 3) ? 2 : 0;
        if (!action)
            continue;
        struct row_key *k = &x->rows[x->acted++];
        k->tenant = x->from_tenant;
        memcpy(k->key, x->from_key, GRANTD_SHA256_LEN);
        k->action = action;
    }
    grantd_rc rc = r == SQLITE_ROW || r == SQLITE_DONE ? GRANTD_OK : sqlite__rc(c, r);
    sqlite__done(st);
    return rc;
}

/* Deletes or flags one row by its key; *changed gets whether a row changed. */
static grantd_rc row_apply(struct sq_conn *c, const struct walk *x, const struct row_key *k,
                           int *changed)
{
    sqlite3_stmt *st =
        k->action == 1 ? sqlite__stmt(c, x->t->delete_id, x->t->delete)
                       : sqlite__stmt(c, SQ_PURGE_TOKEN_FLAG,
                                            "UPDATE tokens SET revoked = 1 "
                                            "WHERE tenant_id = ?1 AND hash = ?2");
    if (!st)
        return GRANTD_ESTORE;
    if ((sqlite3_bind_int64(st, 1, k->tenant) | sqlite__bind_hash(st, 2, k->key)) !=
        SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    grantd_rc rc = sqlite__exec(c, st);
    *changed = rc == GRANTD_OK && sqlite3_changes(c->db) > 0;
    return rc;
}

/* The chunk's writes. May run twice (sqlite_writer.c): it only reads rows and sets
 * deleted, so a second run redoes exactly the same. */
static grantd_rc chunk_write_tx(struct sq_conn *c, void *arg)
{
    struct walk *x = arg;
    grantd_rc rc = GRANTD_OK;
    x->deleted = 0;
    for (size_t i = 0; rc == GRANTD_OK && i < x->acted; i++) {
        int changed = 0;
        rc = row_apply(c, x, &x->rows[i], &changed);
        x->deleted += changed && x->rows[i].action == 1;
    }
    return rc;
}

/* Walks one table to its end; *deleted grows by the rows deleted. */
static grantd_rc walk(struct grantd_store *s, struct sq_conn *c, struct walk *x,
                      size_t *deleted)
{
    grantd_rc rc;
    x->from_tenant = INT64_MIN;
    x->from_len = 0;
    do {
        rc = chunk_read(c, x);
        if (rc == GRANTD_OK && x->acted)
            rc = sqlite__write(s, chunk_write_tx, x);
        if (rc == GRANTD_OK && x->acted)
            *deleted += x->deleted;
    } while (rc == GRANTD_OK && x->n == CHUNK);
    return rc;
}

static grantd_rc families_tx(struct sq_conn *c, void *arg)
{
    const int64_t *cutoff = arg;
    sqlite3_stmt *st = sqlite__stmt(c, SQ_PURGE_FAMILIES,
                                          "DELETE FROM revoked_families WHERE revoked_at < ?1 "
                                          "AND NOT EXISTS (SELECT 1 FROM codes k "
                                          "WHERE k.tenant_id = revoked_families.tenant_id "
                                          "AND k.family = revoked_families.family)");
    if (!st)
        return GRANTD_ESTORE;
    if (sqlite3_bind_int64(st, 1, *cutoff) != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return sqlite__exec(c, st);
}

/* 1 when a revoked family is older than cutoff: only then must the token walk copy family
 * revocations onto tokens (and the family rows can go afterwards). */
static grantd_rc old_families(struct sq_conn *c, int64_t cutoff, int *any)
{
    sqlite3_stmt *st = sqlite__stmt(c, SQ_PURGE_OLD_FAMILIES,
                                          "SELECT 1 FROM revoked_families "
                                          "WHERE revoked_at < ?1 LIMIT 1");
    if (!st)
        return GRANTD_ESTORE;
    int r = sqlite3_bind_int64(st, 1, cutoff) == SQLITE_OK ? sqlite3_step(st) : SQLITE_MISUSE;
    *any = r == SQLITE_ROW;
    grantd_rc rc = sqlite__rc(c, r);
    sqlite__done(st);
    return rc;
}

/* Tokens first (they take the old families' revocations), then codes, then the old family
 * rows, then sessions. *deleted counts tokens, codes and sessions, also when a later step
 * fails. */
grantd_rc sqlite__purge_expired(struct grantd_store *s, int64_t before, size_t *deleted)
{
    if (!deleted)
        return GRANTD_EINVAL;
    *deleted = 0;
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    struct walk x = {.before = before, .cutoff = grantd_clock_now() - SQ_FAMILY_KEEP};
    x.rows = grantd_xcalloc(CHUNK, sizeof(*x.rows));
    rc = old_families(c, x.cutoff, &x.flag);
    x.t = &tokens_walk;
    if (rc == GRANTD_OK)
        rc = walk(s, c, &x, deleted);
    x.t = &codes_walk;
    if (rc == GRANTD_OK)
        rc = walk(s, c, &x, deleted);
    if (rc == GRANTD_OK && x.flag)
        rc = sqlite__write(s, families_tx, &x.cutoff);
    x.t = &sessions_walk;
    if (rc == GRANTD_OK)
        rc = walk(s, c, &x, deleted);
    free(x.rows);
    return rc;
}
