/* The PostgreSQL driver's operations for dynamic client registration (issue 13 item 3):
 * initial access tokens, and the registration of a client created at /register (struct
 * grantd_registration in store.h), the statements of sqlite_register.c with $n parameters.
 *
 * Each write is one transaction: taking a use of an initial access token (one conditional
 * UPDATE: of concurrent registrations with a token's last use one wins, the others find
 * the row used up after waiting for its commit) and inserting the client are one, and so
 * are rotating a registration access token (a compare-and-swap on its hash) and updating
 * the client. Only keyed hashes of tokens reach this file.
 *
 * Not here: client rows themselves (pg_client.c, whose insert and update run inside these
 * transactions), the HTTP side (oauth/register.c). */
#include "store/pg_int.h"

#include <string.h>

/* ---- initial access tokens -------------------------------------------------------------- */

static void bind_reg_token(struct pg_params *p, const void *arg)
{
    const struct grantd_registration_token *t = arg;
    pg__text(p, 1, t->id);
    pg__int64(p, 2, t->tenant);
    pg__bytea(p, 3, t->hash, GRANTD_SHA256_LEN);
    pg__int64(p, 4, t->expires_at);
    if (t->uses_left < 0)
        pg__text(p, 5, NULL);
    else
        pg__int64(p, 5, t->uses_left);
    pg__int64(p, 6, t->created_at);
}

static const struct pg_query reg_token_put = {
    PG_REG_TOKEN_PUT,
    "INSERT INTO registration_tokens (id, tenant_id, hash, expires_at, uses_left, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)",
    bind_reg_token, NULL, 0};

grantd_rc pg__registration_token_put(struct grantd_store *s,
                                     const struct grantd_registration_token *t)
{
    return pg__write_query(s, &reg_token_put, t);
}

static void reg_token_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_registration_token *t = out;
    memset(t, 0, sizeof(*t));
    t->id = pg__col_str(a, r, row, 0);
    t->tenant = pg__col_int64(r, row, 1);
    pg__col_hash(r, row, 2, t->hash);
    t->expires_at = pg__col_int64(r, row, 3);
    t->uses_left = PQgetisnull(r, row, 4) ? -1 : pg__col_int64(r, row, 4);
    t->created_at = pg__col_int64(r, row, 5);
}

struct key {
    int64_t tenant;
    const unsigned char *hash;
};

static void bind_key(struct pg_params *p, const void *arg)
{
    const struct key *k = arg;
    pg__int64(p, 1, k->tenant);
    pg__bytea(p, 2, k->hash, GRANTD_SHA256_LEN);
}

static const struct pg_query reg_token_find = {
    PG_REG_TOKEN_FIND,
    "SELECT id, tenant_id, hash, expires_at, uses_left, created_at FROM registration_tokens "
    "WHERE tenant_id = $1 AND hash = $2",
    bind_key, reg_token_row, 0};

grantd_rc pg__registration_token_find(struct grantd_store *s, struct grantd_arena *a,
                                      int64_t tenant, const unsigned char hash[GRANTD_SHA256_LEN],
                                      struct grantd_registration_token *out)
{
    struct key key = {tenant, hash};
    return pg__read(s, &reg_token_find, &key, a, out);
}

struct token_use {
    struct key key;
    int64_t now;
};

static void bind_token_use(struct pg_params *p, const void *arg)
{
    const struct token_use *u = arg;
    bind_key(p, &u->key);
    pg__int64(p, 3, u->now);
}

/* One use taken, in one statement: nothing changes for an unknown, expired or used-up
 * token (PG_ONE_ROW then answers GRANTD_ENOTFOUND). */
static const struct pg_query reg_token_use = {
    PG_REG_TOKEN_USE,
    "UPDATE registration_tokens SET uses_left = uses_left - 1 "
    "WHERE tenant_id = $1 AND hash = $2 AND (expires_at = 0 OR expires_at > $3) "
    "AND (uses_left IS NULL OR uses_left > 0)",
    bind_token_use, NULL, PG_ONE_ROW};

/* ---- registrations ---------------------------------------------------------------------- */

static void bind_reg(struct pg_params *p, const void *arg)
{
    const struct grantd_registration *r = arg;
    pg__int64(p, 1, r->tenant);
    pg__text(p, 2, r->client_id);
    pg__bytea(p, 3, r->token_hash, GRANTD_SHA256_LEN);
    pg__text(p, 4, r->metadata ? r->metadata : "{}");
}

static const struct pg_query reg_put = {PG_REG_PUT,
                                        "INSERT INTO registrations (tenant_id, client_id, "
                                        "token_hash, metadata) VALUES ($1, $2, $3, $4)",
                                        bind_reg, NULL, 0};

static void reg_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_registration *g = out;
    memset(g, 0, sizeof(*g));
    g->tenant = pg__col_int64(r, row, 0);
    g->client_id = pg__col_str(a, r, row, 1);
    pg__col_hash(r, row, 2, g->token_hash);
    g->metadata = pg__col_str(a, r, row, 3);
}

static const struct pg_query reg_get = {PG_REG_GET,
                                        "SELECT tenant_id, client_id, token_hash, metadata "
                                        "FROM registrations WHERE tenant_id = $1 AND "
                                        "client_id = $2",
                                        pg__bind_id, reg_row, 0};

struct reg_swap {
    const struct grantd_registration *r;
    const unsigned char *old_hash;
};

static void bind_swap(struct pg_params *p, const void *arg)
{
    const struct reg_swap *w = arg;
    bind_reg(p, w->r);
    pg__bytea(p, 5, w->old_hash, GRANTD_SHA256_LEN);
}

static const struct pg_query reg_rotate = {
    PG_REG_ROTATE,
    "UPDATE registrations SET token_hash = $3, metadata = $4 "
    "WHERE tenant_id = $1 AND client_id = $2 AND token_hash = $5",
    bind_swap, NULL, PG_ONE_ROW};

struct reg_job {
    const struct grantd_client *c;
    const struct grantd_registration *r;
    const unsigned char *hash; /* put: the initial access token's; rotate: the old one */
    int64_t now;
};

static grantd_rc put_tx(struct pg_conn *c, void *arg)
{
    const struct reg_job *j = arg;
    grantd_rc rc = GRANTD_OK;
    if (j->hash) {
        struct token_use u = {{j->c->tenant, j->hash}, j->now};
        rc = pg__run(c, &reg_token_use, &u);
        if (rc == GRANTD_ENOTFOUND)
            return GRANTD_ECONFLICT;
    }
    if (rc == GRANTD_OK)
        rc = pg__client_insert(c, j->c);
    if (rc == GRANTD_OK)
        rc = pg__run(c, &reg_put, j->r);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

grantd_rc pg__registration_put(struct grantd_store *s, const struct grantd_client *c,
                               const struct grantd_registration *r, const unsigned char *iat,
                               int64_t now)
{
    struct reg_job j = {c, r, iat, now};
    return pg__tx(s, put_tx, &j);
}

grantd_rc pg__registration_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                               const char *id, struct grantd_registration *out)
{
    struct pg_id key = {tenant, id};
    return pg__read(s, &reg_get, &key, a, out);
}

static grantd_rc rotate_tx(struct pg_conn *c, void *arg)
{
    const struct reg_job *j = arg;
    struct reg_swap w = {j->r, j->hash};
    grantd_rc rc = pg__run(c, &reg_rotate, &w);
    if (rc == GRANTD_ENOTFOUND)
        return GRANTD_ECONFLICT;
    if (rc != GRANTD_OK || !j->c)
        return rc; /* the token alone changes nothing anyone caches */
    rc = pg__client_update_rows(c, j->c);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

grantd_rc pg__registration_rotate(struct grantd_store *s, const struct grantd_client *c,
                                  const struct grantd_registration *r,
                                  const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now)
{
    struct grantd_client copy;
    if (c) {
        copy = *c;
        copy.updated_at = now;
    }
    struct reg_job j = {c ? &copy : NULL, r, old_hash, now};
    return pg__tx(s, rotate_tx, &j);
}
