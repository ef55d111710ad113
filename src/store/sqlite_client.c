/* The SQLite driver's tenant and client operations (struct grantd_store_driver in store.h).
 *
 * Reads are one transaction on the calling thread's connection: a single statement in
 * autocommit, or BEGIN ... COMMIT for reads of several statements (one snapshot). Writes
 * are jobs of the writer (sqlite_writer.c), each in a transaction (or savepoint) of its
 * own. On failure everything is rolled back. Strings handed back live in the caller's
 * arena.
 *
 * Not here: connections (sqlite.c), statements and error mapping (sqlite_query.c), the
 * schema (sqlite_schema.c), users (sqlite_user.c), client_set_disabled (sqlite_purge.c, with
 * the other operations that revoke in bulk). Secrets never reach this file, only their
 * keyed hashes. */
#include "store/sqlite_int.h"

#include <string.h>

#include "core/clock.h"


/* ---- tenants -------------------------------------------------------------------------- */

#define TENANT_SELECT "SELECT id, name, issuer, created_at, profile FROM tenants "

static void tenant_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_tenant *t = out;
    t->id = sqlite3_column_int64(st, 0);
    t->name = sqlite__col_str(a, st, 1);
    t->issuer = sqlite__col_str(a, st, 2);
    t->created_at = sqlite3_column_int64(st, 3);
    t->profile = sqlite__col_str(a, st, 4);
}

static int bind_name(sqlite3_stmt *st, const void *arg)
{
    return sqlite__bind_text(st, 1, arg);
}

static const struct sq_query tenant_get = {SQ_TENANT_GET, TENANT_SELECT "WHERE id = ?1",
                                           sqlite__bind_int64, tenant_row, 0};
static const struct sq_query tenant_find = {SQ_TENANT_FIND, TENANT_SELECT "WHERE name = ?1",
                                            bind_name, tenant_row, 0};
static const struct sq_query tenant_list = {SQ_TENANT_LIST, TENANT_SELECT "ORDER BY id", NULL,
                                            tenant_row, 0};

grantd_rc sqlite__tenant_get(struct grantd_store *s, struct grantd_arena *a, int64_t id,
                             struct grantd_tenant *out)
{
    return sqlite__read(s, &tenant_get, &id, a, out);
}

grantd_rc sqlite__tenant_find(struct grantd_store *s, struct grantd_arena *a, const char *name,
                              struct grantd_tenant *out)
{
    return sqlite__read(s, &tenant_find, name, a, out);
}

static int bind_tenant_new(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_tenant *t = arg;
    return sqlite__bind_text(st, 1, t->name) | sqlite__bind_text(st, 2, t->issuer) |
           sqlite__bind_text(st, 3, t->profile) | sqlite3_bind_int64(st, 4, t->created_at);
}

static const struct sq_query tenant_put = {
    SQ_TENANT_PUT, "INSERT INTO tenants (name, issuer, profile, created_at) "
                   "VALUES (?1, ?2, ?3, ?4)",
    bind_tenant_new, NULL, 0};

struct tenant_new {
    const struct grantd_tenant *t;
    int64_t *id_out;
};

static grantd_rc tenant_put_tx(struct sq_conn *c, void *arg)
{
    const struct tenant_new *n = arg;
    grantd_rc rc = sqlite__run(c, &tenant_put, n->t);
    if (rc == GRANTD_OK && n->id_out)
        *n->id_out = sqlite3_last_insert_rowid(c->db);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

grantd_rc sqlite__tenant_put(struct grantd_store *s, const struct grantd_tenant *t,
                             int64_t *id_out)
{
    struct tenant_new n = {t, id_out};
    return sqlite__write(s, tenant_put_tx, &n);
}

grantd_rc sqlite__tenant_list(struct grantd_store *s, struct grantd_arena *a,
                              struct grantd_tenant **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    return sqlite__read_rows(s, &tenant_list, NULL, a, sizeof(**out), (void **)out, count);
}

/* ---- clients -------------------------------------------------------------------------- */

/* The stored id_token_alg: NULL (the default, RS256) for NULL or "". */
const char *sqlite__client_alg(const char *alg)
{
    return alg && *alg ? alg : NULL;
}

#define CLIENT_COLUMNS                                                                         \
    "tenant_id, id, name, is_public, secret_hash, scope, grants, disabled, created_at, "      \
    "updated_at, flags, code_ttl, access_ttl, refresh_ttl, tokens_after, resources, owner, "   \
    "post_logout_redirect_uris, id_token_alg"

static void client_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_client *c = out;
    memset(c, 0, sizeof(*c));
    c->tenant = sqlite3_column_int64(st, 0);
    c->id = sqlite__col_str(a, st, 1);
    c->name = sqlite__col_str(a, st, 2);
    c->is_public = sqlite3_column_int(st, 3) != 0;
    sqlite__col_hash(st, 4, c->secret_hash);
    c->scope = sqlite__col_str(a, st, 5);
    c->grants = (unsigned)sqlite3_column_int64(st, 6);
    c->disabled = sqlite3_column_int(st, 7) != 0;
    c->created_at = sqlite3_column_int64(st, 8);
    c->updated_at = sqlite3_column_int64(st, 9);
    c->flags = (unsigned)sqlite3_column_int64(st, 10);
    c->code_ttl = sqlite3_column_int64(st, 11);
    c->access_ttl = sqlite3_column_int64(st, 12);
    c->refresh_ttl = sqlite3_column_int64(st, 13);
    c->tokens_after = sqlite3_column_int64(st, 14);
    c->resources = sqlite__col_str(a, st, 15);
    c->owner = sqlite__col_str(a, st, 16);
    c->post_logout_redirect_uris = sqlite__col_str(a, st, 17);
    c->id_token_alg = sqlite__col_str(a, st, 18);
    sqlite__col_hash(st, 19, c->prev_secret_hash);
    c->prev_secret_until = sqlite3_column_int64(st, 20);
}

/* What a read selects: the columns client_put writes, then the previous secret. */
#define CLIENT_READ CLIENT_COLUMNS ", prev_secret_hash, prev_secret_until"

static const struct sq_query client_get = {SQ_CLIENT_GET,
                                           "SELECT " CLIENT_READ " FROM clients "
                                           "WHERE tenant_id = ?1 AND id = ?2",
                                           sqlite__bind_id, client_row, 0};
static const struct sq_query client_list = {SQ_CLIENT_LIST,
                                            "SELECT " CLIENT_READ " FROM clients "
                                            "WHERE tenant_id = ?1 ORDER BY created_at, id",
                                            sqlite__bind_int64, client_row, 0};

static void uri_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    *(const char **)out = sqlite__col_str(a, st, 0);
}

static const struct sq_query uri_list = {SQ_URI_LIST,
                                         "SELECT uri FROM client_redirect_uris "
                                         "WHERE tenant_id = ?1 AND client_id = ?2 "
                                         "ORDER BY position",
                                         sqlite__bind_id, uri_row, 0};

/* Loads the redirect URIs of client out (its tenant and id) in order into it. */
static grantd_rc load_uris(struct sq_conn *c, struct grantd_arena *a, struct grantd_client *out)
{
    struct sq_id key = {out->tenant, out->id};
    void *uris = NULL;
    grantd_rc rc = sqlite__rows(c, &uri_list, &key, a, sizeof(const char *), &uris,
                                &out->redirect_uri_count);
    out->redirect_uris = uris;
    return rc;
}

struct uri_new {
    const struct grantd_client *cl;
    size_t i;
};

static int bind_uri(sqlite3_stmt *st, const void *arg)
{
    const struct uri_new *u = arg;
    struct sq_id key = {u->cl->tenant, u->cl->id};
    return sqlite__bind_id(st, &key) | sqlite3_bind_int64(st, 3, (int64_t)u->i) |
           sqlite__bind_text(st, 4, u->cl->redirect_uris[u->i]);
}

static const struct sq_query uri_put = {SQ_URI_PUT,
                                        "INSERT INTO client_redirect_uris "
                                        "(tenant_id, client_id, position, uri) "
                                        "VALUES (?1, ?2, ?3, ?4)",
                                        bind_uri, NULL, 0};

static int bind_client(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_client *cl = arg;
    struct sq_id key = {cl->tenant, cl->id};
    int64_t updated = cl->updated_at ? cl->updated_at : cl->created_at;
    return sqlite__bind_id(st, &key) | sqlite__bind_text(st, 3, cl->name) |
           sqlite3_bind_int(st, 4, cl->is_public ? 1 : 0) |
           (cl->is_public ? SQLITE_OK : sqlite__bind_hash(st, 5, cl->secret_hash)) |
           sqlite__bind_text(st, 6, cl->scope ? cl->scope : "") |
           sqlite3_bind_int64(st, 7, (int64_t)cl->grants) |
           sqlite3_bind_int(st, 8, cl->disabled ? 1 : 0) |
           sqlite3_bind_int64(st, 9, cl->created_at) |
           sqlite3_bind_int64(st, 10, updated) | sqlite3_bind_int64(st, 11, (int64_t)cl->flags) |
           sqlite3_bind_int64(st, 12, cl->code_ttl) | sqlite3_bind_int64(st, 13, cl->access_ttl) |
           sqlite3_bind_int64(st, 14, cl->refresh_ttl) |
           sqlite3_bind_int64(st, 15, cl->tokens_after) |
           sqlite__bind_text(st, 16, cl->resources ? cl->resources : "") |
           sqlite__bind_text(st, 17, cl->owner) |
           sqlite__bind_text(st, 18, cl->post_logout_redirect_uris ? cl->post_logout_redirect_uris
                                                                   : "") |
           sqlite__bind_text(st, 19, sqlite__client_alg(cl->id_token_alg));
}

static const struct sq_query client_put = {SQ_CLIENT_PUT,
                                           "INSERT INTO clients (" CLIENT_COLUMNS ") "
                                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                           "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                                           bind_client, NULL, 0};

/* Inserts the redirect URIs of cl, in order. */
static grantd_rc put_uris(struct sq_conn *c, const struct grantd_client *cl)
{
    grantd_rc rc = GRANTD_OK;
    for (size_t i = 0; rc == GRANTD_OK && i < cl->redirect_uri_count; i++) {
        struct uri_new u = {cl, i};
        rc = sqlite__run(c, &uri_put, &u);
    }
    return rc;
}

grantd_rc sqlite__client_put_uris(struct sq_conn *c, const struct grantd_client *cl)
{
    return put_uris(c, cl);
}

grantd_rc sqlite__client_insert(struct sq_conn *c, const struct grantd_client *cl)
{
    grantd_rc rc = sqlite__run(c, &client_put, cl);
    return rc == GRANTD_OK ? put_uris(c, cl) : rc;
}

static grantd_rc client_put_tx(struct sq_conn *c, void *arg)
{
    grantd_rc rc = sqlite__client_insert(c, arg);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

/* updated_at 0 means created_at. A public client's secret_hash is not stored. */
grantd_rc sqlite__client_put(struct grantd_store *s, const struct grantd_client *cl)
{
    return sqlite__write(s, client_put_tx, (void *)cl);
}

grantd_rc sqlite__client_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                             const char *id, struct grantd_client *out)
{
    struct sq_conn *c;
    struct sq_id key = {tenant, id};
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc == GRANTD_OK)
        rc = sqlite__begin(c, 0);
    if (rc != GRANTD_OK)
        return rc;
    rc = sqlite__get(c, &client_get, &key, a, out);
    if (rc == GRANTD_OK)
        rc = load_uris(c, a, out);
    return sqlite__end(c, rc);
}

/* The rows of q (client_list or client_list_owned, bound with arg) with their redirect
 * URIs, in one read transaction. */
static grantd_rc list_clients(struct grantd_store *s, const struct sq_query *q,
                              const void *arg, struct grantd_arena *a,
                              struct grantd_client **out, size_t *count)
{
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc == GRANTD_OK)
        rc = sqlite__begin(c, 0);
    if (rc != GRANTD_OK)
        return rc;
    void *v = NULL;
    size_t n = 0;
    rc = sqlite__rows(c, q, arg, a, sizeof(struct grantd_client), &v, &n);
    struct grantd_client *list = v;
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++)
        rc = load_uris(c, a, &list[i]);
    rc = sqlite__end(c, rc);
    if (rc == GRANTD_OK) {
        *out = list;
        *count = n;
    }
    return rc;
}

grantd_rc sqlite__client_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                              struct grantd_client **out, size_t *count)
{
    return list_clients(s, &client_list, &tenant, a, out, count);
}

/* the developer console's list: the clients_by_owner index (schema version 14) */
static const struct sq_query client_list_owned = {SQ_CLIENT_LIST_OWNED,
                                                  "SELECT " CLIENT_READ " FROM clients "
                                                  "WHERE tenant_id = ?1 AND owner = ?2 "
                                                  "ORDER BY created_at, id",
                                                  sqlite__bind_id, client_row, 0};

grantd_rc sqlite__client_list_owned(struct grantd_store *s, struct grantd_arena *a,
                                    int64_t tenant, const char *owner,
                                    struct grantd_client **out, size_t *count)
{
    struct sq_id key = {tenant, owner};
    return list_clients(s, &client_list_owned, &key, a, out, count);
}

/* ---- updates of one client ------------------------------------------------------------ */

static const struct sq_query client_secret = {SQ_CLIENT_SECRET,
                                              "UPDATE clients SET secret_hash = ?3, "
                                              "updated_at = ?4, prev_secret_hash = NULL, "
                                              "prev_secret_until = 0 "
                                              "WHERE tenant_id = ?1 AND id = ?2",
                                              sqlite__bind_set, NULL, SQ_ONE_ROW | SQ_CHANGES};
/* The redirect URIs go with the client (ON DELETE CASCADE). */
static const struct sq_query client_delete = {SQ_CLIENT_DELETE,
                                              "DELETE FROM clients "
                                              "WHERE tenant_id = ?1 AND id = ?2",
                                              sqlite__bind_id, NULL, SQ_ONE_ROW | SQ_CHANGES};

/* Replaces the hash only; is_public is left as it is. */
grantd_rc sqlite__client_set_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                    const unsigned char hash[GRANTD_SHA256_LEN], int64_t now)
{
    struct sq_set u = {.key = {tenant, id}, .hash = hash, .now = now};
    return sqlite__write_query(s, &client_secret, &u);
}

/* Everything the client was granted is revoked first, as disabling does, in the same
 * transaction: its tokens (opaque or JWT, stored or self-contained) would otherwise outlive
 * it, and the revocation feed lists its families and the client. The revocation is stamped
 * with the store's clock (the operation takes no now). */
static grantd_rc delete_tx(struct sq_conn *c, void *arg)
{
    grantd_rc rc = sqlite__client_revoke_all(c, arg, grantd_clock_now_us());
    return rc == GRANTD_OK ? sqlite__run(c, &client_delete, arg) : rc;
}

grantd_rc sqlite__client_delete(struct grantd_store *s, int64_t tenant, const char *id)
{
    struct sq_id key = {tenant, id};
    return sqlite__write(s, delete_tx, &key);
}
