/* The PostgreSQL driver's admin keys (struct grantd_store_driver in store.h), the
 * statements of sqlite_admin.c's admin keys with $n parameters. Admin keys are read from
 * the store at every admin request and cached nowhere, so their writes leave the change
 * sequence alone. Only keyed hashes of keys reach this file.
 *
 * Not here: client_update, client_rotate_secret (pg_client.c), user_update (pg_user.c). */
#include "store/pg_int.h"

#include <string.h>

#define ADMIN_KEY_COLUMNS "id, name, tenant_id, hash, created_at, revoked_at"

static void admin_key_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_admin_key *k = out;
    memset(k, 0, sizeof(*k));
    k->id = pg__col_str(a, r, row, 0);
    k->name = pg__col_str(a, r, row, 1);
    k->tenant = pg__col_int64(r, row, 2); /* NULL reads as 0: every tenant */
    pg__col_hash(r, row, 3, k->hash);
    k->created_at = pg__col_int64(r, row, 4);
    k->revoked_at = pg__col_int64(r, row, 5);
}

static void bind_admin_key(struct pg_params *p, const void *arg)
{
    const struct grantd_admin_key *k = arg;
    pg__text(p, 1, k->id);
    pg__text(p, 2, k->name);
    if (k->tenant)
        pg__int64(p, 3, k->tenant);
    else
        pg__text(p, 3, NULL);
    pg__bytea(p, 4, k->hash, GRANTD_SHA256_LEN);
    pg__int64(p, 5, k->created_at);
}

static void bind_hash_only(struct pg_params *p, const void *arg)
{
    pg__bytea(p, 1, arg, GRANTD_SHA256_LEN);
}

static void bind_revoke(struct pg_params *p, const void *arg)
{
    const struct pg_set *u = arg;
    pg__text(p, 1, u->key.id);
    pg__int64(p, 2, u->now);
}

static const struct pg_query admin_key_put = {PG_ADMIN_KEY_PUT,
                                              "INSERT INTO admin_keys (id, name, tenant_id, "
                                              "hash, created_at) VALUES ($1, $2, $3, $4, $5)",
                                              bind_admin_key, NULL, 0};
static const struct pg_query admin_key_find = {PG_ADMIN_KEY_FIND,
                                               "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys "
                                               "WHERE hash = $1",
                                               bind_hash_only, admin_key_row, 0};
static const struct pg_query admin_key_list = {PG_ADMIN_KEY_LIST,
                                               "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys "
                                               "ORDER BY created_at, id COLLATE \"C\"",
                                               NULL, admin_key_row, 0};
/* a revoked key keeps its first revocation time */
static const struct pg_query admin_key_revoke = {
    PG_ADMIN_KEY_REVOKE,
    "UPDATE admin_keys SET revoked_at = CASE WHEN revoked_at = 0 THEN $2 ELSE revoked_at END "
    "WHERE id = $1",
    bind_revoke, NULL, PG_ONE_ROW};

grantd_rc pg__admin_key_put(struct grantd_store *s, const struct grantd_admin_key *k)
{
    return pg__write_query(s, &admin_key_put, k);
}

grantd_rc pg__admin_key_find(struct grantd_store *s, struct grantd_arena *a,
                             const unsigned char hash[GRANTD_SHA256_LEN],
                             struct grantd_admin_key *out)
{
    return pg__read(s, &admin_key_find, hash, a, out);
}

grantd_rc pg__admin_key_list(struct grantd_store *s, struct grantd_arena *a,
                             struct grantd_admin_key **out, size_t *count)
{
    return pg__read_rows(s, &admin_key_list, NULL, a, sizeof(**out), (void **)out, count);
}

grantd_rc pg__admin_key_revoke(struct grantd_store *s, const char *id, int64_t now)
{
    struct pg_set u = {.key = {0, id}, .now = now};
    return pg__write_query(s, &admin_key_revoke, &u);
}
