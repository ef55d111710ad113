/* The SQLite driver's operations for dynamic client registration (issue 13 item 3):
 * initial access tokens, and the registration of a client created at /register (struct
 * grantd_registration in store.h). Schema version 12 (sqlite_schema.c).
 *
 * Writes are jobs of the writer (sqlite_writer.c), each one transaction: taking a use of an
 * initial access token and inserting the client are one, and so are rotating a
 * registration access token (a compare-and-swap on its hash) and updating the client. Only
 * keyed hashes of tokens reach this file.
 *
 * Not here: client rows themselves (sqlite_client.c, whose insert and sqlite_admin.c's
 * update run inside these transactions), the HTTP side (oauth/register.c). */
#include "store/sqlite_int.h"

#include <string.h>

/* ---- initial access tokens ------------------------------------------------------------ */

static int bind_reg_token(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_registration_token *t = arg;
    return sqlite__bind_text(st, 1, t->id) | sqlite3_bind_int64(st, 2, t->tenant) |
           sqlite__bind_hash(st, 3, t->hash) | sqlite3_bind_int64(st, 4, t->expires_at) |
           (t->uses_left < 0 ? sqlite3_bind_null(st, 5) : sqlite3_bind_int64(st, 5, t->uses_left)) |
           sqlite3_bind_int64(st, 6, t->created_at);
}

static const struct sq_query reg_token_put = {
    SQ_REG_TOKEN_PUT,
    "INSERT INTO registration_tokens (id, tenant_id, hash, expires_at, uses_left, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    bind_reg_token, NULL, 0};

grantd_rc sqlite__registration_token_put(struct grantd_store *s,
                                         const struct grantd_registration_token *t)
{
    return sqlite__write_query(s, &reg_token_put, t);
}

static void reg_token_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_registration_token *t = out;
    memset(t, 0, sizeof(*t));
    t->id = sqlite__col_str(a, st, 0);
    t->tenant = sqlite3_column_int64(st, 1);
    sqlite__col_hash(st, 2, t->hash);
    t->expires_at = sqlite3_column_int64(st, 3);
    t->uses_left = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
    t->created_at = sqlite3_column_int64(st, 5);
}

static const struct sq_query reg_token_find = {
    SQ_REG_TOKEN_FIND,
    "SELECT id, tenant_id, hash, expires_at, uses_left, created_at FROM registration_tokens "
    "WHERE tenant_id = ?1 AND hash = ?2",
    sqlite__bind_hash_key, reg_token_row, 0};

grantd_rc sqlite__registration_token_find(struct grantd_store *s, struct grantd_arena *a,
                                          int64_t tenant,
                                          const unsigned char hash[GRANTD_SHA256_LEN],
                                          struct grantd_registration_token *out)
{
    struct sq_hash key = {tenant, hash};
    return sqlite__read(s, &reg_token_find, &key, a, out);
}

struct token_use {
    int64_t tenant;
    const unsigned char *hash;
    int64_t now;
};

static int bind_token_use(sqlite3_stmt *st, const void *arg)
{
    const struct token_use *u = arg;
    return sqlite3_bind_int64(st, 1, u->tenant) | sqlite__bind_hash(st, 2, u->hash) |
           sqlite3_bind_int64(st, 3, u->now);
}

/* One use taken, in one statement: nothing changes for an unknown, expired or used-up
 * token (SQ_ONE_ROW then answers GRANTD_ENOTFOUND). */
static const struct sq_query reg_token_use = {
    SQ_REG_TOKEN_USE,
    "UPDATE registration_tokens SET uses_left = uses_left - 1 "
    "WHERE tenant_id = ?1 AND hash = ?2 AND (expires_at = 0 OR expires_at > ?3) "
    "AND (uses_left IS NULL OR uses_left > 0)",
    bind_token_use, NULL, SQ_ONE_ROW};

/* ---- registrations -------------------------------------------------------------------- */

static int bind_reg(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_registration *r = arg;
    return sqlite3_bind_int64(st, 1, r->tenant) | sqlite__bind_text(st, 2, r->client_id) |
           sqlite__bind_hash(st, 3, r->token_hash) |
           sqlite__bind_text(st, 4, r->metadata ? r->metadata : "{}");
}

static const struct sq_query reg_put = {SQ_REG_PUT,
                                        "INSERT INTO registrations (tenant_id, client_id, "
                                        "token_hash, metadata) VALUES (?1, ?2, ?3, ?4)",
                                        bind_reg, NULL, 0};

static void reg_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_registration *r = out;
    memset(r, 0, sizeof(*r));
    r->tenant = sqlite3_column_int64(st, 0);
    r->client_id = sqlite__col_str(a, st, 1);
    sqlite__col_hash(st, 2, r->token_hash);
    r->metadata = sqlite__col_str(a, st, 3);
}

static const struct sq_query reg_get = {SQ_REG_GET,
                                        "SELECT tenant_id, client_id, token_hash, metadata "
                                        "FROM registrations WHERE tenant_id = ?1 AND "
                                        "client_id = ?2",
                                        sqlite__bind_id, reg_row, 0};

struct reg_swap {
    const struct grantd_registration *r;
    const unsigned char *old_hash;
};

static int bind_swap(sqlite3_stmt *st, const void *arg)
{
    const struct reg_swap *w = arg;
    return bind_reg(st, w->r) | sqlite__bind_hash(st, 5, w->old_hash);
}

static const struct sq_query reg_rotate = {
    SQ_REG_ROTATE,
    "UPDATE registrations SET token_hash = ?3, metadata = ?4 "
    "WHERE tenant_id = ?1 AND client_id = ?2 AND token_hash = ?5",
    bind_swap, NULL, SQ_ONE_ROW};

struct reg_job {
    const struct grantd_client *c;
    const struct grantd_registration *r;
    const unsigned char *hash; /* put: the initial access token's; rotate: the old one */
    int64_t now;
};

static grantd_rc put_tx(struct sq_conn *c, void *arg)
{
    const struct reg_job *j = arg;
    grantd_rc rc = GRANTD_OK;
    if (j->hash) {
        struct token_use u = {j->c->tenant, j->hash, j->now};
        rc = sqlite__run(c, &reg_token_use, &u);
        if (rc == GRANTD_ENOTFOUND)
            return GRANTD_ECONFLICT;
    }
    if (rc == GRANTD_OK)
        rc = sqlite__client_insert(c, j->c);
    if (rc == GRANTD_OK)
        rc = sqlite__run(c, &reg_put, j->r);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

grantd_rc sqlite__registration_put(struct grantd_store *s, const struct grantd_client *c,
                                   const struct grantd_registration *r,
                                   const unsigned char *iat, int64_t now)
{
    struct reg_job j = {c, r, iat, now};
    return sqlite__write(s, put_tx, &j);
}

grantd_rc sqlite__registration_get(struct grantd_store *s, struct grantd_arena *a,
                                   int64_t tenant, const char *id,
                                   struct grantd_registration *out)
{
    struct sq_id key = {tenant, id};
    return sqlite__read(s, &reg_get, &key, a, out);
}

static grantd_rc rotate_tx(struct sq_conn *c, void *arg)
{
    const struct reg_job *j = arg;
    struct reg_swap w = {j->r, j->hash};
    grantd_rc rc = sqlite__run(c, &reg_rotate, &w);
    if (rc == GRANTD_ENOTFOUND)
        return GRANTD_ECONFLICT;
    if (rc != GRANTD_OK || !j->c)
        return rc; /* the token alone changes nothing anyone caches */
    rc = sqlite__client_update_rows(c, j->c);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

grantd_rc sqlite__registration_rotate(struct grantd_store *s, const struct grantd_client *c,
                                      const struct grantd_registration *r,
                                      const unsigned char old_hash[GRANTD_SHA256_LEN],
                                      int64_t now)
{
    struct grantd_client copy;
    if (c) {
        copy = *c;
        copy.updated_at = now;
    }
    struct reg_job j = {c ? &copy : NULL, r, old_hash, now};
    return sqlite__write(s, rotate_tx, &j);
}
