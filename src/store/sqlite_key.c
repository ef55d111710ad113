/* The SQLite driver's signing keys (struct grantd_store_driver in store.h): a row per
 * (tenant, kid) with the public JWK as text and the private part as the sealed bytes
 * src/token/keys.c hands over. The store never sees an unsealed private key and never
 * interprets the JWK.
 *
 * At most one current key (retire_at 0) per tenant and alg: the partial unique index
 * keys_one_current (sqlite_schema.c, version 6; per alg since version 16) refuses a second
 * one, so two processes creating a tenant's first key of an alg at once cannot both
 * succeed, and key_rotate retires the current key of next's alg and inserts the next one in
 * one write transaction (BEGIN IMMEDIATE: rotations of several processes run one after the
 * other, each retiring what the previous added). The other alg's chain is left alone.
 *
 * key_retire retires one key now (a compromised key): its retire_at moves back to the
 * caller's now; the schema's trigger (version 10) appends the feed's "key" event whenever a
 * key's retire_at moves to an earlier non-zero time, rotation included.
 *
 * Not here: generating, sealing, publishing or choosing keys (token/keys.c), connections
 * (sqlite.c), the write path (sqlite_writer.c), the schema (sqlite_schema.c). */
#include "store/sqlite_int.h"

#include <string.h>

#define KEY_COLUMNS                                                                            \
    "tenant_id, kid, alg, public_jwk, private_sealed, created_at, active_from, retire_at"

static int bind_key(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_key *k = arg;
    struct sq_id key = {k->tenant, k->kid};
    return sqlite__bind_id(st, &key) | sqlite__bind_text(st, 3, k->alg) |
           sqlite__bind_text(st, 4, k->public_jwk) |
           sqlite__bind_blob(st, 5, k->private_sealed, k->private_sealed_len) |
           sqlite3_bind_int64(st, 6, k->created_at) | sqlite3_bind_int64(st, 7, k->active_from) |
           sqlite3_bind_int64(st, 8, k->retire_at);
}

static void key_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_key *k = out;
    memset(k, 0, sizeof(*k));
    k->tenant = sqlite3_column_int64(st, 0);
    k->kid = sqlite__col_str(a, st, 1);
    k->alg = sqlite__col_str(a, st, 2);
    k->public_jwk = sqlite__col_str(a, st, 3);
    k->private_sealed = sqlite__col_blob(a, st, 4, &k->private_sealed_len);
    k->created_at = sqlite3_column_int64(st, 5);
    k->active_from = sqlite3_column_int64(st, 6);
    k->retire_at = sqlite3_column_int64(st, 7);
}

struct rotation {
    int64_t tenant, retire_at;
    const struct grantd_key *next;
};

static int bind_retire(sqlite3_stmt *st, const void *arg)
{
    const struct rotation *r = arg;
    return sqlite3_bind_int64(st, 1, r->tenant) | sqlite3_bind_int64(st, 2, r->retire_at) |
           sqlite__bind_text(st, 3, r->next->alg);
}

static const struct sq_query key_put = {SQ_KEY_PUT,
                                        "INSERT INTO keys (" KEY_COLUMNS ") "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                        bind_key, NULL, SQ_CHANGES};
static const struct sq_query key_list = {SQ_KEY_LIST,
                                         "SELECT " KEY_COLUMNS " FROM keys WHERE tenant_id = ?1 "
                                         "ORDER BY created_at, kid",
                                         sqlite__bind_int64, key_row, 0};
static const struct sq_query retire_current = {SQ_KEY_RETIRE_CURRENT,
                                               "UPDATE keys SET retire_at = ?2 "
                                               "WHERE tenant_id = ?1 AND alg = ?3 "
                                               "AND retire_at = 0",
                                               bind_retire, NULL, 0};

/* GRANTD_EEXIST for a taken kid, and for a second current key (keys_one_current). */
grantd_rc sqlite__key_put(struct grantd_store *s, const struct grantd_key *k)
{
    return sqlite__write_query(s, &key_put, k);
}

/* Oldest first (created_at, then kid); an empty list is GRANTD_OK with *count 0. */
grantd_rc sqlite__key_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           struct grantd_key **out, size_t *count)
{
    return sqlite__read_rows(s, &key_list, &tenant, a, sizeof(**out), (void **)out, count);
}

static grantd_rc rotate_tx(struct sq_conn *c, void *arg)
{
    const struct rotation *r = arg;
    grantd_rc rc = sqlite__run(c, &retire_current, r);
    if (rc == GRANTD_OK)
        rc = sqlite__run(c, &key_put, r->next);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

/* retire_at must be positive (0 would leave the old keys current). */
grantd_rc sqlite__key_rotate(struct grantd_store *s, int64_t tenant,
                             const struct grantd_key *next, int64_t retire_at)
{
    struct rotation r = {tenant, retire_at, next};
    return sqlite__write(s, rotate_tx, &r);
}

struct retirement {
    struct sq_id key;
    int64_t now;
};

static int bind_retirement(sqlite3_stmt *st, const void *arg)
{
    const struct retirement *r = arg;
    return sqlite__bind_id(st, &r->key) | sqlite3_bind_int64(st, 3, r->now);
}

static const struct sq_query key_retire_at = {SQ_KEY_RETIRE_AT,
                                              "SELECT retire_at FROM keys "
                                              "WHERE tenant_id = ?1 AND kid = ?2",
                                              sqlite__bind_id, sqlite__row_int64, 0};
static const struct sq_query key_retire = {SQ_KEY_RETIRE,
                                           "UPDATE keys SET retire_at = ?3 "
                                           "WHERE tenant_id = ?1 AND kid = ?2",
                                           bind_retirement, NULL, SQ_ONE_ROW};

static grantd_rc retire_tx(struct sq_conn *c, void *arg)
{
    const struct retirement *r = arg;
    int64_t retire_at = 0;
    grantd_rc rc = sqlite__get(c, &key_retire_at, &r->key, NULL, &retire_at);
    if (rc != GRANTD_OK)
        return rc;
    if (retire_at == 0)
        return GRANTD_ECONFLICT; /* the current key: rotate first */
    if (retire_at <= r->now)
        return GRANTD_OK; /* retired already */
    rc = sqlite__run(c, &key_retire, r);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

/* GRANTD_ECONFLICT for the current key, GRANTD_ENOTFOUND for an unknown kid. */
grantd_rc sqlite__key_retire(struct grantd_store *s, int64_t tenant, const char *kid,
                             int64_t now)
{
    struct retirement r = {{tenant, kid}, now};
    return sqlite__write(s, retire_tx, &r);
}
