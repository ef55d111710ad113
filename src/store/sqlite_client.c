/* The SQLite driver's tenant and client operations (struct grantd_store_driver in store.h).
 *
 * Reads are one transaction on the calling thread's connection: a single statement in
 * autocommit, or BEGIN ... COMMIT for reads of several statements (one snapshot). Writes
 * are jobs of the writer (sqlite_writer.c), each in a transaction (or savepoint) of its
 * own. On failure everything is rolled back. Strings handed back live in the caller's
 * arena.
 *
 * Not here: connections and error mapping (sqlite.c), the schema (sqlite_schema.c), users
 * (sqlite_user.c), client_disable (sqlite_purge.c, with the other operations that revoke in
 * bulk). Secrets never reach this file, only their keyed hashes. */
#include "store/sqlite_int.h"

#include <string.h>

#include "core/clock.h"

/* ---- tenants -------------------------------------------------------------------------- */

static void tenant_from_row(sqlite3_stmt *st, struct grantd_arena *a, struct grantd_tenant *t)
{
    t->id = sqlite3_column_int64(st, 0);
    t->name = sqlite__col_str(a, st, 1);
    t->issuer = sqlite__col_str(a, st, 2);
    t->created_at = sqlite3_column_int64(st, 3);
    t->profile = sqlite__col_str(a, st, 4);
}

#define TENANT_COLUMNS "id, name, issuer, created_at, profile"

/* Steps a bound single-row tenant query into *out and resets it. */
static grantd_rc tenant_row(struct sq_conn *c, sqlite3_stmt *st, struct grantd_arena *a,
                            struct grantd_tenant *out)
{
    int r = sqlite3_step(st);
    grantd_rc rc = r == SQLITE_DONE ? GRANTD_ENOTFOUND : sqlite__rc(c, r);
    if (r == SQLITE_ROW)
        tenant_from_row(st, a, out);
    sqlite__done(st);
    return rc;
}

grantd_rc sqlite__tenant_get(struct grantd_store *s, struct grantd_arena *a, int64_t id,
                                   struct grantd_tenant *out)
{
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    sqlite3_stmt *st = sqlite__stmt(
        c, SQ_TENANT_GET, "SELECT " TENANT_COLUMNS " FROM tenants WHERE id = ?1");
    if (!st)
        return GRANTD_ESTORE;
    if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return tenant_row(c, st, a, out);
}

grantd_rc sqlite__tenant_find(struct grantd_store *s, struct grantd_arena *a,
                                    const char *name, struct grantd_tenant *out)
{
    struct sq_conn *c;
    if (!name)
        return GRANTD_EINVAL;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    sqlite3_stmt *st = sqlite__stmt(
        c, SQ_TENANT_FIND, "SELECT " TENANT_COLUMNS " FROM tenants WHERE name = ?1");
    if (!st)
        return GRANTD_ESTORE;
    if (sqlite__bind_text(st, 1, name) != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return tenant_row(c, st, a, out);
}

struct tenant_new {
    const struct grantd_tenant *t;
    int64_t *id_out;
};

static grantd_rc tenant_put_tx(struct sq_conn *c, void *arg)
{
    const struct tenant_new *n = arg;
    sqlite3_stmt *st = sqlite__stmt(c, SQ_TENANT_PUT,
                                          "INSERT INTO tenants (name, issuer, profile, created_at) "
                                          "VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return GRANTD_ESTORE;
    int b = sqlite__bind_text(st, 1, n->t->name) |
            sqlite__bind_text(st, 2, n->t->issuer) |
            sqlite__bind_text(st, 3, n->t->profile) |
            sqlite3_bind_int64(st, 4, grantd_clock_now());
    if (b != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    grantd_rc rc = sqlite__exec(c, st);
    if (rc == GRANTD_OK && n->id_out)
        *n->id_out = sqlite3_last_insert_rowid(c->db);
    return rc;
}

grantd_rc sqlite__tenant_put(struct grantd_store *s, const struct grantd_tenant *t,
                                   int64_t *id_out)
{
    if (!t || !t->name || !*t->name)
        return GRANTD_EINVAL;
    struct tenant_new n = {t, id_out};
    return sqlite__write(s, tenant_put_tx, &n);
}

grantd_rc sqlite__tenant_list(struct grantd_store *s, struct grantd_arena *a,
                                    struct grantd_tenant **out, size_t *count)
{
    struct sq_conn *c;
    *out = NULL;
    *count = 0;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    sqlite3_stmt *st =
        sqlite__stmt(c, SQ_TENANT_LIST, "SELECT " TENANT_COLUMNS " FROM tenants ORDER BY id");
    if (!st)
        return GRANTD_ESTORE;
    size_t cap = 16, n = 0;
    struct grantd_tenant *v = grantd_arena_alloc(a, cap * sizeof(*v));
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct grantd_tenant *bigger = grantd_arena_alloc(a, 2 * cap * sizeof(*v));
            memcpy(bigger, v, n * sizeof(*v));
            v = bigger;
            cap *= 2;
        }
        tenant_from_row(st, a, &v[n++]);
    }
    rc = r == SQLITE_DONE ? GRANTD_OK : sqlite__rc(c, r);
    sqlite__done(st);
    if (rc == GRANTD_OK) {
        *out = v;
        *count = n;
    }
    return rc;
}

/* ---- clients -------------------------------------------------------------------------- */

#define CLIENT_COLUMNS                                                                         \
    "tenant_id, id, name, is_public, secret_hash, scope, grants, disabled, created_at, "      \
    "updated_at, flags, code_ttl, access_ttl, refresh_ttl, tokens_after"

static void client_from_row(sqlite3_stmt *st, struct grantd_arena *a, struct grantd_client *c)
{
    memset(c, 0, sizeof(*c));
    c->tenant = sqlite3_column_int64(st, 0);
    c->id = sqlite__col_str(a, st, 1);
    c->name = sqlite__col_str(a, st, 2);
    c->is_public = sqlite3_column_int(st, 3) != 0;
    const void *hash = sqlite3_column_blob(st, 4);
    if (hash && sqlite3_column_bytes(st, 4) == GRANTD_SHA256_LEN)
        memcpy(c->secret_hash, hash, GRANTD_SHA256_LEN);
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
}

/* Binds a (tenant, id) key at parameters 1 and 2. */
static int bind_key(sqlite3_stmt *st, int64_t tenant, const char *id)
{
    return sqlite3_bind_int64(st, 1, tenant) | sqlite__bind_text(st, 2, id);
}

/* Loads the redirect URIs of client (tenant, id) in order into out. */
static grantd_rc load_uris(struct sq_conn *c, struct grantd_arena *a, struct grantd_client *out)
{
    sqlite3_stmt *st = sqlite__stmt(c, SQ_URI_LIST,
                                          "SELECT uri FROM client_redirect_uris "
                                          "WHERE tenant_id = ?1 AND client_id = ?2 "
                                          "ORDER BY position");
    if (!st)
        return GRANTD_ESTORE;
    const char **uris = NULL;
    size_t n = 0, cap = 0;
    grantd_rc rc = GRANTD_ESTORE;
    if (bind_key(st, out->tenant, out->id) != SQLITE_OK)
        goto out;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        uris = sqlite__grow(a, uris, n, &cap, sizeof(*uris));
        uris[n++] = sqlite__col_str(a, st, 0);
    }
    rc = sqlite__rc(c, r);
    out->redirect_uris = uris;
    out->redirect_uri_count = n;
out:
    sqlite__done(st);
    return rc;
}

static grantd_rc insert_uris(struct sq_conn *c, const struct grantd_client *cl)
{
    sqlite3_stmt *st = sqlite__stmt(c, SQ_URI_PUT,
                                          "INSERT INTO client_redirect_uris "
                                          "(tenant_id, client_id, position, uri) "
                                          "VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return GRANTD_ESTORE;
    grantd_rc rc = GRANTD_OK;
    for (size_t i = 0; rc == GRANTD_OK && i < cl->redirect_uri_count; i++) {
        int b = bind_key(st, cl->tenant, cl->id) | sqlite3_bind_int64(st, 3, (int64_t)i) |
                sqlite__bind_text(st, 4, cl->redirect_uris[i]);
        rc = b == SQLITE_OK ? sqlite__exec(c, st) : GRANTD_ESTORE;
        sqlite__done(st);
    }
    return rc;
}

static grantd_rc insert_client(struct sq_conn *c, const struct grantd_client *cl)
{
    sqlite3_stmt *st = sqlite__stmt(c, SQ_CLIENT_PUT,
                                          "INSERT INTO clients (" CLIENT_COLUMNS ") "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                                          "?12, ?13, ?14, ?15)");
    if (!st)
        return GRANTD_ESTORE;
    int64_t created = cl->created_at ? cl->created_at : grantd_clock_now();
    int64_t updated = cl->updated_at ? cl->updated_at : created;
    int b = bind_key(st, cl->tenant, cl->id) | sqlite__bind_text(st, 3, cl->name) |
            sqlite3_bind_int(st, 4, cl->is_public ? 1 : 0) |
            sqlite__bind_text(st, 6, cl->scope ? cl->scope : "") |
            sqlite3_bind_int64(st, 7, (int64_t)cl->grants) |
            sqlite3_bind_int(st, 8, cl->disabled ? 1 : 0) | sqlite3_bind_int64(st, 9, created) |
            sqlite3_bind_int64(st, 10, updated) | sqlite3_bind_int64(st, 11, (int64_t)cl->flags) |
            sqlite3_bind_int64(st, 12, cl->code_ttl) | sqlite3_bind_int64(st, 13, cl->access_ttl) |
            sqlite3_bind_int64(st, 14, cl->refresh_ttl) |
            sqlite3_bind_int64(st, 15, cl->tokens_after ? cl->tokens_after : grantd_clock_now_us());
    if (!cl->is_public)
        b |= sqlite3_bind_blob(st, 5, cl->secret_hash, GRANTD_SHA256_LEN, SQLITE_STATIC);
    if (b != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return sqlite__exec(c, st);
}

static grantd_rc client_put_tx(struct sq_conn *c, void *arg)
{
    const struct grantd_client *cl = arg;
    grantd_rc rc = insert_client(c, cl);
    return rc == GRANTD_OK ? insert_uris(c, cl) : rc;
}

/* created_at 0 means now; updated_at 0 means created_at. A public client's secret_hash is
 * not stored. Lifetimes must be 0 (default) or positive; refresh_ttl may also be
 * GRANTD_TTL_NEVER. */
grantd_rc sqlite__client_put(struct grantd_store *s, const struct grantd_client *cl)
{
    if (!cl->id || !cl->name || (cl->redirect_uri_count && !cl->redirect_uris))
        return GRANTD_EINVAL;
    if (cl->code_ttl < 0 || cl->access_ttl < 0 || cl->refresh_ttl < GRANTD_TTL_NEVER)
        return GRANTD_EINVAL;
    for (size_t i = 0; i < cl->redirect_uri_count; i++) {
        if (!cl->redirect_uris[i])
            return GRANTD_EINVAL;
    }
    return sqlite__write(s, client_put_tx, (void *)cl);
}

/* Reads the client row (tenant, id) into out, inside the caller's read transaction. */
static grantd_rc select_client(struct sq_conn *c, struct grantd_arena *a, int64_t tenant,
                               const char *id, struct grantd_client *out)
{
    sqlite3_stmt *st = sqlite__stmt(c, SQ_CLIENT_GET,
                                          "SELECT " CLIENT_COLUMNS " FROM clients "
                                          "WHERE tenant_id = ?1 AND id = ?2");
    if (!st)
        return GRANTD_ESTORE;
    grantd_rc rc = GRANTD_ESTORE;
    if (bind_key(st, tenant, id) != SQLITE_OK)
        goto out;
    int r = sqlite3_step(st);
    rc = r == SQLITE_DONE ? GRANTD_ENOTFOUND : sqlite__rc(c, r);
    if (r == SQLITE_ROW)
        client_from_row(st, a, out);
out:
    sqlite__done(st);
    return rc;
}

grantd_rc sqlite__client_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                   const char *id, struct grantd_client *out)
{
    if (!id)
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    rc = sqlite__begin(c, 0);
    if (rc != GRANTD_OK)
        return rc;
    rc = select_client(c, a, tenant, id, out);
    if (rc == GRANTD_OK)
        rc = load_uris(c, a, out);
    return sqlite__end(c, rc);
}

static void client_row(sqlite3_stmt *st, struct grantd_arena *a, void *item)
{
    client_from_row(st, a, item);
}

/* Reads every client row of tenant, without redirect URIs, inside a read transaction. */
static grantd_rc select_clients(struct sq_conn *c, struct grantd_arena *a, int64_t tenant,
                                struct grantd_client **out, size_t *count)
{
    return sqlite__tenant_rows(c, SQ_CLIENT_LIST,
                                     "SELECT " CLIENT_COLUMNS " FROM clients "
                                     "WHERE tenant_id = ?1 ORDER BY created_at, id",
                                     tenant, a, sizeof(**out), client_row, (void **)out, count);
}

grantd_rc sqlite__client_list(struct grantd_store *s, struct grantd_arena *a,
                                    int64_t tenant, struct grantd_client **out, size_t *count)
{
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    rc = sqlite__begin(c, 0);
    if (rc != GRANTD_OK)
        return rc;
    struct grantd_client *v = NULL;
    size_t n = 0;
    rc = select_clients(c, a, tenant, &v, &n);
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++)
        rc = load_uris(c, a, &v[i]);
    rc = sqlite__end(c, rc);
    if (rc == GRANTD_OK) {
        *out = v;
        *count = n;
    }
    return rc;
}

/* Binds ?3 = the 0/1 flag at arg, ?4 = now, ?5 = now in microseconds. */
static int bind_flag(sqlite3_stmt *st, const void *arg)
{
    return sqlite3_bind_int(st, 3, *(const int *)arg ? 1 : 0) |
           sqlite3_bind_int64(st, 4, grantd_clock_now()) |
           sqlite3_bind_int64(st, 5, grantd_clock_now_us());
}

/* Binds ?3 = the hash at arg, ?4 = now. */
static int bind_hash(sqlite3_stmt *st, const void *arg)
{
    return sqlite3_bind_blob(st, 3, arg, GRANTD_SHA256_LEN, SQLITE_STATIC) |
           sqlite3_bind_int64(st, 4, grantd_clock_now());
}

grantd_rc sqlite__client_set_disabled(struct grantd_store *s, int64_t tenant,
                                            const char *id, int disabled)
{
    return sqlite__write_one(s, SQ_CLIENT_DISABLE,
                                   "UPDATE clients SET disabled = ?3, updated_at = ?4, "
                                   "tokens_after = ?5 WHERE tenant_id = ?1 AND id = ?2",
                                   tenant, id, bind_flag, &disabled);
}

/* Replaces the hash only; is_public is left as it is. */
grantd_rc sqlite__client_set_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                          const unsigned char hash[GRANTD_SHA256_LEN])
{
    if (!hash)
        return GRANTD_EINVAL;
    return sqlite__write_one(s, SQ_CLIENT_SECRET,
                                   "UPDATE clients SET secret_hash = ?3, updated_at = ?4 "
                                   "WHERE tenant_id = ?1 AND id = ?2",
                                   tenant, id, bind_hash, hash);
}

/* The redirect URIs go with the client (ON DELETE CASCADE). */
grantd_rc sqlite__client_delete(struct grantd_store *s, int64_t tenant, const char *id)
{
    return sqlite__write_one(s, SQ_CLIENT_DELETE,
                                   "DELETE FROM clients WHERE tenant_id = ?1 AND id = ?2",
                                   tenant, id, NULL, NULL);
}
