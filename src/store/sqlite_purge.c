/* The SQLite driver's bulk operations (struct grantd_store_driver in store.h): disabling a
 * client with everything it was granted, and purging expired rows.
 *
 * Both walk rows in an order no index serves, on purpose: every index on tokens costs a
 * page write for each token the token endpoint stores (sqlite_schema.c, version 3), while
 * these run rarely (an administrator, a periodic purge).
 *
 * client_set_disabled is one write transaction: the client's disabled flag and tokens_after
 * (which ends its self-contained tokens, stored nowhere) and, when disabling, one
 * revoked_families row for every family of its tokens and codes (so token_get reports each
 * of those tokens revoked, and token_put/refresh_rotate refuse the families: sqlite_code.c),
 * its unused codes revoked and its consents deleted. Finding the families scans the tenant's
 * tokens and codes while holding the write lock: about a second per few million tokens,
 * during which other writes wait.
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
 * family row goes once it was revoked more than SQ_FAMILY_KEEP (a day: longer than any code
 * lives and any exchange takes) before the now the caller gives, and no code of its family
 * remains; before that, the token walk copies the revocation of every such family onto each
 * of its surviving tokens' own revoked flag. Tokens cannot join a revoked family,
 * so every token of such a family was flagged by the walk.
 *
 * Not here: single-row revocation (sqlite_code.c), the write path (sqlite_writer.c). */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>


#define CHUNK 2000

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
    if (!id || now_us <= 0)
        return GRANTD_EINVAL;
    struct disable d = {{tenant, id}, disabled ? 1 : 0, now_us};
    return sqlite__write(s, set_disabled_tx, &d);
}

/* ---- purge_expired -------------------------------------------------------------------- */

struct walk;
static int bind_scan(sqlite3_stmt *st, const void *arg);
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
                                             "WHERE revoked_at < ?1 LIMIT 1",
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

/* Walks one table to its end; *deleted grows by the rows deleted. */
static grantd_rc walk(struct grantd_store *s, struct sq_conn *c, struct walk *x,
                      size_t *deleted)
{
    grantd_rc rc;
    x->from_tenant = INT64_MIN;
    x->from_len = 0;
    do {
        x->n = x->acted = 0;
        rc = sqlite__scan(c, &x->t->scan, x, NULL, x);
        if (rc == GRANTD_OK && x->acted)
            rc = sqlite__write(s, chunk_write_tx, x);
        if (rc == GRANTD_OK && x->acted)
            *deleted += x->deleted;
    } while (rc == GRANTD_OK && x->n == CHUNK);
    return rc;
}

static grantd_rc families_tx(struct sq_conn *c, void *arg)
{
    return sqlite__run(c, &families_delete, arg);
}

/* Tokens first (they take the old families' revocations), then codes, then the old family
 * rows, then sessions, then ended rate-limit windows. *deleted counts tokens, codes and
 * sessions, also when a later step fails. The token walk copies family revocations onto
 * tokens only when some family is older than the cutoff (and its row can go afterwards). */
grantd_rc sqlite__purge_expired(struct grantd_store *s, int64_t before, int64_t now,
                                size_t *deleted)
{
    if (!deleted)
        return GRANTD_EINVAL;
    *deleted = 0;
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    struct walk x = {.before = before, .cutoff = now - SQ_FAMILY_KEEP};
    x.rows = grantd_xcalloc(CHUNK, sizeof(*x.rows));
    rc = sqlite__get(c, &families_old, &x.cutoff, NULL, &x.flag);
    rc = rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
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
    if (rc == GRANTD_OK) /* rate-limit counters whose window ended (sqlite_limit.c) */
        rc = sqlite__limit_purge(s, before);
    free(x.rows);
    return rc;
}
