/* The store conformance suite, rate-limit counters (store.h version 7; issue 16): limit_add
 * counts in a window that opens at the first event and ends window seconds later, answers
 * the count with this call's events and the time of the event before them, starts over
 * after the window, reads without writing for add 0, keeps tenants and keys apart, counts
 * every add of several threads and of two handles ("two instances") on one database, and
 * limit_clear and purge_expired forget counters. The fixture and the modes are in
 * conformance.h. */
#include "conformance.h"

static struct grantd_limit add(struct fx *f, struct grantd_store *s, const char *key, int64_t n,
                               int64_t window, int64_t now)
{
    struct grantd_limit l;
    assert_int_equal(grantd_store_limit_add(s, f->tenant, key, n, window, now, &l), GRANTD_OK);
    return l;
}

/* Counts grow inside the window; prev is the event before this call's. */
static void test_counts_in_a_window(void **state)
{
    struct fx *f = *state;
    const char *key = uid(f->a, "login");
    struct grantd_limit l = add(f, f->s, key, 0, 60, NOW);
    assert_int_equal(l.count, 0);
    assert_int_equal(l.since, 0);
    l = add(f, f->s, key, 1, 60, NOW);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.since, NOW);
    assert_int_equal(l.prev, 0);
    l = add(f, f->s, key, 1, 60, NOW + 5);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.since, NOW);
    assert_int_equal(l.prev, NOW);
    l = add(f, f->s, key, 3, 60, NOW + 9);
    assert_int_equal(l.count, 5);
    assert_int_equal(l.prev, NOW + 5);
    /* a read answers the same and writes nothing */
    l = add(f, f->s, key, 0, 60, NOW + 10);
    assert_int_equal(l.count, 5);
    assert_int_equal(l.since, NOW);
    assert_int_equal(l.prev, NOW + 9);
    l = add(f, f->s, key, 0, 60, NOW + 10);
    assert_int_equal(l.count, 5);
}

/* At the window's end the counter is 0; the next event opens a new window at its time. */
static void test_window_ends(void **state)
{
    struct fx *f = *state;
    const char *key = uid(f->a, "client");
    add(f, f->s, key, 4, 30, NOW);
    assert_int_equal(add(f, f->s, key, 0, 30, NOW + 29).count, 4);
    assert_int_equal(add(f, f->s, key, 0, 30, NOW + 30).count, 0);
    struct grantd_limit l = add(f, f->s, key, 1, 30, NOW + 31);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.since, NOW + 31);
    assert_int_equal(l.prev, 0);
    assert_int_equal(add(f, f->s, key, 1, 30, NOW + 60).count, 2);
    assert_int_equal(add(f, f->s, key, 1, 30, NOW + 61).count, 1);
}

/* Keys and tenants are separate counters; clear forgets one key only. */
static void test_keys_tenants_and_clear(void **state)
{
    struct fx *f = *state;
    const char *k1 = uid(f->a, "k1"), *k2 = uid(f->a, "k2");
    add(f, f->s, k1, 2, 60, NOW);
    add(f, f->s, k2, 7, 60, NOW);
    struct grantd_limit l;
    assert_int_equal(grantd_store_limit_add(f->s, GRANTD_DEFAULT_TENANT, k1, 0, 60, NOW, &l),
                     GRANTD_OK);
    assert_int_equal(l.count, 0);
    assert_int_equal(grantd_store_limit_clear(f->s, f->tenant, k1), GRANTD_OK);
    assert_int_equal(add(f, f->s, k1, 0, 60, NOW).count, 0);
    assert_int_equal(add(f, f->s, k2, 0, 60, NOW).count, 7);
    assert_int_equal(grantd_store_limit_clear(f->s, f->tenant, k1), GRANTD_OK); /* none */
    assert_int_equal(add(f, f->s, k1, 1, 60, NOW + 1).count, 1);
}

static void test_arguments_checked(void **state)
{
    struct fx *f = *state;
    struct grantd_limit l;
    char long_key[GRANTD_LIMIT_KEY_MAX + 2];
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    assert_int_equal(grantd_store_limit_add(f->s, f->tenant, "", 1, 60, NOW, &l), GRANTD_EINVAL);
    assert_int_equal(grantd_store_limit_add(f->s, f->tenant, NULL, 1, 60, NOW, &l),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_store_limit_add(f->s, f->tenant, long_key, 1, 60, NOW, &l),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_store_limit_add(f->s, f->tenant, "k", -1, 60, NOW, &l),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_store_limit_add(f->s, f->tenant, "k", 1, 0, NOW, &l), GRANTD_EINVAL);
    assert_int_equal(grantd_store_limit_clear(f->s, f->tenant, long_key), GRANTD_EINVAL);
    long_key[GRANTD_LIMIT_KEY_MAX] = '\0'; /* the longest allowed */
    assert_int_equal(grantd_store_limit_add(f->s, f->tenant, long_key, 1, 60, NOW, &l),
                     GRANTD_OK);
    assert_int_equal(l.count, 1);
}

/* Counting moves neither generation: no cache drops what it knew for a failed login. */
static void test_counting_is_not_a_change(void **state)
{
    struct fx *f = *state;
    uint64_t g = grantd_store_generation(f->s), cg = grantd_store_client_generation(f->s);
    const char *key = uid(f->a, "gen");
    add(f, f->s, key, 1, 60, NOW);
    assert_int_equal(grantd_store_limit_clear(f->s, f->tenant, key), GRANTD_OK);
    assert_true(grantd_store_generation(f->s) == g);
    assert_true(grantd_store_client_generation(f->s) == cg);
}

/* purge_expired deletes ended windows (before `before`) and keeps open ones. */
static void test_purge_forgets_ended_windows(void **state)
{
    struct fx *f = *state;
    const char *old = uid(f->a, "old"), *live = uid(f->a, "live");
    add(f, f->s, old, 3, 10, NOW);
    add(f, f->s, live, 3, 1000, NOW);
    size_t deleted = 0;
    assert_int_equal(grantd_store_purge_expired(f->s, NOW + 20, NOW + 20, &deleted), GRANTD_OK);
    assert_int_equal(add(f, f->s, live, 0, 1000, NOW + 20).count, 3);
    /* a window that ended is 0 with or without its row; a new one starts at 1 */
    struct grantd_limit l = add(f, f->s, old, 1, 10, NOW + 21);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.since, NOW + 21);
}

/* ---- several threads, two handles ------------------------------------------------------ */

#define THREADS 4
#define ADDS 25

struct adder {
    struct fx *f;
    struct grantd_store *s;
    const char *key;
    int64_t seen[ADDS];
    grantd_rc rc;
};

static void *adder_thread(void *arg)
{
    struct adder *x = arg;
    for (int i = 0; i < ADDS && x->rc == GRANTD_OK; i++) {
        struct grantd_limit l;
        x->rc = grantd_store_limit_add(x->s, x->f->tenant, x->key, 1, 600, NOW, &l);
        x->seen[i] = l.count;
    }
    return NULL;
}

/* Two handles (two server instances) and two threads on each add to one counter at once:
 * none is lost, and every add saw a different count. */
static void test_two_instances_count_together(void **state)
{
    struct fx *f = *state;
    struct grantd_store *other = mode == MODE_MEMORY ? f->s : open_url(f->url);
    const char *key = uid(f->a, "shared");
    struct adder x[THREADS];
    pthread_t tid[THREADS];
    for (int i = 0; i < THREADS; i++) {
        x[i] = (struct adder){.f = f, .s = i % 2 ? other : f->s, .key = key, .rc = GRANTD_OK};
        assert_int_equal(pthread_create(&tid[i], NULL, adder_thread, &x[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(tid[i], NULL);
    char seen[THREADS * ADDS + 1] = {0};
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(x[i].rc, GRANTD_OK);
        for (int j = 0; j < ADDS; j++) {
            assert_true(x[i].seen[j] >= 1 && x[i].seen[j] <= THREADS * ADDS);
            assert_int_equal(seen[x[i].seen[j]], 0);
            seen[x[i].seen[j]] = 1;
        }
    }
    struct grantd_limit l;
    assert_int_equal(grantd_store_limit_add(other, f->tenant, key, 0, 600, NOW, &l), GRANTD_OK);
    assert_int_equal(l.count, THREADS * ADDS);
    assert_int_equal(add(f, f->s, key, 0, 600, NOW).count, THREADS * ADDS);
    /* what one instance clears, the other no longer counts */
    assert_int_equal(grantd_store_limit_clear(other, f->tenant, key), GRANTD_OK);
    assert_int_equal(add(f, f->s, key, 0, 600, NOW).count, 0);
    if (other != f->s)
        grantd_store_close(other);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_counts_in_a_window),
        T(test_window_ends),
        T(test_keys_tenants_and_clear),
        T(test_arguments_checked),
        T(test_counting_is_not_a_change),
        T(test_purge_forgets_ended_windows),
        T(test_two_instances_count_together),
    };
    CONFORMANCE_RUN("store conformance: rate-limit counters", tests);
}
