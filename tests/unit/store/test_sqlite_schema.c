/* The SQLite driver's schema and its migrations, beyond the conformance suite: a database
 * of a newer grantd answers GRANTD_ESCHEMA unless its compatible-back-to number lets this
 * grantd run, and then works and is never migrated (src/store/schema.h); an unmigrated one
 * answers ESTORE until migrated; several handles migrate at once; databases that earlier
 * grantds left (versions 1, 2 and 5) are upgraded without losing records, revocations or
 * signing keys; and the tokens table keeps no secondary index. Builds old databases with
 * sqlite__schema_migrate_to and writes their rows with libsqlite3 directly. */
#include "sqlite_fixture.h"

#include "store/schema.h"

static void test_newer_schema(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    grantd_store_close(s);
    raw_exec(f->path, "PRAGMA user_version = 999");
    s = open_ok(f->url);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_ESCHEMA);
    assert_int_equal(from, 999);
    assert_int_equal(grantd_store_ping(s), GRANTD_ESCHEMA);
    grantd_store_close(s);
}

/* What the next release's additive step would do (src/store/schema.h): a new table, a
 * defaulted column on each of clients, codes and tokens, version newest + 1 compatible back
 * to compat. */
static void future_step(const char *path, int compat)
{
    char sql[768];
    snprintf(sql, sizeof(sql),
             "BEGIN;"
             "CREATE TABLE grants_ledger (tenant_id INTEGER NOT NULL, note TEXT);"
             "ALTER TABLE clients ADD COLUMN tier INTEGER NOT NULL DEFAULT 3;"
             "ALTER TABLE codes ADD COLUMN origin TEXT NOT NULL DEFAULT 'web';"
             "ALTER TABLE tokens ADD COLUMN origin TEXT NOT NULL DEFAULT 'web';"
             "INSERT INTO grants_ledger (tenant_id, note) VALUES (1, 'kept');"
             "UPDATE meta SET value = %d WHERE key = 'schema_version';"
             "UPDATE meta SET value = %d WHERE key = 'schema_compat';"
             "PRAGMA user_version = %d;"
             "COMMIT;",
             sqlite__schema_newest() + 1, compat, sqlite__schema_newest() + 1);
    raw_exec(path, sql);
}

/* The compatible-back-to number of a fresh database: its step's, beside its version. */
static void test_compat_stored(void **state)
{
    struct fx *f = *state;
    grantd_store_close(open_migrated(f->url));
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT value FROM meta WHERE key = 'schema_version'"),
                     GRANTD_SCHEMA_VERSION);
    assert_int_equal(raw_int(db, "SELECT value FROM meta WHERE key = 'schema_compat'"),
                     GRANTD_SCHEMA_VERSION - 1);
    sqlite3_close(db);
}

/* A newer grantd's additive step: this grantd opens the database, reports its version
 * without migrating it, and its records go in and come out (clients, codes, tokens), the
 * new columns taking their defaults. */
static void test_newer_compatible_schema(void **state)
{
    struct fx *f = *state;
    const int newest = sqlite__schema_newest();
    grantd_store_close(open_migrated(f->url));
    future_step(f->path, newest);
    struct grantd_store *s = open_ok(f->url);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    assert_int_equal(from, newest + 1);
    assert_int_equal(to, newest + 1);
    assert_int_equal(grantd_store_ping(s), GRANTD_OK);

    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client c, n = {.created_at = T0, .tokens_after = T0 * 1000000, .tenant = 1,
                                 .id = "app", .name = "App", .is_public = 1,
                                 .grants = GRANTD_GRANT_AUTHORIZATION_CODE};
    assert_int_equal(grantd_store_client_put(s, &n), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(s, a, 1, "app", &c), GRANTD_OK);
    assert_string_equal(c.name, "App");
    struct grantd_code k, code = {.tenant = 1, .hash = {5}, .client_id = "app", .user_id = "u",
                                  .scope = "openid", .family = "fam", .auth_time = T0,
                                  .created_at = T0, .expires_at = T0 + 60};
    assert_int_equal(grantd_store_code_put(s, &code), GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(s, a, 1, code.hash, T0 + 1, &k), GRANTD_OK);
    assert_string_equal(k.scope, "openid");
    assert_int_equal(grantd_store_code_consume(s, a, 1, code.hash, T0 + 2, &k),
                     GRANTD_EREPLAYED); /* single use holds on the newer schema too */
    struct grantd_token t, tok = {.tenant = 1, .hash = {6}, .kind = GRANTD_TOKEN_ACCESS,
                                  .client_id = "app", .user_id = "u", .family = "fam-2",
                                  .created_at = T0, .expires_at = T0 + 3600};
    assert_int_equal(grantd_store_token_put(s, &tok, 1), GRANTD_OK);
    assert_int_equal(grantd_store_token_get(s, a, 1, tok.hash, &t), GRANTD_OK);
    assert_string_equal(t.client_id, "app");
    grantd_arena_free(a);
    grantd_store_close(s);

    /* nothing was migrated: the version, the number and the newer step's work are as left */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), newest + 1);
    assert_int_equal(raw_int(db, "SELECT value FROM meta WHERE key = 'schema_compat'"), newest);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM grants_ledger"), 1);
    assert_int_equal(raw_int(db, "SELECT tier FROM clients WHERE id = 'app'"), 3);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM tokens WHERE origin = 'web'"), 1);
    sqlite3_close(db);
}

/* A newer step that needs a newer grantd: refused with both versions (*from the database's,
 * *to the version it needs); a number stored for another version than the database's
 * counts for nothing. */
static void test_newer_incompatible_schema(void **state)
{
    struct fx *f = *state;
    const int newest = sqlite__schema_newest();
    grantd_store_close(open_migrated(f->url));
    future_step(f->path, newest + 1);
    struct grantd_store *s = open_ok(f->url);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_ESCHEMA);
    assert_int_equal(from, newest + 1);
    assert_int_equal(to, newest + 1);
    assert_int_equal(grantd_store_ping(s), GRANTD_ESCHEMA);
    grantd_store_close(s);
    raw_exec(f->path, "UPDATE meta SET value = 1 WHERE key = 'schema_compat';"
                      "PRAGMA user_version = 999"); /* schema_version still says newest + 1 */
    s = open_ok(f->url);
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_ESCHEMA);
    assert_int_equal(from, 999);
    assert_int_equal(to, 999);
    grantd_store_close(s);
}

static void test_unmigrated(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_ok(f->url);
    struct grantd_arena *a = grantd_arena_new(1024);
    unsigned char key[GRANTD_SHA256_LEN];
    struct grantd_client c;
    assert_int_equal(grantd_store_ping(s), GRANTD_ESTORE);
    assert_int_equal(grantd_store_hash_key(s, key), GRANTD_ESTORE);
    assert_int_equal(grantd_store_client_get(s, a, 1, "x", &c), GRANTD_ESTORE);
    int from, to;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    assert_int_equal(from, 0);
    /* statements that failed to prepare before are prepared again now */
    assert_int_equal(grantd_store_client_get(s, a, 1, "x", &c), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_hash_key(s, key), GRANTD_OK);
    grantd_arena_free(a);
    grantd_store_close(s);
}

#define MIGRATORS 6

struct migrator {
    const char *url;
    pthread_barrier_t *go;
    grantd_rc rc;
    int from, to;
};

static void *migrate_thread(void *p)
{
    struct migrator *m = p;
    struct grantd_store *s = NULL;
    char err[256];
    m->rc = grantd_store_open(m->url, &s, err, sizeof(err));
    pthread_barrier_wait(m->go);
    if (m->rc == GRANTD_OK)
        m->rc = grantd_store_migrate(s, T0, &m->from, &m->to);
    grantd_store_close(s);
    return NULL;
}

/* Separate handles stand in for separate processes: each has its own connections. */
static void test_concurrent_migration(void **state)
{
    struct fx *f = *state;
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, MIGRATORS);
    pthread_t tid[MIGRATORS];
    struct migrator m[MIGRATORS];
    for (int i = 0; i < MIGRATORS; i++) {
        m[i] = (struct migrator){.url = f->url, .go = &go};
        assert_int_equal(pthread_create(&tid[i], NULL, migrate_thread, &m[i]), 0);
    }
    int fresh = 0;
    for (int i = 0; i < MIGRATORS; i++) {
        pthread_join(tid[i], NULL);
        assert_int_equal(m[i].rc, GRANTD_OK);
        assert_int_equal(m[i].to, sqlite__schema_newest());
        fresh += m[i].from == 0;
    }
    pthread_barrier_destroy(&go);
    assert_true(fresh >= 1);
    struct grantd_store *s = open_ok(f->url);
    assert_int_equal(grantd_store_ping(s), GRANTD_OK);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_tenant t;
    assert_int_equal(grantd_store_tenant_get(s, a, 1, &t), GRANTD_OK);
    grantd_arena_free(a);
    grantd_store_close(s);
}

/* A database left at version 1 by the previous grantd, holding a client (with redirect URIs
 * and a secret hash) and a user, comes through the upgrade to 2 intact, with flags 0. */
static void test_migrate_v1_to_v2(void **state)
{
    struct fx *f = *state;
    assert_true(sqlite__schema_newest() >= 2);
    migrate_to(f->url, 1);
    /* the rows as the version-1 driver wrote them (its INSERTs, which name no flags) */
    raw_exec(f->path,
             "INSERT INTO clients (tenant_id, id, name, is_public, secret_hash, scope, grants,"
             " disabled, created_at, updated_at) VALUES (1, 'old-app', 'Old App', 0,"
             " x'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',"
             " 'openid email', 3, 0, 1690000000, 1690000100);"
             "INSERT INTO client_redirect_uris (tenant_id, client_id, position, uri) VALUES"
             " (1, 'old-app', 0, 'https://old.example/cb'),"
             " (1, 'old-app', 1, 'http://127.0.0.1/cb');"
             "INSERT INTO users (tenant_id, id, username, account, email, password_hash,"
             " created_at, updated_at) VALUES (1, 'sub-1', 'olduser', NULL, NULL, '$argon2id$x',"
             " 1690000000, 1690000000);");

    struct grantd_store *s = open_ok(f->url);
    assert_int_equal(grantd_store_ping(s), GRANTD_ESTORE); /* still at 1: not ready */
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    assert_int_equal(from, 1);
    assert_int_equal(to, sqlite__schema_newest());
    assert_int_equal(grantd_store_ping(s), GRANTD_OK);

    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client c;
    assert_int_equal(grantd_store_client_get(s, a, 1, "old-app", &c), GRANTD_OK);
    assert_string_equal(c.name, "Old App");
    assert_int_equal(c.flags, 0);
    assert_int_equal(c.grants, 3);
    assert_string_equal(c.scope, "openid email");
    assert_int_equal(c.secret_hash[31], 0x1f);
    assert_int_equal(c.redirect_uri_count, 2);
    assert_string_equal(c.redirect_uris[1], "http://127.0.0.1/cb");
    assert_int_equal(c.created_at, 1690000000);
    struct grantd_user u;
    assert_int_equal(grantd_store_user_get(s, a, 1, "sub-1", &u), GRANTD_OK);
    assert_string_equal(u.username, "olduser");
    assert_null(u.email);

    /* the new tables are there, and a client with flags can be added next to the old one */
    struct grantd_client n = {.created_at = T0, .tokens_after = T0 * 1000000, .tenant = 1,
                              .id = "new-app", .name = "n", .is_public = 1,
                              .flags = GRANTD_CLIENT_ALWAYS_CONSENT};
    assert_int_equal(grantd_store_client_put(s, &n), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(s, a, 1, "new-app", &c), GRANTD_OK);
    assert_int_equal(c.flags, GRANTD_CLIENT_ALWAYS_CONSENT);
    struct grantd_session sess = {
        .created_at = T0, .tenant = 1, .id_hash = {7}, .expires_at = 2000000000};
    assert_int_equal(grantd_store_session_put(s, &sess), GRANTD_OK);
    grantd_arena_free(a);
    grantd_store_close(s);
}

/* Each index on tokens costs a page write per token stored (sqlite_schema.c): the table has
 * its primary key, the janitor's tokens_by_expiry and the revocations' partial
 * tokens_access_by_family (v19, sqlite_purge.c), codes only their primary key. */
static void test_tokens_have_two_secondary_indexes(void **state)
{
    struct fx *f = *state;
    grantd_store_close(open_migrated(f->url));
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name IN ('tokens', 'codes') AND sql IS NOT NULL"),
                     2);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                 "AND name IN ('tokens_by_expiry', 'tokens_access_by_family') "
                                 "AND tbl_name = 'tokens'"),
                     2);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'keys'"), 1);
    sqlite3_close(db);
}

/* ---- schema versions 3 and 4 ------------------------------------------------------------- */

/* A database a version-2 grantd left: a client, a replayed code whose tokens it revoked row
 * by row, and a live family. After the upgrade the client has default lifetimes, the
 * replayed family is a revoked family (no token may join it), the live one takes tokens,
 * and the family indexes are gone (v3); its self-contained tokens count from its creation
 * (v4). It belongs to nobody's developer console (v14). */
static void test_migrate_v2_to_newest(void **state)
{
    struct fx *f = *state;
    assert_int_equal(sqlite__schema_newest(), 19);
    migrate_to(f->url, 2);
    raw_exec(f->path,
             "INSERT INTO clients (tenant_id, id, name, is_public, scope, grants, created_at,"
             " updated_at, flags) VALUES (1, 'app', 'App', 1, '', 3, 1690000000, 1690000000, 2);"
             "INSERT INTO codes (tenant_id, hash, client_id, user_id, family, auth_time,"
             " created_at, expires_at, used, revoked) VALUES"
             " (1, zeroblob(32), 'app', 'u', 'fam-replayed', 1, 1, 2000000000, 1, 1);"
             "INSERT INTO tokens (tenant_id, hash, kind, client_id, user_id, family, created_at,"
             " expires_at, revoked) VALUES"
             " (1, x'0100000000000000000000000000000000000000000000000000000000000000', 2, 'app',"
             "  'u', 'fam-replayed', 1, 0, 1),"
             " (1, x'0200000000000000000000000000000000000000000000000000000000000000', 2, 'app',"
             "  'u', 'fam-live', 1, 0, 0);");
    struct grantd_store *s = open_ok(f->url);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    assert_int_equal(from, 2);
    assert_int_equal(to, sqlite__schema_newest());
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client c;
    assert_int_equal(grantd_store_client_get(s, a, 1, "app", &c), GRANTD_OK);
    assert_int_equal(c.flags, 2);
    assert_int_equal(c.prev_secret_until, 0); /* v9: no previous secret */
    assert_null(c.owner);                      /* v14: made outside the console */
    assert_int_equal(c.code_ttl, 0);
    assert_int_equal(c.access_ttl, 0);
    assert_int_equal(c.refresh_ttl, 0);
    assert_int_equal(c.tokens_after, 1690000000LL * 1000000);
    struct grantd_token got, n = {.tenant = 1, .hash = {9}, .kind = GRANTD_TOKEN_ACCESS,
                                  .client_id = "app", .family = "fam-replayed",
                                  .created_at = T0};
    unsigned char live[GRANTD_SHA256_LEN] = {2};
    assert_int_equal(grantd_store_token_get(s, a, 1, live, &got), GRANTD_OK);
    assert_false(got.revoked);
    assert_int_equal(got.rotated_at, 0);
    assert_null(got.successor);
    assert_int_equal(grantd_store_token_put(s, &n, 1), GRANTD_ECONFLICT);
    n.family = "fam-live";
    assert_int_equal(grantd_store_token_put(s, &n, 1), GRANTD_OK);
    struct grantd_token r = {.created_at = T0, .tenant = 1, .hash = {10},
                             .kind = GRANTD_TOKEN_REFRESH, .client_id = "app",
                             .family = "fam-live"};
    assert_int_equal(grantd_store_refresh_rotate(s, 1, live, 100, 0, NULL, 0, &r, 1), GRANTD_OK);
    grantd_arena_free(a);
    grantd_store_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                 "('tokens_by_family', 'codes_by_family')"),
                     0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM revoked_families"), 1);
    sqlite3_close(db);
}

/* ---- schema version 6 --------------------------------------------------------------------- */

/* A database a version-5 grantd left, in which two rotations at once left two current keys
 * in one tenant: after the upgrade the newest of them (by active_from, created_at, kid) is
 * the one current key, the other retires a year after the upgrade (still published for the
 * tokens it signed), keys of other tenants and retiring keys keep their retire_at, and a
 * second current key is refused from then on. */
static void test_migrate_v5_one_current_key(void **state)
{
    struct fx *f = *state;
    migrate_to(f->url, 5);
    raw_exec(f->path,
             "INSERT INTO tenants (id, name, created_at) VALUES (2, 'two', 1);"
             "INSERT INTO keys (tenant_id, kid, alg, public_jwk, private_sealed, created_at,"
             " active_from, retire_at) VALUES"
             " (1, 'old', 'ES256', '{}', x'01', 100, 100, 5000),"
             " (1, 'a', 'ES256', '{}', x'01', 200, 260, 0),"
             " (1, 'b', 'ES256', '{}', x'01', 200, 260, 0),"
             " (1, 'early', 'ES256', '{}', x'01', 150, 150, 0),"
             " (2, 'two', 'ES256', '{}', x'01', 100, 100, 0);");
    struct grantd_store *s = open_ok(f->url);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    assert_int_equal(from, 5);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_key *k = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_key_list(s, a, 1, &k, &n), GRANTD_OK);
    assert_int_equal(n, 4); /* old, early, a, b */
    static const struct {
        const char *kid;
        int64_t retire_at;
    } want[] = {{"old", 5000}, {"early", T0 + 31536000}, {"a", T0 + 31536000}, {"b", 0}};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(k[i].kid, want[i].kid);
        assert_int_equal(k[i].retire_at, want[i].retire_at);
    }
    assert_int_equal(grantd_store_key_list(s, a, 2, &k, &n), GRANTD_OK);
    assert_int_equal(k[0].retire_at, 0);
    struct grantd_key second = {.tenant = 1, .kid = "c", .alg = "ES256", .public_jwk = "{}",
                                .private_sealed = (const unsigned char *)"x",
                                .private_sealed_len = 1, .created_at = T0, .active_from = T0};
    assert_int_equal(grantd_store_key_put(s, &second), GRANTD_EEXIST);
    grantd_arena_free(a);
    grantd_store_close(s);
}

/* ---- schema version 9 --------------------------------------------------------------------- */

/* A database a version-8 grantd left: its client, code and token read back with no resource
 * (tokens for the issuer alone, as before), and the new columns take what is written. */
static void test_migrate_v8_resources(void **state)
{
    struct fx *f = *state;
    migrate_to(f->url, 8);
    raw_exec(f->path,
             "INSERT INTO clients (tenant_id, id, name, is_public, scope, grants, created_at,"
             " updated_at, tokens_after) VALUES (1, 'app', 'App', 1, '', 3, 1, 1, 1);"
             "INSERT INTO codes (tenant_id, hash, client_id, user_id, family, auth_time,"
             " created_at, expires_at) VALUES (1, zeroblob(32), 'app', 'u', 'f', 1, 1, 2e9);"
             "INSERT INTO tokens (tenant_id, hash, kind, client_id, family, created_at,"
             " expires_at) VALUES (1, zeroblob(32), 1, 'app', 'f', 1, 2000000000);");
    struct grantd_store *s = open_ok(f->url);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    assert_int_equal(from, 8);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client c;
    struct grantd_code k;
    struct grantd_token t;
    unsigned char zero[GRANTD_SHA256_LEN] = {0};
    assert_int_equal(grantd_store_client_get(s, a, 1, "app", &c), GRANTD_OK);
    assert_string_equal(c.resources, "");
    assert_int_equal(grantd_store_token_get(s, a, 1, zero, &t), GRANTD_OK);
    assert_string_equal(t.audience, "");
    assert_int_equal(grantd_store_code_consume(s, a, 1, zero, T0, &k), GRANTD_OK);
    assert_string_equal(k.resources, "");
    struct grantd_token n = {.tenant = 1, .hash = {7}, .kind = GRANTD_TOKEN_ACCESS,
                             .client_id = "app", .family = "f", .created_at = T0,
                             .audience = "https://api.example/ https://b.example/"};
    assert_int_equal(grantd_store_token_put(s, &n, 1), GRANTD_OK);
    assert_int_equal(grantd_store_token_get(s, a, 1, n.hash, &t), GRANTD_OK);
    assert_string_equal(t.audience, "https://api.example/ https://b.example/");
    grantd_arena_free(a);
    grantd_store_close(s);
}

/* ---- schema version 17 -------------------------------------------------------------------- */

/* A client a version-15 grantd stored reads back with no post-logout redirect URI and the
 * default ID token algorithm (NULL); client_update and client_put write both, and "" for
 * the algorithm is stored as the default. */
static void test_migrate_v15_oidc_client(void **state)
{
    struct fx *f = *state;
    migrate_to(f->url, 15);
    raw_exec(f->path,
             "INSERT INTO clients (tenant_id, id, name, is_public, scope, grants, created_at,"
             " updated_at, tokens_after) VALUES (1, 'app', 'App', 1, '', 3, 1, 1, 1);");
    struct grantd_store *s = open_ok(f->url);
    int from = -1, to = -1;
    assert_int_equal(grantd_store_migrate(s, T0, &from, &to), GRANTD_OK);
    assert_int_equal(from, 15);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client c, got;
    assert_int_equal(grantd_store_client_get(s, a, 1, "app", &c), GRANTD_OK);
    assert_string_equal(c.post_logout_redirect_uris, "");
    assert_null(c.id_token_alg);
    c.post_logout_redirect_uris = "https://app.example/bye http://127.0.0.1/out";
    c.id_token_alg = "ES256";
    assert_int_equal(grantd_store_client_update(s, &c, T0), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(s, a, 1, "app", &got), GRANTD_OK);
    assert_string_equal(got.post_logout_redirect_uris,
                        "https://app.example/bye http://127.0.0.1/out");
    assert_string_equal(got.id_token_alg, "ES256");
    c.post_logout_redirect_uris = NULL;
    c.id_token_alg = "";
    assert_int_equal(grantd_store_client_update(s, &c, T0), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(s, a, 1, "app", &got), GRANTD_OK);
    assert_string_equal(got.post_logout_redirect_uris, "");
    assert_null(got.id_token_alg);
    struct grantd_client n = {.tenant = 1, .id = "new", .name = "New", .is_public = 1,
                              .created_at = T0, .tokens_after = T0,
                              .post_logout_redirect_uris = "https://new.example/",
                              .id_token_alg = "RS256"};
    assert_int_equal(grantd_store_client_put(s, &n), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(s, a, 1, "new", &got), GRANTD_OK);
    assert_string_equal(got.post_logout_redirect_uris, "https://new.example/");
    assert_string_equal(got.id_token_alg, "RS256");
    grantd_arena_free(a);
    grantd_store_close(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_newer_schema),
        T(test_compat_stored),
        T(test_newer_compatible_schema),
        T(test_newer_incompatible_schema),
        T(test_unmigrated),
        T(test_concurrent_migration),
        T(test_migrate_v1_to_v2),
        T(test_tokens_have_two_secondary_indexes),
        T(test_migrate_v2_to_newest),
        T(test_migrate_v5_one_current_key),
        T(test_migrate_v8_resources),
        T(test_migrate_v15_oidc_client),
    };
    return cmocka_run_group_tests_name("sqlite schema", tests, NULL, NULL);
}
