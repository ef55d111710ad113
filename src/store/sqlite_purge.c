/* The SQLite driver's bulk operations (struct grantd_store_driver in store.h): disabling a
 * client with everything it was granted, and purging expired rows.
 *
 * Every index on tokens costs a page write for each token the token endpoint stores
 * (sqlite_schema.c, version 3): client_set_disabled, which runs rarely, walks rows in an
 * order no index serves, on purpose; the purge, which runs each minute, has tokens_by_expiry
 * (version 19), measured worth its writes (bench/README.md), and a family's revocation has
 * tokens_access_by_family (version 19: its feed trigger read every token under the write
 * lock).
 *
 * client_set_disabled is one write transaction: the client's disabled flag and tokens_after
 * (which ends its self-contained tokens, stored nowhere) and, when disabling, one
 * revoked_families row for every family of its tokens and codes (so token_get reports each
 * of those tokens revoked, and token_put/refresh_rotate refuse the families: sqlite_code.c),
 * its unused codes revoked and its consents deleted. Finding the families scans the tenant's
 * tokens and codes while holding the write lock: about a second per few million tokens,
 * during which other writes wait.
 *
 * purge_expired is NOT one transaction: it works CHUNK rows at a time, each chunk read on
 * the calling thread's own connection (no write lock) and what needs a write deleted or
 * flagged in one write job, so writers never wait long. Expired tokens are found through
 * tokens_by_expiry (schema version 19), oldest first, so a pass costs what expired, not
 * the table: measured on ten million tokens (bench/purge, bench/README.md), the walk in
 * primary-key order it replaced read every row each minute (2.8 s a pass at five million
 * live tokens; 2 ms now). Codes
 * and sessions, short-lived and few, are still walked in primary-key order. Deleting an
 * expired row is invisible to every other operation (an expired code, token or session is
 * refused by its reader either way), so no caller can tell the difference, and a purge
 * that fails half-way leaves a consistent database with fewer rows.
 *
 * Revoked families: a revoked_families row must outlive every token and code of its family
 * (token_get derives "revoked" from it, code exchanges in flight are refused by it). Family
 * rows revoked more than SQ_FAMILY_KEEP (a day: longer than any code lives and any exchange
 * takes) before the now the caller gives go together, in a pass that finds one revoked
 * FAMILY_SWEEP (two days) or more before, so at most once a day: that pass walks every
 * token in primary-key order and copies the revocation of each such family onto its
 * surviving tokens' own revoked flag, then deletes those family rows whose codes are all
 * gone.
 * Tokens cannot join a revoked family, so every token of such a family was flagged by the
 * walk. The other passes never read a token that did not expire.
 *
 * client_delete runs the same steps (sqlite__client_revoke_all) before it deletes the row,
 * in its own transaction (sqlite_client.c), so no grant outlives its client.
 *
 * Not here: single-row revocation (sqlite_code.c), the write path (sqlite_writer.c). */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/log.h"


#define CHUNK 2000
/* A pass sweeps the old families (the full token walk) once one is this old. */
#define FAMILY_SWEEP (2 * SQ_FAMILY_KEEP)

/* ---- client_set_disabled --------------------------------------------------------------- */

struct disable {
    struct sq_id key;
    int disabled;
    int64_t now_us;
};

/* ?1 = tenant, ?2 = client id and, where the statement has them, ?3 = now in seconds,
 * ?4 = now_us, ?5 = the flag. */
static int bind_disable(sqlite3_stmt *st, const void *arg)
{
    const struct disable *d = arg;
    int n = sqlite3_bind_parameter_count(st);
    int b = sqlite__bind_id(st, &d->key);
    if (n >= 3)
        b |= sqlite3_bind_int64(st, 3, d->now_us / 1000000);
    if (n >= 5)
        b |= sqlite3_bind_int64(st, 4, d->now_us) | sqlite3_bind_int(st, 5, d->disabled);
    return b;
}

static const struct sq_query client_flag = {SQ_CLIENT_DISABLE,
                                            "UPDATE clients SET disabled = ?5, "
                                            "updated_at = ?3, tokens_after = ?4 "
                                            "WHERE tenant_id = ?1 AND id = ?2",
                                            bind_disable, NULL, SQ_ONE_ROW};

/* What disabling revokes, after the client row. */
static const struct sq_query revoke_grants[] = {
    {SQ_CLIENT_FAMILIES,
     "INSERT OR IGNORE INTO revoked_families (tenant_id, family, revoked_at) "
     "SELECT tenant_id, family, ?3 FROM tokens WHERE tenant_id = ?1 AND client_id = ?2",
     bind_disable, NULL, 0},
    {SQ_CLIENT_CODE_FAMILIES,
     "INSERT OR IGNORE INTO revoked_families (tenant_id, family, revoked_at) "
     "SELECT tenant_id, family, ?3 FROM codes WHERE tenant_id = ?1 AND client_id = ?2",
     bind_disable, NULL, 0},
    {SQ_CLIENT_CODES_REVOKE,
     "UPDATE codes SET revoked = 1 WHERE tenant_id = ?1 AND client_id = ?2 AND used = 0",
     bind_disable, NULL, 0},
    {SQ_CLIENT_CONSENTS, "DELETE FROM consents WHERE tenant_id = ?1 AND client_id = ?2",
     bind_disable, NULL, 0},
};

static grantd_rc set_disabled_tx(struct sq_conn *c, void *arg)
{
    const struct disable *d = arg;
    grantd_rc rc = sqlite__run(c, &client_flag, d);
    size_t steps = d->disabled ? sizeof(revoke_grants) / sizeof(revoke_grants[0]) : 0;
    for (size_t i = 0; rc == GRANTD_OK && i < steps; i++)
        rc = sqlite__run(c, &revoke_grants[i], d);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

grantd_rc sqlite__client_set_disabled(struct grantd_store *s, int64_t tenant, const char *id,
                                      int disabled, int64_t now_us)
{
    struct disable d = {{tenant, id}, disabled ? 1 : 0, now_us};
    return sqlite__write(s, set_disabled_tx, &d);
}

grantd_rc sqlite__client_revoke_all(struct sq_conn *c, const struct sq_id *key, int64_t now_us)
{
    struct disable d = {*key, 1, now_us};
    return set_disabled_tx(c, &d);
}

/* ---- purge_expired -------------------------------------------------------------------- */

struct walk;
static int bind_scan(sqlite3_stmt *st, const void *arg);
static int bind_expired(sqlite3_stmt *st, const void *arg);
static void scan_row(sqlite3_stmt *st, struct grantd_arena *a, void *out);

/* A table purge walks: its scan answers (tenant_id, key, expired, flag) for up to ?3 rows
 * after key (?1, ?2), ?4 being `before`; expired rows are deleted, flagged ones (tokens of a
 * family revoked before ?6, asked for only when ?5) get revoked = 1. CASE, not AND: SQLite
 * evaluates both sides of an AND in a result column, and the probe costs a microsecond a
 * row. */
struct walk_table {
    struct sq_query scan, delete;
};

static const struct walk_table tokens_walk = {
    {SQ_PURGE_TOKENS_SCAN,
     "SELECT t.tenant_id, t.hash, t.expires_at > 0 AND t.expires_at < ?4, "
     "CASE WHEN ?5 AND t.revoked = 0 THEN EXISTS (SELECT 1 FROM revoked_families r "
     "WHERE r.tenant_id = t.tenant_id AND r.family = t.family AND r.revoked_at < ?6) END "
     "FROM tokens t WHERE (t.tenant_id, t.hash) > (?1, ?2) ORDER BY t.tenant_id, t.hash "
     "LIMIT ?3",
     bind_scan, scan_row, 0},
    {SQ_PURGE_TOKEN_DELETE, "DELETE FROM tokens WHERE tenant_id = ?1 AND hash = ?2",
     sqlite__bind_hash_key, NULL, SQ_ONE_ROW}};

/* Expired tokens only, oldest first, through tokens_by_expiry (its WHERE, expires_at > 0,
 * is repeated so the planner may use the partial index); no key to resume from: what the
 * last chunk read is gone. ?1 the chunk size, ?2 `before`. */
static const struct walk_table tokens_expired = {
    {SQ_PURGE_TOKENS_EXPIRED,
     "SELECT tenant_id, hash, 1, 0 FROM tokens WHERE expires_at > 0 AND expires_at < ?2 "
     "ORDER BY expires_at LIMIT ?1",
     bind_expired, scan_row, 0},
    {SQ_PURGE_TOKEN_DELETE, "DELETE FROM tokens WHERE tenant_id = ?1 AND hash = ?2",
     sqlite__bind_hash_key, NULL, SQ_ONE_ROW}};

static const struct walk_table codes_walk = {
    {SQ_PURGE_CODES_SCAN,
     "SELECT tenant_id, hash, expires_at > 0 AND expires_at < ?4, 0 FROM codes "
     "WHERE (tenant_id, hash) > (?1, ?2) ORDER BY tenant_id, hash LIMIT ?3",
     bind_scan, scan_row, 0},
    {SQ_PURGE_CODE_DELETE, "DELETE FROM codes WHERE tenant_id = ?1 AND hash = ?2",
     sqlite__bind_hash_key, NULL, SQ_ONE_ROW}};

static const struct walk_table sessions_walk = {
    {SQ_PURGE_SESSIONS_SCAN,
     "SELECT tenant_id, id_hash, expires_at > 0 AND expires_at < ?4, 0 FROM sessions "
     "WHERE (tenant_id, id_hash) > (?1, ?2) ORDER BY tenant_id, id_hash LIMIT ?3",
     bind_scan, scan_row, 0},
    {SQ_PURGE_SESSION_DELETE, "DELETE FROM sessions WHERE tenant_id = ?1 AND id_hash = ?2",
     sqlite__bind_hash_key, NULL, SQ_ONE_ROW}};

static const struct sq_query token_flag = {SQ_PURGE_TOKEN_FLAG,
                                           "UPDATE tokens SET revoked = 1 "
                                           "WHERE tenant_id = ?1 AND hash = ?2",
                                           sqlite__bind_hash_key, NULL, SQ_ONE_ROW};

static const struct sq_query families_delete = {SQ_PURGE_FAMILIES,
                                                "DELETE FROM revoked_families "
                                                "WHERE revoked_at < ?1 "
                                                "AND NOT EXISTS (SELECT 1 FROM codes k "
                                                "WHERE k.tenant_id = revoked_families.tenant_id "
                                                "AND k.family = revoked_families.family)",
                                                sqlite__bind_int64, NULL, 0};

static void any_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    *(int *)out = 1;
}

static const struct sq_query families_old = {SQ_PURGE_OLD_FAMILIES,
                                             "SELECT 1 FROM revoked_families "
                                             "WHERE revoked_at <= ?1 LIMIT 1",
                                             sqlite__bind_int64, any_row, 0};

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
    const char *table;         /* for the walk's debug line */
};

/* Binds the scan's parameters; only the tokens scan has ?5 and ?6. */
static int bind_scan(sqlite3_stmt *st, const void *arg)
{
    const struct walk *x = arg;
    int b = sqlite3_bind_int64(st, 1, x->from_tenant) |
            sqlite3_bind_blob(st, 2, x->from_key, x->from_len, SQLITE_STATIC) |
            sqlite3_bind_int(st, 3, CHUNK) | sqlite3_bind_int64(st, 4, x->before);
    if (sqlite3_bind_parameter_count(st) >= 6)
        b |= sqlite3_bind_int(st, 5, x->flag) | sqlite3_bind_int64(st, 6, x->cutoff);
    return b;
}

static int bind_expired(sqlite3_stmt *st, const void *arg)
{
    const struct walk *x = arg;
    return sqlite3_bind_int(st, 1, CHUNK) | sqlite3_bind_int64(st, 2, x->before);
}

/* One scanned row: the walk moves past it, and it joins x->rows when it needs a write. */
static void scan_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct walk *x = out;
    x->n++;
    x->from_tenant = sqlite3_column_int64(st, 0);
    sqlite__col_hash(st, 1, x->from_key);
    x->from_len = GRANTD_SHA256_LEN;
    int action = sqlite3_column_int(st, 2) ? 1 : sqlite3_column_int(st, 3) ? 2 : 0;
    if (!action)
        return;
    struct row_key *k = &x->rows[x->acted++];
    k->tenant = x->from_tenant;
    memcpy(k->key, x->from_key, GRANTD_SHA256_LEN);
    k->action = action;
}

/* The chunk's writes. May run twice (sqlite_writer.c): it only reads rows and sets
 * deleted, so a second run redoes exactly the same. A row that is gone already (another
 * purge) is no failure. */
static grantd_rc chunk_write_tx(struct sq_conn *c, void *arg)
{
    struct walk *x = arg;
    grantd_rc rc = GRANTD_OK;
    x->deleted = 0;
    for (size_t i = 0; rc == GRANTD_OK && i < x->acted; i++) {
        const struct row_key *k = &x->rows[i];
        struct sq_hash key = {k->tenant, k->key};
        rc = sqlite__run(c, k->action == 1 ? &x->t->delete : &token_flag, &key);
        x->deleted += rc == GRANTD_OK && k->action == 1;
        rc = rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
    }
    return rc;
}

/* Walks one table to its end; *deleted grows by the rows deleted. Logs (debug) what the
 * walk read and deleted, its chunks and the longest write job: the longest time the purge
 * held the write lock (bench/purge reads it). */
static grantd_rc walk(struct grantd_store *s, struct sq_conn *c, struct walk *x,
                      size_t *deleted)
{
    grantd_rc rc;
    int64_t start = grantd_clock_real_mono_us(), longest = 0, read = 0, gone = 0, chunks = 0;
    x->from_tenant = INT64_MIN;
    x->from_len = 0;
    do {
        x->n = x->acted = 0;
        rc = sqlite__scan(c, &x->t->scan, x, NULL, x);
        read += (int64_t)x->n;
        chunks++;
        int64_t w = grantd_clock_real_mono_us();
        if (rc == GRANTD_OK && x->acted)
            rc = sqlite__write(s, chunk_write_tx, x);
        w = grantd_clock_real_mono_us() - w;
        longest = w > longest ? w : longest;
        if (rc == GRANTD_OK && x->acted) {
            *deleted += x->deleted;
            gone += (int64_t)x->deleted;
        }
    } while (rc == GRANTD_OK && x->n == CHUNK);
    grantd_log(GRANTD_LOG_DEBUG, "purge_table", "{s:s,s:I,s:I,s:I,s:f,s:f}", "table", x->table,
               "rows_read", (json_int_t)read, "deleted", (json_int_t)gone, "chunks",
               (json_int_t)chunks, "longest_chunk_ms", (double)longest / 1000.0, "seconds",
               (double)(grantd_clock_real_mono_us() - start) / 1e6);
    return rc;
}

static grantd_rc families_tx(struct sq_conn *c, void *arg)
{
    return sqlite__run(c, &families_delete, arg);
}

/* Tokens first (a sweep copies the old families' revocations onto them), then codes, then
 * the old family rows, then sessions. *deleted counts tokens, codes and sessions, also when
 * a later step fails. */
grantd_rc sqlite__purge_expired(struct grantd_store *s, int64_t before, int64_t now,
                                size_t *deleted)
{
    *deleted = 0;
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    struct walk x = {.before = before, .cutoff = now - FAMILY_SWEEP};
    x.rows = grantd_xcalloc(CHUNK, sizeof(*x.rows));
    rc = sqlite__get(c, &families_old, &x.cutoff, NULL, &x.flag);
    rc = rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
    x.cutoff = now - SQ_FAMILY_KEEP; /* a sweep takes every family older than a day */
    x.t = x.flag ? &tokens_walk : &tokens_expired;
    x.table = x.flag ? "tokens" : "tokens_expired";
    if (rc == GRANTD_OK)
        rc = walk(s, c, &x, deleted);
    x.t = &codes_walk;
    x.table = "codes";
    if (rc == GRANTD_OK)
        rc = walk(s, c, &x, deleted);
    if (rc == GRANTD_OK && x.flag)
        rc = sqlite__write(s, families_tx, &x.cutoff);
    x.t = &sessions_walk;
    x.table = "sessions";
    if (rc == GRANTD_OK)
        rc = walk(s, c, &x, deleted);
    free(x.rows);
    return rc;
}
