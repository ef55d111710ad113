/* The PostgreSQL driver's signing keys (struct grantd_store_driver in store.h), the
 * statements of sqlite_key.c with $n parameters: a row per (tenant, kid) with the public JWK
 * as text and the private part as the sealed bytes src/token/keys.c hands over.
 *
 * At most one current key (retire_at 0) per tenant and alg: the partial unique index
 * keys_one_current refuses a second one (GRANTD_EEXIST), so of several instances creating a
 * tenant's first key at once one succeeds. key_rotate first locks the tenant's row (FOR NO
 * KEY UPDATE: rotations of one tenant take turns, while inserts that only check the
 * tenant's foreign key do not wait), so each rotation's statements see what the one before
 * it committed and retire the key it added. key_retire reads the key FOR UPDATE. The
 * schema's trigger appends the feed's "key" event whenever a retire_at moves earlier.
 *
 * Not here: generating, sealing, publishing or choosing keys (token/keys.c), the schema
 * (pg_schema.c). */
#include "store/pg_int.h"

#include <string.h>

#define KEY_COLUMNS                                                                            \
    "tenant_id, kid, alg, public_jwk, private_sealed, created_at, active_from, retire_at"

static void bind_key(struct pg_params *p, const void *arg)
{
    const struct grantd_key *k = arg;
    pg__int64(p, 1, k->tenant);
    pg__text(p, 2, k->kid);
    pg__text(p, 3, k->alg);
    pg__text(p, 4, k->public_jwk);
    pg__bytea(p, 5, k->private_sealed, k->private_sealed_len);
    pg__int64(p, 6, k->created_at);
    pg__int64(p, 7, k->active_from);
    pg__int64(p, 8, k->retire_at);
}

static void key_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_key *k = out;
    memset(k, 0, sizeof(*k));
    k->tenant = pg__col_int64(r, row, 0);
    k->kid = pg__col_str(a, r, row, 1);
    k->alg = pg__col_str(a, r, row, 2);
    k->public_jwk = pg__col_str(a, r, row, 3);
    k->private_sealed = pg__col_blob(a, r, row, 4, &k->private_sealed_len);
    k->created_at = pg__col_int64(r, row, 5);
    k->active_from = pg__col_int64(r, row, 6);
    k->retire_at = pg__col_int64(r, row, 7);
}

struct rotation {
    int64_t tenant, retire_at;
    const struct grantd_key *next;
};

static void bind_retire(struct pg_params *p, const void *arg)
{
    const struct rotation *r = arg;
    pg__int64(p, 1, r->tenant);
    pg__int64(p, 2, r->retire_at);
    pg__text(p, 3, r->next->alg);
}

static const struct pg_query key_put = {PG_KEY_PUT,
                                        "INSERT INTO keys (" KEY_COLUMNS ") "
                                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                                        bind_key, NULL, PG_CHANGES};
/* kid COLLATE "C": byte order, as SQLite sorts */
static const struct pg_query key_list = {PG_KEY_LIST,
                                         "SELECT " KEY_COLUMNS " FROM keys WHERE tenant_id = $1 "
                                         "ORDER BY created_at, kid COLLATE \"C\"",
                                         pg__bind_int64, key_row, 0};
static const struct pg_query tenant_lock = {PG_KEY_TENANT_LOCK,
                                            "SELECT 1 FROM tenants WHERE id = $1 "
                                            "FOR NO KEY UPDATE",
                                            pg__bind_int64, NULL, 0};
static const struct pg_query retire_current = {PG_KEY_RETIRE_CURRENT,
                                               "UPDATE keys SET retire_at = $2 "
                                               "WHERE tenant_id = $1 AND alg = $3 "
                                               "AND retire_at = 0",
                                               bind_retire, NULL, 0};

/* GRANTD_EEXIST for a taken kid, and for a second current key (keys_one_current). */
grantd_rc pg__key_put(struct grantd_store *s, const struct grantd_key *k)
{
    return pg__write_query(s, &key_put, k);
}

/* Oldest first (created_at, then kid); an empty list is GRANTD_OK with *count 0. */
grantd_rc pg__key_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                       struct grantd_key **out, size_t *count)
{
    return pg__read_rows(s, &key_list, &tenant, a, sizeof(**out), (void **)out, count);
}

static grantd_rc rotate_tx(struct pg_conn *c, void *arg)
{
    const struct rotation *r = arg;
    grantd_rc rc = pg__run(c, &tenant_lock, &r->tenant);
    if (rc == GRANTD_OK)
        rc = pg__run(c, &retire_current, r);
    if (rc == GRANTD_OK)
        rc = pg__run(c, &key_put, r->next);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

/* retire_at must be positive (0 would leave the old keys current). */
grantd_rc pg__key_rotate(struct grantd_store *s, int64_t tenant, const struct grantd_key *next,
                         int64_t retire_at)
{
    struct rotation r = {tenant, retire_at, next};
    return pg__tx(s, rotate_tx, &r);
}

struct retirement {
    struct pg_id key;
    int64_t now;
};

static void bind_retirement(struct pg_params *p, const void *arg)
{
    const struct retirement *r = arg;
    pg__bind_id(p, &r->key);
    pg__int64(p, 3, r->now);
}

static const struct pg_query key_retire_at = {PG_KEY_RETIRE_AT,
                                              "SELECT retire_at FROM keys "
                                              "WHERE tenant_id = $1 AND kid = $2 FOR UPDATE",
                                              pg__bind_id, pg__row_int64, 0};
static const struct pg_query key_retire = {PG_KEY_RETIRE,
                                           "UPDATE keys SET retire_at = $3 "
                                           "WHERE tenant_id = $1 AND kid = $2",
                                           bind_retirement, NULL, PG_ONE_ROW};

static grantd_rc retire_tx(struct pg_conn *c, void *arg)
{
    const struct retirement *r = arg;
    int64_t retire_at = 0;
    grantd_rc rc = pg__get(c, &key_retire_at, &r->key, NULL, &retire_at);
    if (rc != GRANTD_OK)
        return rc;
    if (retire_at == 0)
        return GRANTD_ECONFLICT; /* the current key: rotate first */
    if (retire_at <= r->now)
        return GRANTD_OK; /* retired already */
    rc = pg__run(c, &key_retire, r);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

/* GRANTD_ECONFLICT for the current key, GRANTD_ENOTFOUND for an unknown kid. */
grantd_rc pg__key_retire(struct grantd_store *s, int64_t tenant, const char *kid, int64_t now)
{
    struct retirement r = {{tenant, kid}, now};
    return pg__tx(s, retire_tx, &r);
}
