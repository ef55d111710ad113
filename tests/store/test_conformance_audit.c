/* Store conformance: the audit trail (audit_begin, audit_end, audit_list; issue 13 item 6).
 * A change and its entry are stored together or not at all: what a unit wrote is undone
 * when the change failed, a failed write inside a unit leaves nothing of its own, entries
 * are listed by target, tenant or all, oldest first after a seq or newest first before one,
 * and other threads' writes wait for a unit and then succeed.
 *
 * Not here: who records what (tests/integration/test_audit.py). */
#include "conformance.h"

static struct grantd_audit entry(struct fx *f, const char *action, const char *kind,
                                 const char *id, int64_t at)
{
    struct grantd_audit e = {.tenant = f->tenant, .at = at, .actor_kind = "cli",
                             .actor_id = "1000", .actor_name = "ops", .action = action,
                             .target_kind = kind, .target_id = id,
                             .details = "{\"members\":[\"client_name\"]}"};
    return e;
}

static size_t count_target(struct fx *f, const char *kind, const char *id)
{
    struct grantd_audit_query q = {.tenant = f->tenant, .target_kind = kind, .target_id = id,
                                   .limit = 100};
    struct grantd_audit *list = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_audit_list(f->s, f->a, &q, &list, &n), GRANTD_OK);
    return n;
}

static void test_audit_unit_commits(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 2), got;
    uint64_t gen = grantd_store_client_generation(f->s);
    assert_int_equal(grantd_store_audit_begin(f->s), GRANTD_OK);
    grantd_rc rc = grantd_store_client_put(f->s, &c);
    if (rc == GRANTD_OK)
        rc = grantd_store_client_set_disabled(f->s, f->tenant, c.id, 1, NOW_US);
    struct grantd_audit e = entry(f, "client.create", "client", c.id, NOW);
    assert_int_equal(grantd_store_audit_end(f->s, &e, rc), GRANTD_OK);
    assert_true(grantd_store_client_generation(f->s) != gen);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_true(got.disabled);
    struct grantd_audit_query q = {.tenant = f->tenant, .target_kind = "client",
                                   .target_id = c.id, .limit = 10};
    struct grantd_audit *list = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_audit_list(f->s, f->a, &q, &list, &n), GRANTD_OK);
    assert_int_equal(n, 1);
    assert_true(list[0].seq > 0);
    assert_int_equal(list[0].tenant, f->tenant);
    assert_int_equal(list[0].at, NOW);
    assert_string_equal(list[0].actor_kind, "cli");
    assert_string_equal(list[0].actor_id, "1000");
    assert_string_equal(list[0].actor_name, "ops");
    assert_string_equal(list[0].action, "client.create");
    assert_string_equal(list[0].target_kind, "client");
    assert_string_equal(list[0].target_id, c.id);
    assert_string_equal(list[0].details, "{\"members\":[\"client_name\"]}");
}

/* A change that fails halfway: the write before the failure is undone, no entry. */
static void test_audit_failed_change_stores_nothing(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1), got;
    struct grantd_user u = make_user(f, uid(f->a, "ghost"));
    assert_int_equal(grantd_store_audit_begin(f->s), GRANTD_OK);
    grantd_rc rc = grantd_store_client_put(f->s, &c);
    assert_int_equal(rc, GRANTD_OK);
    rc = grantd_store_user_update(f->s, &u, NOW); /* no such user */
    assert_int_equal(rc, GRANTD_ENOTFOUND);
    struct grantd_audit e = entry(f, "client.create", "client", c.id, NOW);
    assert_int_equal(grantd_store_audit_end(f->s, &e, rc), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got),
                     GRANTD_ENOTFOUND);
    assert_int_equal(count_target(f, "client", c.id), 0);
    /* an entry the store cannot take (no time) undoes the change too */
    assert_int_equal(grantd_store_audit_begin(f->s), GRANTD_OK);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    e.at = 0;
    assert_int_equal(grantd_store_audit_end(f->s, &e, GRANTD_OK), GRANTD_EINVAL);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got),
                     GRANTD_ENOTFOUND);
    /* and the store takes writes as before afterwards */
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
}

static grantd_rc fail_audit_end(struct grantd_store *s, const char *op)
{
    (void)s;
    return strcmp(op, "audit_end") == 0 ? GRANTD_EBUSY : GRANTD_OK;
}

/* When the entry cannot be recorded (here: the store's fault hook at audit_end), the change
 * is undone with it, and the store is free for writes afterwards. */
static void test_audit_unrecorded_change_is_undone(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1), got;
    assert_int_equal(grantd_store_audit_begin(f->s), GRANTD_OK);
    grantd_rc rc = grantd_store_client_put(f->s, &c);
    struct grantd_audit e = entry(f, "client.create", "client", c.id, NOW);
    f->s->fault = fail_audit_end;
    assert_int_equal(grantd_store_audit_end(f->s, &e, rc), GRANTD_EBUSY);
    f->s->fault = NULL;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got),
                     GRANTD_ENOTFOUND);
    assert_int_equal(count_target(f, "client", c.id), 0);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
}

/* A write that fails inside a unit leaves nothing of its own; the unit goes on. */
static void test_audit_failed_write_alone(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 2), got;
    assert_int_equal(grantd_store_audit_begin(f->s), GRANTD_OK);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_client again = c;
    again.name = "Other";
    assert_int_equal(grantd_store_client_put(f->s, &again), GRANTD_EEXIST);
    struct grantd_audit e = entry(f, "client.create", "client", c.id, NOW);
    assert_int_equal(grantd_store_audit_end(f->s, &e, GRANTD_OK), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_client_equal(&c, &got);
    assert_int_equal(count_target(f, "client", c.id), 1);
    /* units do not nest: the inner begin is refused, the outer one still ends */
    assert_int_equal(grantd_store_audit_begin(f->s), GRANTD_OK);
    assert_int_equal(grantd_store_audit_begin(f->s), GRANTD_EINVAL);
    assert_int_equal(grantd_store_audit_end(f->s, &e, GRANTD_OK), GRANTD_OK);
    assert_int_equal(count_target(f, "client", c.id), 2);
}

static void put_entries(struct fx *f, const char *a, const char *b)
{
    /* a, b, a, b, a: five entries, at NOW .. NOW + 4 */
    for (int i = 0; i < 5; i++) {
        struct grantd_audit e = entry(f, i ? "client.update" : "client.create", "client",
                                      i % 2 ? b : a, NOW + i);
        assert_int_equal(grantd_store_audit_begin(f->s), GRANTD_OK);
        assert_int_equal(grantd_store_audit_end(f->s, &e, GRANTD_OK), GRANTD_OK);
    }
}

static void test_audit_list(void **state)
{
    struct fx *f = *state;
    const char *a = uid(f->a, "a"), *b = uid(f->a, "b");
    put_entries(f, a, b);
    struct grantd_audit *list = NULL;
    size_t n = 0;
    /* one target, newest first: a's three entries, then paging before the second */
    struct grantd_audit_query q = {.tenant = f->tenant, .target_kind = "client",
                                   .target_id = a, .newest_first = 1, .limit = 10};
    assert_int_equal(grantd_store_audit_list(f->s, f->a, &q, &list, &n), GRANTD_OK);
    assert_int_equal(n, 3);
    assert_int_equal(list[0].at, NOW + 4);
    assert_int_equal(list[2].at, NOW);
    assert_true(list[0].seq > list[1].seq && list[1].seq > list[2].seq);
    q.before = list[1].seq;
    assert_int_equal(grantd_store_audit_list(f->s, f->a, &q, &list, &n), GRANTD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].action, "client.create");
    /* the tenant, oldest first, two at a time */
    struct grantd_audit_query t = {.tenant = f->tenant, .limit = 2};
    int64_t seen[5];
    size_t total = 0;
    do {
        assert_int_equal(grantd_store_audit_list(f->s, f->a, &t, &list, &n), GRANTD_OK);
        for (size_t i = 0; i < n; i++) {
            assert_true(total < 5);
            assert_true(list[i].seq > t.after);
            seen[total++] = list[i].at;
            t.after = list[i].seq;
        }
    } while (n == 2);
    assert_int_equal(total, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(seen[i], NOW + (int64_t)i);
    /* since, and every tenant (0) */
    struct grantd_audit_query s = {.tenant = f->tenant, .since = NOW + 3, .limit = 10};
    assert_int_equal(grantd_store_audit_list(f->s, f->a, &s, &list, &n), GRANTD_OK);
    assert_int_equal(n, 2);
    s.tenant = 0;
    s.since = 0;
    s.newest_first = 1;
    s.limit = 5;
    assert_int_equal(grantd_store_audit_list(f->s, f->a, &s, &list, &n), GRANTD_OK);
    assert_int_equal(n, 5); /* the newest five of the database: ours */
    assert_string_equal(list[0].target_id, a);
    /* another tenant sees none of them */
    struct grantd_audit_query o = {.tenant = GRANTD_DEFAULT_TENANT, .target_kind = "client",
                                   .target_id = a, .limit = 10};
    assert_int_equal(grantd_store_audit_list(f->s, f->a, &o, &list, &n), GRANTD_OK);
    assert_int_equal(n, 0);
    /* a target without its kind, or a target of every tenant: EINVAL */
    o.target_kind = NULL;
    assert_int_equal(grantd_store_audit_list(f->s, f->a, &o, &list, &n), GRANTD_EINVAL);
    o.target_kind = "client";
    o.tenant = 0;
    assert_int_equal(grantd_store_audit_list(f->s, f->a, &o, &list, &n), GRANTD_EINVAL);
}

struct writer_arg {
    struct fx *f;
    int rounds;
    atomic_int failures;
};

static void *other_writer(void *p)
{
    struct writer_arg *w = p;
    struct grantd_arena *a = grantd_arena_new(4096);
    for (int i = 0; i < w->rounds; i++) {
        struct grantd_client c = make_client(w->f, uid(a, "other"), 1);
        if (grantd_store_client_put(w->f->s, &c) != GRANTD_OK)
            atomic_fetch_add(&w->failures, 1);
    }
    grantd_arena_free(a);
    return NULL;
}

/* Other threads' writes wait for a unit and then succeed. */
static void test_audit_units_beside_writes(void **state)
{
    struct fx *f = *state;
    struct writer_arg w = {.f = f, .rounds = 50};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, other_writer, &w), 0);
    for (int i = 0; i < 50; i++) {
        struct grantd_client c = make_client(f, uid(f->a, "mine"), 1);
        assert_int_equal(grantd_store_audit_begin(f->s), GRANTD_OK);
        grantd_rc rc = grantd_store_client_put(f->s, &c);
        struct grantd_audit e = entry(f, "client.create", "client", c.id, NOW + i);
        assert_int_equal(grantd_store_audit_end(f->s, &e, rc), GRANTD_OK);
    }
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&w.failures), 0);
    struct grantd_client *list = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_client_list(f->s, f->a, f->tenant, &list, &n), GRANTD_OK);
    assert_int_equal(n, 100);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_audit_unit_commits),
        T(test_audit_failed_change_stores_nothing),
        T(test_audit_unrecorded_change_is_undone),
        T(test_audit_failed_write_alone),
        T(test_audit_list),
        T(test_audit_units_beside_writes),
    };
    CONFORMANCE_RUN("store conformance: the audit trail", tests);
}
