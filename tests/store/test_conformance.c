/* The store conformance suite, part one: schema and readiness, tenants, the hash key,
 * clients, users, several handles and threads. Part two (test_conformance_flow.c) has the
 * records of the authorization-code flow; the fixture and the modes every part runs in
 * (GRANTD_TEST_STORE_URL, or a temporary SQLite file and sqlite::memory:) are in
 * conformance.h.
 *
 * Not here: driver-specific behaviour (file modes, pragmas, busy mapping): see
 * tests/unit/store/test_<driver>.c. */
#include "conformance.h"

/* ---- schema, readiness, tenants, hash key --------------------------------------------- */

static void test_migrate_idempotent(void **state)
{
    struct fx *f = *state;
    int from = -1, to = -1;
    if (mode != MODE_URL) {
        assert_int_not_equal(grantd_store_ping(f->s), GRANTD_OK); /* not migrated yet */
    }
    assert_int_equal(grantd_store_migrate(f->s, NOW, &from, &to), GRANTD_OK);
    assert_true(to >= 1);
    assert_true(from <= to);
    if (mode != MODE_URL)
        assert_int_equal(from, 0);
    int from2 = -1, to2 = -1;
    assert_int_equal(grantd_store_migrate(f->s, NOW, &from2, &to2), GRANTD_OK);
    assert_int_equal(from2, to);
    assert_int_equal(to2, to);
    assert_int_equal(grantd_store_ping(f->s), GRANTD_OK);
}

static void test_ping(void **state)
{
    struct fx *f = *state;
    assert_int_equal(grantd_store_ping(f->s), GRANTD_OK);
    assert_int_equal(grantd_store_ping(f->s), GRANTD_OK);
}

static void test_default_tenant(void **state)
{
    struct fx *f = *state;
    struct grantd_tenant t;
    assert_int_equal(grantd_store_tenant_get(f->s, f->a, GRANTD_DEFAULT_TENANT, &t), GRANTD_OK);
    assert_int_equal(t.id, GRANTD_DEFAULT_TENANT);
    assert_string_equal(t.name, "default");
    assert_null(t.issuer);
    if (mode == MODE_URL)
        assert_true(t.created_at > 0);
    else
        assert_int_equal(t.created_at, NOW); /* the time setup's migrate was given */
    struct grantd_tenant t2;
    assert_int_equal(grantd_store_tenant_find(f->s, f->a, "default", &t2), GRANTD_OK);
    assert_int_equal(t2.id, GRANTD_DEFAULT_TENANT);
    assert_int_equal(grantd_store_tenant_get(f->s, f->a, INT64_MAX - 7, &t), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_tenant_find(f->s, f->a, uid(f->a, "none"), &t), GRANTD_ENOTFOUND);
}

static void test_tenant_put(void **state)
{
    struct fx *f = *state;
    const char *name = uid(f->a, "issuer");
    int64_t id = 0;
    struct grantd_tenant nt = {.name = name,
                               .issuer = "https://id.example.com",
                               .profile = "profile = { name = \"x\"; };",
                               .created_at = NOW};
    assert_int_equal(grantd_store_tenant_put(f->s, &nt, &id), GRANTD_OK);
    assert_true(id != GRANTD_DEFAULT_TENANT && id != f->tenant);
    struct grantd_tenant t;
    assert_int_equal(grantd_store_tenant_find(f->s, f->a, name, &t), GRANTD_OK);
    assert_int_equal(t.id, id);
    assert_string_equal(t.issuer, "https://id.example.com");
    assert_string_equal(t.profile, nt.profile);
    assert_int_equal(grantd_store_tenant_get(f->s, f->a, id, &t), GRANTD_OK);
    assert_string_equal(t.name, name);
    int64_t id2 = 0;
    struct grantd_tenant again = {.name = name, .created_at = NOW};
    assert_int_equal(grantd_store_tenant_put(f->s, &again, &id2), GRANTD_EEXIST);
    /* the list: by id, the default tenant first, this one in it with its profile */
    struct grantd_tenant *all = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_tenant_list(f->s, f->a, &all, &n), GRANTD_OK);
    assert_true(n >= 2);
    assert_int_equal(all[0].id, GRANTD_DEFAULT_TENANT);
    assert_null(all[0].profile);
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            assert_true(all[i].id > all[i - 1].id);
        if (all[i].id == id) {
            assert_string_equal(all[i].name, name);
            assert_string_equal(all[i].profile, nt.profile);
            seen++;
        }
    }
    assert_int_equal(seen, 1);
}

static int is_all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i])
            return 0;
    }
    return 1;
}

static void test_hash_key(void **state)
{
    struct fx *f = *state;
    unsigned char k1[GRANTD_SHA256_LEN], k2[GRANTD_SHA256_LEN], k3[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_store_hash_key(f->s, k1), GRANTD_OK);
    assert_false(is_all_zero(k1, sizeof(k1)));
    assert_int_equal(grantd_store_hash_key(f->s, k2), GRANTD_OK);
    assert_memory_equal(k1, k2, sizeof(k1));

    unsigned char h1[GRANTD_SHA256_LEN], h2[GRANTD_SHA256_LEN], h3[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_store_hash_secret(f->s, "one", h1), GRANTD_OK);
    assert_int_equal(grantd_store_hash_secret(f->s, "one", h2), GRANTD_OK);
    assert_int_equal(grantd_store_hash_secret(f->s, "two", h3), GRANTD_OK);
    assert_memory_equal(h1, h2, sizeof(h1));
    assert_memory_not_equal(h1, h3, sizeof(h1));
    if (mode == MODE_MEMORY)
        return; /* nothing to reopen */
    grantd_store_close(f->s);
    f->s = open_url(f->url);
    int from, to;
    assert_int_equal(grantd_store_migrate(f->s, NOW, &from, &to), GRANTD_OK);
    assert_int_equal(grantd_store_hash_key(f->s, k3), GRANTD_OK);
    assert_memory_equal(k1, k3, sizeof(k1));
}

static void test_hash_key_differs_between_stores(void **state)
{
    struct fx *f = *state;
    if (mode == MODE_URL)
        skip();
    struct grantd_store *other = open_url("sqlite::memory:");
    int from, to;
    assert_int_equal(grantd_store_migrate(other, NOW, &from, &to), GRANTD_OK);
    unsigned char k1[GRANTD_SHA256_LEN], k2[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_store_hash_key(f->s, k1), GRANTD_OK);
    assert_int_equal(grantd_store_hash_key(other, k2), GRANTD_OK);
    assert_memory_not_equal(k1, k2, sizeof(k1));
    grantd_store_close(other);
}

/* ---- clients -------------------------------------------------------------------------- */

static void roundtrip(struct fx *f, const struct grantd_client *c)
{
    assert_int_equal(grantd_store_client_put(f->s, c), GRANTD_OK);
    struct grantd_client got;
    memset(&got, 0xA5, sizeof(got));
    assert_int_equal(grantd_store_client_get(f->s, f->a, c->tenant, c->id, &got), GRANTD_OK);
    assert_client_equal(c, &got);
}

static void test_client_roundtrip(void **state)
{
    struct fx *f = *state;
    for (size_t n = 0; n <= 3; n++) {
        if (n == 2)
            continue; /* 0, 1 and 3 URIs */
        struct grantd_client c = make_client(f, uid(f->a, "client"), n);
        roundtrip(f, &c);
    }
    struct grantd_client pub = make_client(f, uid(f->a, "spa"), 1);
    pub.is_public = 1;
    memset(pub.secret_hash, 0, sizeof(pub.secret_hash));
    pub.scope = "";
    pub.grants = GRANTD_GRANT_AUTHORIZATION_CODE;
    pub.disabled = 1;
    pub.flags = GRANTD_CLIENT_ALLOW_PLAIN_PKCE | GRANTD_CLIENT_ALWAYS_CONSENT;
    roundtrip(f, &pub);
    struct grantd_client m2m = make_client(f, uid(f->a, "m2m"), 0);
    m2m.grants = GRANTD_GRANT_CLIENT_CREDENTIALS;
    m2m.name = "Machine \"client\" ünïcode ' ; DROP TABLE clients; --";
    m2m.flags = GRANTD_CLIENT_JWT_ACCESS | GRANTD_CLIENT_INTROSPECT_ANY;
    m2m.access_ttl = 300;
    m2m.resources = "https://api.example/orders urn:example:billing";
    roundtrip(f, &m2m);
}

/* Per-client lifetimes round-trip (0 = the server's default; refresh may be "never"), come
 * back from client_list too, and out-of-range values are refused. */
static void test_client_lifetimes(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    c.code_ttl = 600;
    c.access_ttl = 31536000;
    c.refresh_ttl = GRANTD_TTL_NEVER;
    roundtrip(f, &c);
    struct grantd_client d = make_client(f, uid(f->a, "client"), 1);
    d.created_at += 1;
    d.refresh_ttl = 86400;
    roundtrip(f, &d);
    struct grantd_client *list = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_client_list(f->s, f->a, f->tenant, &list, &n), GRANTD_OK);
    assert_int_equal(n, 2);
    assert_client_equal(&c, &list[0]);
    assert_client_equal(&d, &list[1]);
    struct grantd_client bad = make_client(f, uid(f->a, "client"), 1);
    bad.refresh_ttl = -2;
    assert_int_equal(grantd_store_client_put(f->s, &bad), GRANTD_EINVAL);
    bad.refresh_ttl = 0;
    bad.access_ttl = -1;
    assert_int_equal(grantd_store_client_put(f->s, &bad), GRANTD_EINVAL);
    bad.access_ttl = 0;
    bad.code_ttl = -1;
    assert_int_equal(grantd_store_client_put(f->s, &bad), GRANTD_EINVAL);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, bad.id, &got), GRANTD_ENOTFOUND);
}

/* flags are stored with the client and come back from client_get and client_list, every
 * bit of them (unknown bits included: the store does not interpret them). */
static void test_client_flags(void **state)
{
    struct fx *f = *state;
    static const unsigned flags[] = {
        0,
        GRANTD_CLIENT_ALLOW_PLAIN_PKCE,
        GRANTD_CLIENT_ALWAYS_CONSENT | GRANTD_CLIENT_REDIRECT_WILDCARD,
        GRANTD_CLIENT_ALLOW_PLAIN_PKCE | GRANTD_CLIENT_ALWAYS_CONSENT |
            GRANTD_CLIENT_REDIRECT_WILDCARD | (1u << 31),
    };
    const size_t n = sizeof(flags) / sizeof(flags[0]);
    for (size_t i = 0; i < n; i++) {
        struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
        c.created_at += (int64_t)i; /* list order = this order */
        c.flags = flags[i];
        roundtrip(f, &c);
    }
    struct grantd_client *list = NULL;
    size_t count = 0;
    assert_int_equal(grantd_store_client_list(f->s, f->a, f->tenant, &list, &count), GRANTD_OK);
    assert_int_equal(count, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(list[i].flags, flags[i]);
    /* other updates leave them alone */
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, list[3].id, 1, NOW_US),
                     GRANTD_OK);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, list[3].id, &got), GRANTD_OK);
    assert_int_equal(got.flags, flags[3]);
}

static void test_client_duplicate(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_client dup = make_client(f, c.id, 3);
    dup.name = "Impostor";
    assert_int_equal(grantd_store_client_put(f->s, &dup), GRANTD_EEXIST);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_client_equal(&c, &got); /* the failed put changed nothing */
}

static void test_client_missing(void **state)
{
    struct fx *f = *state;
    const char *id = uid(f->a, "ghost");
    struct grantd_client got;
    unsigned char h[GRANTD_SHA256_LEN] = {1};
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, id, &got), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, id, 1, NOW_US),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_set_secret(f->s, f->tenant, id, h, NOW), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_delete(f->s, f->tenant, id), GRANTD_ENOTFOUND);
}

static void test_client_list_order(void **state)
{
    struct fx *f = *state;
    struct grantd_client *list = NULL;
    size_t n = 99;
    assert_int_equal(grantd_store_client_list(f->s, f->a, f->tenant, &list, &n), GRANTD_OK);
    assert_int_equal(n, 0);
    static const struct {
        const char *id;
        int64_t created;
        size_t uris;
    } rows[] = {{"b", 300, 1}, {"z", 100, 3}, {"a", 300, 0}, {"m", 200, 1}};
    for (size_t i = 0; i < 4; i++) {
        struct grantd_client c = make_client(f, rows[i].id, rows[i].uris);
        c.created_at = rows[i].created;
        assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    }
    assert_int_equal(grantd_store_client_list(f->s, f->a, f->tenant, &list, &n), GRANTD_OK);
    assert_int_equal(n, 4);
    static const char *const want[] = {"z", "m", "a", "b"};
    static const size_t want_uris[] = {3, 1, 0, 1};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(list[i].id, want[i]);
        assert_int_equal(list[i].redirect_uri_count, want_uris[i]);
        assert_int_equal(list[i].tenant, f->tenant);
    }
    assert_string_equal(list[0].redirect_uris[2], "com.example.app:/oauth2redirect");
}

/* Disabling and enabling stamp exactly the time they are given: tokens_after is that
 * microsecond, updated_at its second; nothing else of the client changes. */
static void test_client_disable(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    c.tokens_after = 1700000000123456;
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_int_equal(got.tokens_after, c.tokens_after);
    static const struct {
        int disabled;
        int64_t now_us;
    } steps[] = {{1, 1700000500654321}, {0, 1700000600000001}, {1, 1700000700999999}};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, c.id,
                                                          steps[i].disabled, steps[i].now_us),
                         GRANTD_OK);
        assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
        assert_int_equal(!!got.disabled, steps[i].disabled);
        assert_int_equal(got.tokens_after, steps[i].now_us);
        assert_int_equal(got.updated_at, steps[i].now_us / 1000000);
        struct grantd_client want = c;
        want.disabled = steps[i].disabled;
        want.updated_at = steps[i].now_us / 1000000;
        want.tokens_after = steps[i].now_us;
        assert_client_equal(&want, &got);
    }
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, c.id, 0, 0), GRANTD_EINVAL);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_true(got.disabled);
}

static void test_client_set_secret(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 0);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    unsigned char h[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_store_hash_secret(f->s, "rotated-secret", h), GRANTD_OK);
    assert_memory_not_equal(h, c.secret_hash, sizeof(h));
    assert_int_equal(grantd_store_client_set_secret(f->s, f->tenant, c.id, h, NOW), GRANTD_OK);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_memory_equal(got.secret_hash, h, sizeof(h));
    assert_int_equal(got.updated_at, NOW);
    assert_string_equal(got.name, c.name);
}

static void test_client_delete_cascade(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 3);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    assert_int_equal(grantd_store_client_delete(f->s, f->tenant, c.id), GRANTD_OK);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_delete(f->s, f->tenant, c.id), GRANTD_ENOTFOUND);
    /* the old URIs went with it: a re-put with the same id and fewer URIs works */
    struct grantd_client again = make_client(f, c.id, 1);
    again.name = "Second life";
    roundtrip(f, &again);
    struct grantd_client *list;
    size_t n;
    assert_int_equal(grantd_store_client_list(f->s, f->a, f->tenant, &list, &n), GRANTD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].redirect_uri_count, 1);
}

static void test_client_unknown_tenant(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    c.tenant = INT64_MAX - 11;
    assert_int_not_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, c.tenant, c.id, &got), GRANTD_ENOTFOUND);
}

/* ---- users ---------------------------------------------------------------------------- */

static void test_users(void **state)
{
    struct fx *f = *state;
    struct grantd_user u = make_user(f, "carol");
    struct grantd_user v = make_user(f, "alice");
    v.account = NULL;
    v.email = NULL;
    v.disabled = 1;
    struct grantd_user w = make_user(f, "bob");
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    assert_int_equal(grantd_store_user_put(f->s, &v), GRANTD_OK);
    assert_int_equal(grantd_store_user_put(f->s, &w), GRANTD_OK);
    struct grantd_user got;
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, "carol", &got), GRANTD_OK);
    assert_user_equal(&u, &got);
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, "alice", &got), GRANTD_OK);
    assert_user_equal(&v, &got);
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, "dave", &got), GRANTD_ENOTFOUND);

    struct grantd_user *list;
    size_t n;
    assert_int_equal(grantd_store_user_list(f->s, f->a, f->tenant, &list, &n), GRANTD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].username, "alice");
    assert_string_equal(list[1].username, "bob");
    assert_string_equal(list[2].username, "carol");
    assert_user_equal(&w, &list[1]);
}

static void test_user_updates(void **state)
{
    struct fx *f = *state;
    struct grantd_user u = make_user(f, "erin");
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    const char *nh = "$argon2id$v=19$m=65536,t=3,p=1$bmV3c2FsdA$bmV3aGFzaA";
    assert_int_equal(grantd_store_user_set_password(f->s, f->tenant, "erin", nh, NOW), GRANTD_OK);
    struct grantd_user got;
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, "erin", &got), GRANTD_OK);
    assert_string_equal(got.password_hash, nh);
    assert_int_equal(got.updated_at, NOW);
    assert_false(got.disabled);
    assert_int_equal(grantd_store_user_set_disabled(f->s, f->tenant, "erin", 1, NOW + 5),
                     GRANTD_OK);
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, "erin", &got), GRANTD_OK);
    assert_true(got.disabled);
    assert_int_equal(got.updated_at, NOW + 5);
    assert_int_equal(grantd_store_user_set_disabled(f->s, f->tenant, "erin", 0, NOW), GRANTD_OK);
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, "erin", &got), GRANTD_OK);
    assert_false(got.disabled);
    assert_string_equal(got.id, u.id);

    assert_int_equal(grantd_store_user_set_password(f->s, f->tenant, "nobody", nh, NOW),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_user_set_disabled(f->s, f->tenant, "nobody", 1, NOW),
                     GRANTD_ENOTFOUND);
}

/* The OpenID Connect claims survive user_put and user_update; NULL clears one. */
static void test_user_claims(void **state)
{
    struct fx *f = *state;
    struct grantd_user u = make_user(f, "gina");
    u.name = "Gina Tonic";
    u.given_name = "Gina";
    u.family_name = "Tonic";
    u.preferred_username = "gt";
    u.email_verified = 1;
    u.phone_number = "+4930123456";
    u.phone_number_verified = 1;
    u.locale = "de-DE";
    u.address = "Hauptstr. 1\n10115 Berlin";
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    struct grantd_user got;
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, u.id, &got), GRANTD_OK);
    assert_string_equal(got.name, "Gina Tonic");
    assert_string_equal(got.given_name, "Gina");
    assert_string_equal(got.family_name, "Tonic");
    assert_string_equal(got.preferred_username, "gt");
    assert_true(got.email_verified);
    assert_string_equal(got.phone_number, "+4930123456");
    assert_true(got.phone_number_verified);
    assert_string_equal(got.locale, "de-DE");
    assert_string_equal(got.address, "Hauptstr. 1\n10115 Berlin");

    got.name = "Gina T.";
    got.phone_number = NULL;
    got.phone_number_verified = 0;
    assert_int_equal(grantd_store_user_update(f->s, &got, NOW + 9), GRANTD_OK);
    struct grantd_user again;
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, "gina", &again), GRANTD_OK);
    assert_string_equal(again.name, "Gina T.");
    assert_null(again.phone_number);
    assert_false(again.phone_number_verified);
    assert_string_equal(again.locale, "de-DE");
    assert_int_equal(again.updated_at, NOW + 9);
}

static void test_user_duplicates(void **state)
{
    struct fx *f = *state;
    struct grantd_user u = make_user(f, "frank");
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    struct grantd_user same_name = make_user(f, "frank"); /* new id, taken username */
    same_name.email = "other@example.com";
    assert_int_equal(grantd_store_user_put(f->s, &same_name), GRANTD_EEXIST);
    struct grantd_user same_id = make_user(f, "frank2"); /* taken id, new username */
    same_id.id = u.id;
    assert_int_equal(grantd_store_user_put(f->s, &same_id), GRANTD_EEXIST);
    struct grantd_user got;
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, "frank", &got), GRANTD_OK);
    assert_user_equal(&u, &got);
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, "frank2", &got), GRANTD_ENOTFOUND);
}

static void test_user_get(void **state)
{
    struct fx *f = *state;
    struct grantd_user u = make_user(f, "heidi");
    struct grantd_user v = make_user(f, "ivan");
    v.account = NULL;
    v.email = NULL;
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    assert_int_equal(grantd_store_user_put(f->s, &v), GRANTD_OK);
    struct grantd_user got;
    memset(&got, 0xA5, sizeof(got));
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, u.id, &got), GRANTD_OK);
    assert_user_equal(&u, &got);
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, v.id, &got), GRANTD_OK);
    assert_user_equal(&v, &got); /* NULL account and email stay NULL */
    /* by id only: a username is not an id */
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, "heidi", &got), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, uid(f->a, "sub"), &got),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_user_get(f->s, f->a, GRANTD_DEFAULT_TENANT, u.id, &got),
                     GRANTD_ENOTFOUND);
}

/* ---- tenants keep records apart ------------------------------------------------------- */

static void test_tenant_isolation(void **state)
{
    struct fx *f = *state;
    int64_t other = 0;
    struct grantd_tenant ot = {.name = uid(f->a, "other"), .created_at = NOW};
    assert_int_equal(grantd_store_tenant_put(f->s, &ot, &other), GRANTD_OK);
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, other, c.id, &got), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_set_disabled(f->s, other, c.id, 1, NOW_US),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_delete(f->s, other, c.id), GRANTD_ENOTFOUND);

    struct grantd_client twin = make_client(f, c.id, 3); /* same id, other tenant */
    twin.tenant = other;
    twin.name = "Twin";
    roundtrip(f, &twin);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_client_equal(&c, &got);

    struct grantd_user u = make_user(f, "grace");
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    struct grantd_user ug;
    assert_int_equal(grantd_store_user_find(f->s, f->a, other, "grace", &ug), GRANTD_ENOTFOUND);
    struct grantd_user u2 = u;
    u2.tenant = other; /* same id and username in another tenant */
    assert_int_equal(grantd_store_user_put(f->s, &u2), GRANTD_OK);
    struct grantd_user *list;
    size_t n;
    assert_int_equal(grantd_store_user_list(f->s, f->a, other, &list, &n), GRANTD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].tenant, other);
}

/* ---- several handles and threads ------------------------------------------------------- */

static void test_second_handle_sees_writes(void **state)
{
    struct fx *f = *state;
    if (mode == MODE_MEMORY)
        skip(); /* each sqlite::memory: store is its own database */
    struct grantd_store *s2 = open_url(f->url);
    assert_int_equal(grantd_store_ping(s2), GRANTD_OK);
    struct grantd_client c = make_client(f, uid(f->a, "client"), 3);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(s2, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_client_equal(&c, &got);
    assert_int_equal(grantd_store_client_set_disabled(s2, f->tenant, c.id, 1, NOW_US), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_true(got.disabled);
    unsigned char k1[GRANTD_SHA256_LEN], k2[GRANTD_SHA256_LEN];
    assert_int_equal(grantd_store_hash_key(f->s, k1), GRANTD_OK);
    assert_int_equal(grantd_store_hash_key(s2, k2), GRANTD_OK);
    assert_memory_equal(k1, k2, sizeof(k1));
    grantd_store_close(s2);
}

#define THREADS 8
#define ROUNDS 200

struct worker {
    struct fx *f;
    int index;
    const char *const *clients;
    const char *const *users;
    int errors;
    grantd_rc first;
};

static void note(struct worker *w, grantd_rc rc)
{
    if (rc == GRANTD_OK)
        return;
    if (!w->errors++)
        w->first = rc;
}

static void *work(void *p)
{
    struct worker *w = p;
    struct grantd_store *s = w->f->s;
    struct grantd_arena *a = grantd_arena_new(4096);
    for (int i = 0; i < ROUNDS; i++) {
        struct grantd_client c;
        struct grantd_user u;
        note(w, grantd_store_client_get(s, a, w->f->tenant, w->clients[(i + w->index) % 4], &c));
        note(w, grantd_store_user_find(s, a, w->f->tenant, w->users[i % 4], &u));
        if (i % 50 == 25)
            note(w, grantd_store_client_set_disabled(s, w->f->tenant, w->clients[w->index % 4],
                                                     (i / 50) % 2, NOW_US + i));
        grantd_arena_reset(a);
    }
    grantd_arena_free(a);
    return NULL;
}

static void test_concurrency(void **state)
{
    struct fx *f = *state;
    const char *clients[4], *users[4];
    for (int i = 0; i < 4; i++) {
        struct grantd_client c = make_client(f, uid(f->a, "client"), (size_t)(i % 2) * 3);
        assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
        clients[i] = c.id;
        struct grantd_user u = make_user(f, uid(f->a, "user"));
        assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
        users[i] = u.username;
    }
    pthread_t tid[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.f = f, .index = i, .clients = clients, .users = users};
        assert_int_equal(pthread_create(&tid[i], NULL, work, &w[i]), 0);
    }
    int errors = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(tid[i], NULL);
        if (w[i].errors)
            print_error("thread %d: %d errors, first %s\n", i, w[i].errors,
                        grantd_strerror(w[i].first));
        errors += w[i].errors;
    }
    assert_int_equal(errors, 0);
    assert_int_equal(grantd_store_ping(f->s), GRANTD_OK);
}

/* ---- secrets are stored hashed --------------------------------------------------------- */

static int bytes_contain(const unsigned char *hay, size_t len, const void *needle, size_t n)
{
    for (size_t i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    }
    return 0;
}

static int file_contains(const char *path, const void *needle, size_t n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = grantd_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap)
            buf = grantd_xrealloc(buf, cap *= 2);
    }
    fclose(fp);
    int found = bytes_contain(buf, len, needle, n);
    free(buf);
    return found;
}

static void test_secret_not_stored_plain(void **state)
{
    struct fx *f = *state;
    if (mode != MODE_FILE)
        skip(); /* needs the database's bytes */
    char secret[GRANTD_SHA256_LEN * 2];
    assert_int_equal(grantd_random_token(32, secret), GRANTD_OK);
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    assert_int_equal(grantd_store_hash_secret(f->s, secret, c.secret_hash), GRANTD_OK);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    grantd_store_close(f->s);
    f->s = NULL;
    char wal[700];
    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    assert_false(file_contains(f->path, secret, strlen(secret)));
    assert_false(file_contains(wal, secret, strlen(secret)));
    /* and we did read the database the client went to: its id and hash are there */
    assert_true(file_contains(f->path, c.id, strlen(c.id)) ||
                file_contains(wal, c.id, strlen(c.id)));
    assert_true(file_contains(f->path, c.secret_hash, GRANTD_SHA256_LEN) ||
                file_contains(wal, c.secret_hash, GRANTD_SHA256_LEN));
    f->s = open_url(f->url);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_idempotent, setup_raw, teardown),
        T(test_ping),
        T(test_default_tenant),
        T(test_tenant_put),
        T(test_hash_key),
        T(test_hash_key_differs_between_stores),
        T(test_client_roundtrip),
        T(test_client_flags),
        T(test_client_lifetimes),
        T(test_client_duplicate),
        T(test_client_missing),
        T(test_client_list_order),
        T(test_client_disable),
        T(test_client_set_secret),
        T(test_client_delete_cascade),
        T(test_client_unknown_tenant),
        T(test_users),
        T(test_user_updates),
        T(test_user_claims),
        T(test_user_duplicates),
        T(test_user_get),
        T(test_tenant_isolation),
        T(test_second_handle_sees_writes),
        T(test_concurrency),
        T(test_secret_not_stored_plain),
    };
    CONFORMANCE_RUN("store conformance", tests);
}
