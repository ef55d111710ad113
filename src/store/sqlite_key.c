/* The SQLite driver's signing keys (struct grantd_store_driver in store.h): a row per
 * (tenant, kid) with the public JWK as text and the private part as the sealed bytes
 * src/token/keys.c hands over. The store never sees an unsealed private key and never
 * interprets the JWK.
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

struct key_retire {
    struct sq_id key;
    int64_t retire_at;
};

static int bind_retire(sqlite3_stmt *st, const void *arg)
{
    const struct key_retire *r = arg;
    return sqlite__bind_id(st, &r->key) | sqlite3_bind_int64(st, 3, r->retire_at);
}

static const struct sq_query key_put = {SQ_KEY_PUT,
                                        "INSERT INTO keys (" KEY_COLUMNS ") "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                        bind_key, NULL, 0};
static const struct sq_query key_list = {SQ_KEY_LIST,
                                         "SELECT " KEY_COLUMNS " FROM keys WHERE tenant_id = ?1 "
                                         "ORDER BY created_at, kid",
                                         sqlite__bind_int64, key_row, 0};
static const struct sq_query key_retire = {SQ_KEY_RETIRE,
                                           "UPDATE keys SET retire_at = ?3 "
                                           "WHERE tenant_id = ?1 AND kid = ?2",
                                           bind_retire, NULL, SQ_ONE_ROW};

/* kid, alg, public_jwk, a non-empty private_sealed and created_at are required.
 * GRANTD_EEXIST when the tenant has a key with that kid. */
grantd_rc sqlite__key_put(struct grantd_store *s, const struct grantd_key *k)
{
    if (!k || !k->kid || !k->alg || !k->public_jwk || !k->private_sealed || k->created_at <= 0 ||
        k->private_sealed_len == 0 || k->private_sealed_len > (size_t)INT32_MAX)
        return GRANTD_EINVAL;
    return sqlite__write_query(s, &key_put, k);
}

/* Oldest first (created_at, then kid); an empty list is GRANTD_OK with *count 0. */
grantd_rc sqlite__key_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           struct grantd_key **out, size_t *count)
{
    if (!out || !count)
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc == GRANTD_OK)
        rc = sqlite__rows(c, &key_list, &tenant, a, sizeof(**out), (void **)out, count);
    return rc;
}

/* GRANTD_ENOTFOUND when the tenant has no key kid. */
grantd_rc sqlite__key_retire(struct grantd_store *s, int64_t tenant, const char *kid,
                             int64_t retire_at)
{
    struct key_retire r = {{tenant, kid}, retire_at};
    return kid ? sqlite__write_query(s, &key_retire, &r) : GRANTD_EINVAL;
}
