/* The SQLite driver's operations of store API version 4, which the admin API needs: client
 * and user updates, secret rotation with an overlap, and admin keys (struct
 * grantd_store_driver in store.h).
 *
 * Writes are jobs of the writer (sqlite_writer.c), each one transaction; reads one
 * statement on the calling thread's connection. Admin keys are read at every admin request
 * and cached nowhere, so their writes do not move the change sequence; the client and user
 * updates do (caches hold clients and users).
 *
 * Not here: client creation, reads and the other client writes (sqlite_client.c), users
 * (sqlite_user.c), the schema (sqlite_schema.c, version 11). Only hashes of secrets and keys
 * reach this file. */
#include "store/sqlite_int.h"

#include <string.h>

/* ---- client_update -------------------------------------------------------------------- */

static int bind_client_update(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_client *cl = arg;
    struct sq_id key = {cl->tenant, cl->id};
    return sqlite__bind_id(st, &key) | sqlite__bind_text(st, 3, cl->name) |
           sqlite3_bind_int(st, 4, cl->is_public ? 1 : 0) |
           sqlite__bind_text(st, 5, cl->scope ? cl->scope : "") |
           sqlite3_bind_int64(st, 6, (int64_t)cl->grants) |
           sqlite3_bind_int64(st, 7, (int64_t)cl->flags) |
           sqlite3_bind_int64(st, 8, cl->code_ttl) | sqlite3_bind_int64(st, 9, cl->access_ttl) |
           sqlite3_bind_int64(st, 10, cl->refresh_ttl) |
           sqlite3_bind_int64(st, 11, cl->updated_at) |
           sqlite__bind_text(st, 12, cl->resources ? cl->resources : "") |
           sqlite__bind_text(st, 13, cl->post_logout_redirect_uris ? cl->post_logout_redirect_uris
                                                                   : "") |
           sqlite__bind_text(st, 14, sqlite__client_alg(cl->id_token_alg));
}

static const struct sq_query client_update = {
    SQ_CLIENT_UPDATE,
    "UPDATE clients SET name = ?3, is_public = ?4, scope = ?5, grants = ?6, flags = ?7, "
    "code_ttl = ?8, access_ttl = ?9, refresh_ttl = ?10, updated_at = ?11, resources = ?12, "
    "post_logout_redirect_uris = ?13, id_token_alg = ?14 "
    "WHERE tenant_id = ?1 AND id = ?2",
    bind_client_update, NULL, SQ_ONE_ROW};
static const struct sq_query uri_clear = {SQ_URI_CLEAR,
                                          "DELETE FROM client_redirect_uris "
                                          "WHERE tenant_id = ?1 AND client_id = ?2",
                                          sqlite__bind_id, NULL, 0};

grantd_rc sqlite__client_update_rows(struct sq_conn *c, const struct grantd_client *cl)
{
    struct sq_id key = {cl->tenant, cl->id};
    grantd_rc rc = sqlite__run(c, &client_update, cl);
    if (rc == GRANTD_OK)
        rc = sqlite__run(c, &uri_clear, &key);
    if (rc == GRANTD_OK)
        rc = sqlite__client_put_uris(c, cl);
    return rc;
}

static grantd_rc client_update_tx(struct sq_conn *c, void *arg)
{
    grantd_rc rc = sqlite__client_update_rows(c, arg);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

grantd_rc sqlite__client_update(struct grantd_store *s, const struct grantd_client *c,
                                int64_t now)
{
    struct grantd_client copy = *c;
    copy.updated_at = now;
    return sqlite__write(s, client_update_tx, &copy);
}

/* ---- client_rotate_secret ------------------------------------------------------------- */

struct rotate {
    struct sq_id key;
    const unsigned char *hash;
    int64_t prev_until, now;
};

static int bind_rotate(sqlite3_stmt *st, const void *arg)
{
    const struct rotate *r = arg;
    return sqlite__bind_id(st, &r->key) | sqlite__bind_hash(st, 3, r->hash) |
           sqlite3_bind_int64(st, 4, r->prev_until) | sqlite3_bind_int64(st, 5, r->now);
}

/* SQLite evaluates every right-hand side against the row as it was, so the previous hash is
 * the one being replaced. */
static const struct sq_query client_rotate = {
    SQ_CLIENT_ROTATE,
    "UPDATE clients SET prev_secret_hash = CASE WHEN ?4 > 0 THEN secret_hash END, "
    "prev_secret_until = ?4, secret_hash = ?3, updated_at = ?5 "
    "WHERE tenant_id = ?1 AND id = ?2",
    bind_rotate, NULL, SQ_ONE_ROW | SQ_CHANGES};

grantd_rc sqlite__client_rotate_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                       const unsigned char hash[GRANTD_SHA256_LEN],
                                       int64_t prev_until, int64_t now)
{
    struct rotate r = {{tenant, id}, hash, prev_until > 0 ? prev_until : 0, now};
    return sqlite__write_query(s, &client_rotate, &r);
}

/* ---- user_update ---------------------------------------------------------------------- */

static int bind_user_update(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_user *u = arg;
    struct sq_id key = {u->tenant, u->id};
    return sqlite__bind_id(st, &key) | sqlite__bind_text(st, 3, u->username) |
           sqlite__bind_text(st, 4, u->account) | sqlite__bind_text(st, 5, u->email) |
           sqlite3_bind_int64(st, 6, u->updated_at) |
           sqlite3_bind_int(st, 7, u->developer ? 1 : 0) | sqlite__bind_claims(st, 8, u);
}

static const struct sq_query user_update = {
    SQ_USER_UPDATE,
    "UPDATE users SET username = ?3, account = ?4, email = ?5, updated_at = ?6, "
    "developer = ?7, name = ?8, given_name = ?9, family_name = ?10, preferred_username = ?11, "
    "email_verified = ?12, phone_number = ?13, phone_number_verified = ?14, locale = ?15, "
    "address = ?16 "
    "WHERE tenant_id = ?1 AND id = ?2",
    bind_user_update, NULL, SQ_ONE_ROW | SQ_CHANGES};

grantd_rc sqlite__user_update(struct grantd_store *s, const struct grantd_user *u, int64_t now)
{
    struct grantd_user copy = *u;
    copy.updated_at = now;
    return sqlite__write_query(s, &user_update, &copy);
}

/* ---- admin keys ----------------------------------------------------------------------- */

#define ADMIN_KEY_COLUMNS "id, name, tenant_id, hash, created_at, revoked_at"

static void admin_key_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_admin_key *k = out;
    memset(k, 0, sizeof(*k));
    k->id = sqlite__col_str(a, st, 0);
    k->name = sqlite__col_str(a, st, 1);
    k->tenant = sqlite3_column_int64(st, 2); /* NULL reads as 0: every tenant */
    sqlite__col_hash(st, 3, k->hash);
    k->created_at = sqlite3_column_int64(st, 4);
    k->revoked_at = sqlite3_column_int64(st, 5);
}

static int bind_admin_key(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_admin_key *k = arg;
    return sqlite__bind_text(st, 1, k->id) | sqlite__bind_text(st, 2, k->name) |
           (k->tenant ? sqlite3_bind_int64(st, 3, k->tenant) : sqlite3_bind_null(st, 3)) |
           sqlite__bind_hash(st, 4, k->hash) | sqlite3_bind_int64(st, 5, k->created_at);
}

static int bind_hash_only(sqlite3_stmt *st, const void *arg)
{
    return sqlite__bind_hash(st, 1, arg);
}

static int bind_revoke(sqlite3_stmt *st, const void *arg)
{
    const struct sq_set *u = arg;
    return sqlite__bind_text(st, 1, u->key.id) | sqlite3_bind_int64(st, 2, u->now);
}

static const struct sq_query admin_key_put = {SQ_ADMIN_KEY_PUT,
                                              "INSERT INTO admin_keys (id, name, tenant_id, "
                                              "hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                                              bind_admin_key, NULL, 0};
static const struct sq_query admin_key_find = {SQ_ADMIN_KEY_FIND,
                                               "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys "
                                               "WHERE hash = ?1",
                                               bind_hash_only, admin_key_row, 0};
static const struct sq_query admin_key_list = {SQ_ADMIN_KEY_LIST,
                                               "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys "
                                               "ORDER BY created_at, id",
                                               NULL, admin_key_row, 0};
/* a revoked key keeps its first revocation time */
static const struct sq_query admin_key_revoke = {
    SQ_ADMIN_KEY_REVOKE,
    "UPDATE admin_keys SET revoked_at = CASE WHEN revoked_at = 0 THEN ?2 ELSE revoked_at END "
    "WHERE id = ?1",
    bind_revoke, NULL, SQ_ONE_ROW};

grantd_rc sqlite__admin_key_put(struct grantd_store *s, const struct grantd_admin_key *k)
{
    return sqlite__write_query(s, &admin_key_put, k);
}

grantd_rc sqlite__admin_key_find(struct grantd_store *s, struct grantd_arena *a,
                                 const unsigned char hash[GRANTD_SHA256_LEN],
                                 struct grantd_admin_key *out)
{
    return sqlite__read(s, &admin_key_find, hash, a, out);
}

grantd_rc sqlite__admin_key_list(struct grantd_store *s, struct grantd_arena *a,
                                 struct grantd_admin_key **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    return sqlite__read_rows(s, &admin_key_list, NULL, a, sizeof(**out), (void **)out, count);
}

grantd_rc sqlite__admin_key_revoke(struct grantd_store *s, const char *id, int64_t now)
{
    struct sq_set u = {.key = {0, id}, .now = now};
    return sqlite__write_query(s, &admin_key_revoke, &u);
}
