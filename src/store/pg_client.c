/* The PostgreSQL driver's tenant and client operations (struct grantd_store_driver in
 * store.h), the statements of sqlite_client.c, sqlite_admin.c and sqlite_purge.c's
 * client_set_disabled with $n parameters.
 *
 * Reads of one statement run in autocommit; a client with its redirect URIs is read in one
 * transaction (one snapshot). Every write is one transaction (pg__tx) that moves the change
 * sequence; on failure nothing of it stays. Strings handed back live in the caller's arena.
 *
 * Not here: connections (pg.c), statements and error mapping (pg_query.c), the schema
 * (pg_schema.c), users (pg_user.c), registrations (pg_register.c, which runs the client
 * insert and update here inside its transactions). Secrets never reach this file, only their keyed
 * hashes. */
#include "store/pg_int.h"

#include <string.h>

#include "core/clock.h"

/* ---- tenants ---------------------------------------------------------------------------- */

#define TENANT_SELECT "SELECT id, name, issuer, created_at, profile FROM tenants "

static void tenant_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_tenant *t = out;
    t->id = pg__col_int64(r, row, 0);
    t->name = pg__col_str(a, r, row, 1);
    t->issuer = pg__col_str(a, r, row, 2);
    t->created_at = pg__col_int64(r, row, 3);
    t->profile = pg__col_str(a, r, row, 4);
}

static void bind_name(struct pg_params *p, const void *arg)
{
    pg__text(p, 1, arg);
}

static const struct pg_query tenant_get = {PG_TENANT_GET, TENANT_SELECT "WHERE id = $1",
                                           pg__bind_int64, tenant_row, 0};
static const struct pg_query tenant_find = {PG_TENANT_FIND, TENANT_SELECT "WHERE name = $1",
                                            bind_name, tenant_row, 0};
static const struct pg_query tenant_list = {PG_TENANT_LIST, TENANT_SELECT "ORDER BY id",
                                            NULL, tenant_row, 0};

grantd_rc pg__tenant_get(struct grantd_store *s, struct grantd_arena *a, int64_t id,
                         struct grantd_tenant *out)
{
    return pg__read(s, &tenant_get, &id, a, out);
}

grantd_rc pg__tenant_find(struct grantd_store *s, struct grantd_arena *a, const char *name,
                          struct grantd_tenant *out)
{
    return pg__read(s, &tenant_find, name, a, out);
}

grantd_rc pg__tenant_list(struct grantd_store *s, struct grantd_arena *a,
                          struct grantd_tenant **out, size_t *count)
{
    return pg__read_rows(s, &tenant_list, NULL, a, sizeof(**out), (void **)out, count);
}

static void bind_tenant_new(struct pg_params *p, const void *arg)
{
    const struct grantd_tenant *t = arg;
    pg__text(p, 1, t->name);
    pg__text(p, 2, t->issuer);
    pg__text(p, 3, t->profile);
    pg__int64(p, 4, t->created_at);
}

static void id_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    *(int64_t *)out = pg__col_int64(r, row, 0);
}

static const struct pg_query tenant_put = {PG_TENANT_PUT,
                                           "INSERT INTO tenants (name, issuer, profile, "
                                           "created_at) "
                                           "VALUES ($1, $2, $3, $4) RETURNING id",
                                           bind_tenant_new, id_row, 0};

struct tenant_new {
    const struct grantd_tenant *t;
    int64_t id;
};

static grantd_rc tenant_put_tx(struct pg_conn *c, void *arg)
{
    struct tenant_new *n = arg;
    grantd_rc rc = pg__get(c, &tenant_put, n->t, NULL, &n->id);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

grantd_rc pg__tenant_put(struct grantd_store *s, const struct grantd_tenant *t, int64_t *id_out)
{
    struct tenant_new n = {t, 0};
    grantd_rc rc = pg__tx(s, tenant_put_tx, &n);
    if (rc == GRANTD_OK && id_out)
        *id_out = n.id;
    return rc;
}

/* ---- clients ---------------------------------------------------------------------------- */

/* The stored id_token_alg: NULL (the default, RS256) for NULL or "". */
static const char *client_alg(const char *alg)
{
    return alg && *alg ? alg : NULL;
}

/* Text orders are COLLATE "C" (byte order, as SQLite's BINARY), whatever the database's
 * locale. */
#define CLIENT_COLUMNS                                                                         \
    "tenant_id, id, name, is_public, secret_hash, scope, grants, disabled, created_at, "      \
    "updated_at, flags, code_ttl, access_ttl, refresh_ttl, tokens_after, resources, owner, "   \
    "post_logout_redirect_uris, id_token_alg"
/* What a read selects: the columns client_put writes, then the previous secret. */
#define CLIENT_READ CLIENT_COLUMNS ", prev_secret_hash, prev_secret_until"

static void client_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_client *c = out;
    memset(c, 0, sizeof(*c));
    c->tenant = pg__col_int64(r, row, 0);
    c->id = pg__col_str(a, r, row, 1);
    c->name = pg__col_str(a, r, row, 2);
    c->is_public = pg__col_int64(r, row, 3) != 0;
    pg__col_hash(r, row, 4, c->secret_hash);
    c->scope = pg__col_str(a, r, row, 5);
    c->grants = (unsigned)pg__col_int64(r, row, 6);
    c->disabled = pg__col_int64(r, row, 7) != 0;
    c->created_at = pg__col_int64(r, row, 8);
    c->updated_at = pg__col_int64(r, row, 9);
    c->flags = (unsigned)pg__col_int64(r, row, 10);
    c->code_ttl = pg__col_int64(r, row, 11);
    c->access_ttl = pg__col_int64(r, row, 12);
    c->refresh_ttl = pg__col_int64(r, row, 13);
    c->tokens_after = pg__col_int64(r, row, 14);
    c->resources = pg__col_str(a, r, row, 15);
    c->owner = pg__col_str(a, r, row, 16);
    c->post_logout_redirect_uris = pg__col_str(a, r, row, 17);
    c->id_token_alg = pg__col_str(a, r, row, 18);
    pg__col_hash(r, row, 19, c->prev_secret_hash);
    c->prev_secret_until = pg__col_int64(r, row, 20);
}

static const struct pg_query client_get = {PG_CLIENT_GET,
                                           "SELECT " CLIENT_READ " FROM clients "
                                           "WHERE tenant_id = $1 AND id = $2",
                                           pg__bind_id, client_row, 0};
static const struct pg_query client_list = {PG_CLIENT_LIST,
                                            "SELECT " CLIENT_READ " FROM clients "
                                            "WHERE tenant_id = $1 "
                                            "ORDER BY created_at, id COLLATE \"C\"",
                                            pg__bind_int64, client_row, 0};
/* the developer console's list: the clients_by_owner index */
static const struct pg_query client_list_owned = {PG_CLIENT_LIST_OWNED,
                                                  "SELECT " CLIENT_READ " FROM clients "
                                                  "WHERE tenant_id = $1 AND owner = $2 "
                                                  "ORDER BY created_at, id COLLATE \"C\"",
                                                  pg__bind_id, client_row, 0};

static void uri_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    *(const char **)out = pg__col_str(a, r, row, 0);
}

static const struct pg_query uri_list = {PG_URI_LIST,
                                         "SELECT uri FROM client_redirect_uris "
                                         "WHERE tenant_id = $1 AND client_id = $2 "
                                         "ORDER BY position",
                                         pg__bind_id, uri_row, 0};

/* Loads the redirect URIs of client out (its tenant and id) in order into it. */
static grantd_rc load_uris(struct pg_conn *c, struct grantd_arena *a, struct grantd_client *out)
{
    struct pg_id key = {out->tenant, out->id};
    void *uris = NULL;
    grantd_rc rc = pg__rows(c, &uri_list, &key, a, sizeof(const char *), &uris,
                            &out->redirect_uri_count);
    out->redirect_uris = uris;
    return rc;
}

struct uri_new {
    const struct grantd_client *cl;
    size_t i;
};

static void bind_uri(struct pg_params *p, const void *arg)
{
    const struct uri_new *u = arg;
    pg__int64(p, 1, u->cl->tenant);
    pg__text(p, 2, u->cl->id);
    pg__int64(p, 3, (int64_t)u->i);
    pg__text(p, 4, u->cl->redirect_uris[u->i]);
}

static const struct pg_query uri_put = {PG_URI_PUT,
                                        "INSERT INTO client_redirect_uris "
                                        "(tenant_id, client_id, position, uri) "
                                        "VALUES ($1, $2, $3, $4)",
                                        bind_uri, NULL, 0};

static void bind_client(struct pg_params *p, const void *arg)
{
    const struct grantd_client *cl = arg;
    pg__int64(p, 1, cl->tenant);
    pg__text(p, 2, cl->id);
    pg__text(p, 3, cl->name);
    pg__int64(p, 4, cl->is_public ? 1 : 0);
    pg__bytea(p, 5, cl->is_public ? NULL : cl->secret_hash, GRANTD_SHA256_LEN);
    pg__text(p, 6, cl->scope ? cl->scope : "");
    pg__int64(p, 7, (int64_t)cl->grants);
    pg__int64(p, 8, cl->disabled ? 1 : 0);
    pg__int64(p, 9, cl->created_at);
    pg__int64(p, 10, cl->updated_at ? cl->updated_at : cl->created_at);
    pg__int64(p, 11, (int64_t)cl->flags);
    pg__int64(p, 12, cl->code_ttl);
    pg__int64(p, 13, cl->access_ttl);
    pg__int64(p, 14, cl->refresh_ttl);
    pg__int64(p, 15, cl->tokens_after);
    pg__text(p, 16, cl->resources ? cl->resources : "");
    pg__text(p, 17, cl->owner);
    pg__text(p, 18, cl->post_logout_redirect_uris ? cl->post_logout_redirect_uris : "");
    pg__text(p, 19, client_alg(cl->id_token_alg));
}

static const struct pg_query client_put = {PG_CLIENT_PUT,
                                           "INSERT INTO clients (" CLIENT_COLUMNS ") "
                                           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                                           "$11, $12, $13, $14, $15, $16, $17, $18, $19)",
                                           bind_client, NULL, 0};

/* Inserts the redirect URIs of cl, in order. */
static grantd_rc put_uris(struct pg_conn *c, const struct grantd_client *cl)
{
    grantd_rc rc = GRANTD_OK;
    for (size_t i = 0; rc == GRANTD_OK && i < cl->redirect_uri_count; i++) {
        struct uri_new u = {cl, i};
        rc = pg__run(c, &uri_put, &u);
    }
    return rc;
}

grantd_rc pg__client_insert(struct pg_conn *c, const struct grantd_client *cl)
{
    grantd_rc rc = pg__run(c, &client_put, cl);
    return rc == GRANTD_OK ? put_uris(c, cl) : rc;
}

static grantd_rc client_put_tx(struct pg_conn *c, void *arg)
{
    grantd_rc rc = pg__client_insert(c, arg);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

/* updated_at 0 means created_at. A public client's secret_hash is not stored. */
grantd_rc pg__client_put(struct grantd_store *s, const struct grantd_client *cl)
{
    return pg__tx(s, client_put_tx, (void *)cl);
}

struct client_read {
    const struct pg_query *q;
    const void *arg;
    struct grantd_arena *a;
    struct grantd_client *one;   /* client_get */
    struct grantd_client **list; /* the lists */
    size_t *count;
};

static grantd_rc client_read_tx(struct pg_conn *c, void *arg)
{
    struct client_read *r = arg;
    if (r->one) {
        grantd_rc rc = pg__get(c, r->q, r->arg, r->a, r->one);
        return rc == GRANTD_OK ? load_uris(c, r->a, r->one) : rc;
    }
    void *v = NULL;
    size_t n = 0;
    grantd_rc rc = pg__rows(c, r->q, r->arg, r->a, sizeof(struct grantd_client), &v, &n);
    struct grantd_client *list = v;
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++)
        rc = load_uris(c, r->a, &list[i]);
    if (rc == GRANTD_OK) {
        *r->list = list;
        *r->count = n;
    }
    return rc;
}

grantd_rc pg__client_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                         const char *id, struct grantd_client *out)
{
    struct pg_id key = {tenant, id};
    struct client_read r = {&client_get, &key, a, out, NULL, NULL};
    return pg__tx(s, client_read_tx, &r);
}

grantd_rc pg__client_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                          struct grantd_client **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    struct client_read r = {&client_list, &tenant, a, NULL, out, count};
    return pg__tx(s, client_read_tx, &r);
}

grantd_rc pg__client_list_owned(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                const char *owner, struct grantd_client **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    struct pg_id key = {tenant, owner};
    struct client_read r = {&client_list_owned, &key, a, NULL, out, count};
    return pg__tx(s, client_read_tx, &r);
}

/* ---- client_set_disabled ---------------------------------------------------------------- */

struct disable {
    struct pg_id key;
    int disabled;
    int64_t now_us;
};

/* $1 tenant, $2 client id, $3 now in seconds, $4 now_us, $5 the flag (as a statement
 * needs: the parameters a statement does not use must not be sent, or PostgreSQL cannot
 * tell their types). */
static void bind_disable_key(struct pg_params *p, const void *arg)
{
    const struct disable *d = arg;
    pg__bind_id(p, &d->key);
}

static void bind_disable_at(struct pg_params *p, const void *arg)
{
    const struct disable *d = arg;
    pg__bind_id(p, &d->key);
    pg__int64(p, 3, d->now_us / 1000000);
}

static void bind_disable(struct pg_params *p, const void *arg)
{
    const struct disable *d = arg;
    bind_disable_at(p, d);
    pg__int64(p, 4, d->now_us);
    pg__int64(p, 5, d->disabled);
}

static const struct pg_query client_flag = {PG_CLIENT_DISABLE,
                                            "UPDATE clients SET disabled = $5, "
                                            "updated_at = $3, tokens_after = $4 "
                                            "WHERE tenant_id = $1 AND id = $2",
                                            bind_disable, NULL, PG_ONE_ROW};

/* What disabling revokes, after the client row (sqlite_purge.c: the same four). */
static const struct pg_query revoke_grants[] = {
    {PG_CLIENT_FAMILIES,
     "INSERT INTO revoked_families (tenant_id, family, revoked_at) "
     "SELECT DISTINCT tenant_id, family, $3::bigint FROM tokens "
     "WHERE tenant_id = $1 AND client_id = $2 ON CONFLICT DO NOTHING",
     bind_disable_at, NULL, 0},
    {PG_CLIENT_CODE_FAMILIES,
     "INSERT INTO revoked_families (tenant_id, family, revoked_at) "
     "SELECT DISTINCT tenant_id, family, $3::bigint FROM codes "
     "WHERE tenant_id = $1 AND client_id = $2 ON CONFLICT DO NOTHING",
     bind_disable_at, NULL, 0},
    {PG_CLIENT_CODES_REVOKE,
     "UPDATE codes SET revoked = 1 WHERE tenant_id = $1 AND client_id = $2 AND used = 0",
     bind_disable_key, NULL, 0},
    {PG_CLIENT_CONSENTS, "DELETE FROM consents WHERE tenant_id = $1 AND client_id = $2",
     bind_disable_key, NULL, 0},
};

static grantd_rc set_disabled_tx(struct pg_conn *c, void *arg)
{
    const struct disable *d = arg;
    grantd_rc rc = pg__run(c, &client_flag, d);
    size_t steps = d->disabled ? sizeof(revoke_grants) / sizeof(revoke_grants[0]) : 0;
    for (size_t i = 0; rc == GRANTD_OK && i < steps; i++)
        rc = pg__run(c, &revoke_grants[i], d);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

grantd_rc pg__client_set_disabled(struct grantd_store *s, int64_t tenant, const char *id,
                                  int disabled, int64_t now_us)
{
    struct disable d = {{tenant, id}, disabled ? 1 : 0, now_us};
    return pg__tx(s, set_disabled_tx, &d);
}

/* ---- the secret, delete, update --------------------------------------------------------- */

static const struct pg_query client_secret = {PG_CLIENT_SECRET,
                                              "UPDATE clients SET secret_hash = $3, "
                                              "updated_at = $4, prev_secret_hash = NULL, "
                                              "prev_secret_until = 0 "
                                              "WHERE tenant_id = $1 AND id = $2",
                                              pg__bind_set, NULL, PG_ONE_ROW | PG_CHANGES};
/* The redirect URIs go with the client (ON DELETE CASCADE). */
static const struct pg_query client_delete = {PG_CLIENT_DELETE,
                                              "DELETE FROM clients "
                                              "WHERE tenant_id = $1 AND id = $2",
                                              pg__bind_id, NULL, PG_ONE_ROW | PG_CHANGES};

/* Replaces the hash only; is_public is left as it is. */
grantd_rc pg__client_set_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                const unsigned char hash[GRANTD_SHA256_LEN], int64_t now)
{
    struct pg_set u = {.key = {tenant, id}, .hash = hash, .now = now};
    return pg__write_query(s, &client_secret, &u);
}

/* Everything the client was granted is revoked first, as disabling does, in the same
 * transaction (sqlite_client.c says why), stamped with the store's clock. */
static grantd_rc delete_tx(struct pg_conn *c, void *arg)
{
    struct disable *d = arg;
    grantd_rc rc = set_disabled_tx(c, d);
    return rc == GRANTD_OK ? pg__run(c, &client_delete, &d->key) : rc;
}

grantd_rc pg__client_delete(struct grantd_store *s, int64_t tenant, const char *id)
{
    struct disable d = {{tenant, id}, 1, grantd_clock_now_us()};
    return pg__tx(s, delete_tx, &d);
}

struct rotate {
    struct pg_id key;
    const unsigned char *hash;
    int64_t prev_until, now;
};

static void bind_rotate(struct pg_params *p, const void *arg)
{
    const struct rotate *r = arg;
    pg__bind_id(p, &r->key);
    pg__bytea(p, 3, r->hash, GRANTD_SHA256_LEN);
    pg__int64(p, 4, r->prev_until);
    pg__int64(p, 5, r->now);
}

/* Every right-hand side sees the row as it was, so the previous hash is the one being
 * replaced (as in SQLite). */
static const struct pg_query client_rotate = {
    PG_CLIENT_ROTATE,
    "UPDATE clients SET prev_secret_hash = CASE WHEN $4::bigint > 0 THEN secret_hash END, "
    "prev_secret_until = $4, secret_hash = $3, updated_at = $5 "
    "WHERE tenant_id = $1 AND id = $2",
    bind_rotate, NULL, PG_ONE_ROW | PG_CHANGES};

grantd_rc pg__client_rotate_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                   const unsigned char hash[GRANTD_SHA256_LEN],
                                   int64_t prev_until, int64_t now)
{
    struct rotate r = {{tenant, id}, hash, prev_until > 0 ? prev_until : 0, now};
    return pg__write_query(s, &client_rotate, &r);
}

static void bind_client_update(struct pg_params *p, const void *arg)
{
    const struct grantd_client *cl = arg;
    pg__int64(p, 1, cl->tenant);
    pg__text(p, 2, cl->id);
    pg__text(p, 3, cl->name);
    pg__int64(p, 4, cl->is_public ? 1 : 0);
    pg__text(p, 5, cl->scope ? cl->scope : "");
    pg__int64(p, 6, (int64_t)cl->grants);
    pg__int64(p, 7, (int64_t)cl->flags);
    pg__int64(p, 8, cl->code_ttl);
    pg__int64(p, 9, cl->access_ttl);
    pg__int64(p, 10, cl->refresh_ttl);
    pg__int64(p, 11, cl->updated_at);
    pg__text(p, 12, cl->resources ? cl->resources : "");
    pg__text(p, 13, cl->post_logout_redirect_uris ? cl->post_logout_redirect_uris : "");
    pg__text(p, 14, client_alg(cl->id_token_alg));
}

static const struct pg_query client_update = {
    PG_CLIENT_UPDATE,
    "UPDATE clients SET name = $3, is_public = $4, scope = $5, grants = $6, flags = $7, "
    "code_ttl = $8, access_ttl = $9, refresh_ttl = $10, updated_at = $11, resources = $12, "
    "post_logout_redirect_uris = $13, id_token_alg = $14 "
    "WHERE tenant_id = $1 AND id = $2",
    bind_client_update, NULL, PG_ONE_ROW};
static const struct pg_query uri_clear = {PG_URI_CLEAR,
                                          "DELETE FROM client_redirect_uris "
                                          "WHERE tenant_id = $1 AND client_id = $2",
                                          pg__bind_id, NULL, 0};

grantd_rc pg__client_update_rows(struct pg_conn *c, const struct grantd_client *cl)
{
    struct pg_id key = {cl->tenant, cl->id};
    grantd_rc rc = pg__run(c, &client_update, cl);
    if (rc == GRANTD_OK)
        rc = pg__run(c, &uri_clear, &key);
    if (rc == GRANTD_OK)
        rc = put_uris(c, cl);
    return rc;
}

static grantd_rc client_update_tx(struct pg_conn *c, void *arg)
{
    grantd_rc rc = pg__client_update_rows(c, arg);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

grantd_rc pg__client_update(struct grantd_store *s, const struct grantd_client *c, int64_t now)
{
    struct grantd_client copy = *c;
    copy.updated_at = now;
    return pg__tx(s, client_update_tx, &copy);
}
