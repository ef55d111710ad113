/* The PostgreSQL driver's purge_expired (struct grantd_store_driver in store.h), in
 * sqlite_purge.c's manner: not one transaction, but CHUNK rows at a time, each chunk one
 * statement in a transaction of its own, so no lock is held long. Expired tokens are found
 * through tokens_by_expiry (schema version 19), oldest first, so a pass costs what expired,
 * not the table (bench/purge, bench/README.md); codes and sessions, short-lived and few, are
 * walked in primary-key order. Deleting an expired row is invisible to every other
 * operation (an expired code, token or session is refused by its reader either way), so a
 * purge that fails half-way leaves a consistent database with fewer rows.
 *
 * Revoked families: a revoked_families row must outlive every token and code of its
 * family. Family rows revoked more than a day (PG_FAMILY_KEEP) before the caller's now go
 * together, in a pass that finds one revoked FAMILY_SWEEP (two days) or more before, so at
 * most once a day: that pass walks every token in primary-key order and copies the
 * revocation of each such family onto its surviving tokens (TOKEN_FLAG; tokens cannot join
 * a revoked family), then deletes those family rows whose codes are all gone.
 *
 * Not here: single-row revocation (pg_code.c), client_set_disabled (pg_client.c). */
#include "store/pg_int.h"

#include <string.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/log.h"

#define CHUNK 2000
#define PG_FAMILY_KEEP (24 * 3600)
/* A pass sweeps the old families (the full token walk) once one is this old. */
#define FAMILY_SWEEP (2 * PG_FAMILY_KEEP)

/* One walk step: $1, $2 the key the walk is past ((tenant, hash) order), $3 the chunk
 * size, $4 `before`, and for tokens $5 (1: copy family revocations) and $6 the cutoff.
 * Answers the chunk's row count, the rows it deleted and the chunk's last key. */
#define WALK(table, key, extra_cte)                                                            \
    "WITH chunk AS (SELECT * FROM " table " WHERE (tenant_id, " key ") > ($1, $2::bytea) "    \
    "ORDER BY tenant_id, " key " LIMIT $3), "                                                  \
    "del AS (DELETE FROM " table " t USING chunk c WHERE t.tenant_id = c.tenant_id AND "      \
    "t." key " = c." key " AND c.expires_at > 0 AND c.expires_at < $4 RETURNING 1)"           \
    extra_cte " SELECT (SELECT count(*) FROM chunk), (SELECT count(*) FROM del), "            \
    "last.tenant_id, last." key " FROM (SELECT 1) one LEFT JOIN (SELECT tenant_id, " key      \
    " FROM chunk ORDER BY tenant_id DESC, " key " DESC LIMIT 1) last ON true"

/* The surviving tokens of families revoked before the cutoff get their own flag. */
#define TOKEN_FLAG                                                                             \
    ", flag AS (UPDATE tokens t SET revoked = 1 FROM chunk c WHERE $5::int = 1 AND "          \
    "t.tenant_id = c.tenant_id AND t.hash = c.hash AND c.revoked = 0 AND NOT "               \
    "(c.expires_at > 0 AND c.expires_at < $4) AND EXISTS (SELECT 1 FROM revoked_families r " \
    "WHERE r.tenant_id = c.tenant_id AND r.family = c.family AND r.revoked_at < $6) "         \
    "RETURNING 1)"

/* Expired tokens only, oldest first, through tokens_by_expiry (its WHERE, expires_at > 0, is
 * repeated so the planner may use the partial index): $1 the chunk size, $2 `before`. No
 * key to resume from: what the last chunk read is gone. Answers as WALK does. */
#define EXPIRED_TOKENS                                                                         \
    "WITH chunk AS (SELECT tenant_id, hash FROM tokens WHERE expires_at > 0 AND "             \
    "expires_at < $2 ORDER BY expires_at LIMIT $1), "                                         \
    "del AS (DELETE FROM tokens t USING chunk c WHERE t.tenant_id = c.tenant_id AND "         \
    "t.hash = c.hash RETURNING 1) "                                                           \
    "SELECT (SELECT count(*) FROM chunk), (SELECT count(*) FROM del), 0, NULL::bytea"

struct walk {
    int64_t before, cutoff;
    int flag;
    int64_t from_tenant;
    unsigned char from_key[GRANTD_SHA256_LEN];
    size_t from_len; /* 0 before the first chunk: every key is greater */
    int64_t n, deleted;
};

static void bind_walk(struct pg_params *p, const void *arg)
{
    const struct walk *x = arg;
    pg__int64(p, 1, x->from_tenant);
    pg__bytea(p, 2, x->from_len ? x->from_key : (const unsigned char *)"", x->from_len);
    pg__int64(p, 3, CHUNK);
    pg__int64(p, 4, x->before);
}

static void bind_token_walk(struct pg_params *p, const void *arg)
{
    const struct walk *x = arg;
    bind_walk(p, x);
    pg__int64(p, 5, x->flag);
    pg__int64(p, 6, x->cutoff);
}

static void bind_expired(struct pg_params *p, const void *arg)
{
    const struct walk *x = arg;
    pg__int64(p, 1, CHUNK);
    pg__int64(p, 2, x->before);
}

static void walk_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct walk *x = out;
    x->n = pg__col_int64(r, row, 0);
    x->deleted = pg__col_int64(r, row, 1);
    if (x->n > 0 && !PQgetisnull(r, row, 3)) {
        x->from_tenant = pg__col_int64(r, row, 2);
        pg__col_hash(r, row, 3, x->from_key);
        x->from_len = GRANTD_SHA256_LEN;
    }
}

static const struct pg_query walks[] = {
    {PG_PURGE_TOKENS, WALK("tokens", "hash", TOKEN_FLAG), bind_token_walk, walk_row, 0},
    {PG_PURGE_CODES, WALK("codes", "hash", ""), bind_walk, walk_row, 0},
    {PG_PURGE_SESSIONS, WALK("sessions", "id_hash", ""), bind_walk, walk_row, 0},
    {PG_PURGE_TOKENS_EXPIRED, EXPIRED_TOKENS, bind_expired, walk_row, 0},
};
static const char *const walk_names[] = {"tokens", "codes", "sessions", "tokens_expired"};

static const struct pg_query families_old = {PG_PURGE_OLD_FAMILIES,
                                             "SELECT 1 FROM revoked_families "
                                             "WHERE revoked_at <= $1 LIMIT 1",
                                             pg__bind_int64, pg__row_int64, 0};
static const struct pg_query families_delete = {PG_PURGE_FAMILIES,
                                                "DELETE FROM revoked_families f "
                                                "WHERE revoked_at < $1 "
                                                "AND NOT EXISTS (SELECT 1 FROM codes k "
                                                "WHERE k.tenant_id = f.tenant_id "
                                                "AND k.family = f.family)",
                                                pg__bind_int64, NULL, 0};

struct step {
    const struct pg_query *q;
    struct walk *x;
};

static grantd_rc step_tx(struct pg_conn *c, void *arg)
{
    struct step *s = arg;
    return pg__get(c, s->q, s->x, NULL, s->x);
}

/* Walks one table to its end; *deleted grows by the rows deleted. Logs (debug) what the
 * walk read and deleted, its chunks and the longest chunk: the longest transaction, and so
 * the longest the purge held a chunk's row locks (bench/purge reads it). */
static grantd_rc walk(struct grantd_store *s, const struct pg_query *q, struct walk *x,
                      size_t *deleted)
{
    grantd_rc rc;
    int64_t start = grantd_clock_real_mono_us(), longest = 0, read = 0, gone = 0, chunks = 0;
    x->from_tenant = INT64_MIN;
    x->from_len = 0;
    struct step st = {q, x};
    do {
        int64_t t = grantd_clock_real_mono_us();
        rc = pg__tx(s, step_tx, &st);
        t = grantd_clock_real_mono_us() - t;
        longest = t > longest ? t : longest;
        chunks++;
        if (rc == GRANTD_OK) {
            *deleted += (size_t)x->deleted;
            read += x->n;
            gone += x->deleted;
        }
    } while (rc == GRANTD_OK && x->n == CHUNK);
    grantd_log(GRANTD_LOG_DEBUG, "purge_table", "{s:s,s:I,s:I,s:I,s:f,s:f}", "table",
               walk_names[q - walks], "rows_read",
               (json_int_t)read, "deleted", (json_int_t)gone, "chunks", (json_int_t)chunks,
               "longest_chunk_ms", (double)longest / 1000.0, "seconds",
               (double)(grantd_clock_real_mono_us() - start) / 1e6);
    return rc;
}

/* Tokens first (a sweep copies the old families' revocations onto them), then codes, then
 * the old family rows, then sessions. *deleted counts tokens, codes and sessions, also when
 * a later step fails. */
grantd_rc pg__purge_expired(struct grantd_store *s, int64_t before, int64_t now,
                            size_t *deleted)
{
    *deleted = 0;
    struct walk x = {.before = before, .cutoff = now - FAMILY_SWEEP};
    int64_t old = 0;
    grantd_rc rc = pg__read(s, &families_old, &x.cutoff, NULL, &old);
    x.flag = rc == GRANTD_OK;
    x.cutoff = now - PG_FAMILY_KEEP; /* a sweep takes every family older than a day */
    rc = rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
    if (rc == GRANTD_OK)
        rc = walk(s, x.flag ? &walks[0] : &walks[3], &x, deleted);
    int sweep = x.flag;
    x.flag = 0;
    if (rc == GRANTD_OK)
        rc = walk(s, &walks[1], &x, deleted);
    if (rc == GRANTD_OK && sweep)
        rc = pg__write_query(s, &families_delete, &x.cutoff);
    if (rc == GRANTD_OK)
        rc = walk(s, &walks[2], &x, deleted);
    return rc;
}
