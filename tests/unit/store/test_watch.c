/* Unit tests of store/watch.c, the server's change watcher: a write through another handle
 * of the database (another process) moves the watched store's generation within
 * GRANTD_STORE_CHANGE_BOUND_MS, token inserts do not, a driver without a change sequence is
 * watched blind (the generation moves on its own), and stopping is quick. Also store.c's
 * fallback for a driver without change_wait. Two handles on one SQLite file stand in for two
 * processes. */
#include "sqlite_fixture.h"

#include "core/clock.h"
#include "store/watch.h"

extern const struct grantd_store_driver grantd_sqlite_driver;

/* Waits up to ms for the generation of s to leave gen; the milliseconds it took, or -1. */
static int64_t generation_moves(struct grantd_store *s, uint64_t gen, int ms)
{
    int64_t start = grantd_clock_mono_us();
    while (grantd_clock_mono_us() - start < (int64_t)ms * 1000) {
        if (grantd_store_generation(s) != gen)
            return (grantd_clock_mono_us() - start) / 1000;
        usleep(1000);
    }
    return -1;
}

static struct grantd_client client(const char *id)
{
    return (struct grantd_client){.tenant = 1, .id = id, .name = "n", .is_public = 1,
                                  .created_at = T0, .tokens_after = T0 * 1000000};
}

static void test_watch_sees_another_process(void **state)
{
    struct fx *f = *state;
    struct grantd_store *a = open_migrated(f->url), *b = open_migrated(f->url);
    struct grantd_client c = client("c1");
    assert_int_equal(grantd_store_client_put(b, &c), GRANTD_OK);
    struct grantd_store_watch *w = NULL;
    assert_int_equal(grantd_store_watch_start(a, &w), GRANTD_OK);
    for (int i = 0; i < 3; i++) {
        uint64_t gen = grantd_store_generation(a);
        assert_int_equal(grantd_store_client_set_disabled(b, 1, "c1", i % 2 == 0, T0 * 1000000),
                         GRANTD_OK);
        int64_t ms = generation_moves(a, gen, 2000);
        print_message("the watcher saw the change after %lld ms\n", (long long)ms);
        assert_true(ms >= 0 && ms < 1000);
    }
    grantd_store_watch_stop(w);
    grantd_store_close(b);
    grantd_store_close(a);
}

static void test_watch_ignores_token_puts(void **state)
{
    struct fx *f = *state;
    struct grantd_store *a = open_migrated(f->url), *b = open_migrated(f->url);
    struct grantd_store_watch *w = NULL;
    assert_int_equal(grantd_store_watch_start(a, &w), GRANTD_OK);
    uint64_t gen = grantd_store_generation(a);
    for (int i = 0; i < 30; i++) {
        struct grantd_token t = {.tenant = 1, .hash = {(unsigned char)i, 1},
                                 .kind = GRANTD_TOKEN_ACCESS, .client_id = "c",
                                 .family = "f", .created_at = T0};
        assert_int_equal(grantd_store_token_put(b, &t, 1), GRANTD_OK);
        usleep(10 * 1000);
    }
    assert_int_equal(grantd_store_generation(a), gen);
    int64_t start = grantd_clock_mono_us();
    grantd_store_watch_stop(w);
    assert_true(grantd_clock_mono_us() - start < 1000 * 1000); /* a turn, and a margin */
    grantd_store_close(b);
    grantd_store_close(a);
}

/* A driver without a change sequence: the watcher cannot tell what changed, so it moves the
 * generation every poll interval and no cache entry outlives the bound. */
static void test_watch_blind(void **state)
{
    struct fx *f = *state;
    struct grantd_store_driver blind = grantd_sqlite_driver;
    blind.change_seq = NULL;
    blind.change_wait = NULL;
    struct grantd_store *a = NULL;
    char err[256];
    assert_int_equal(grantd_store_open_driver(&blind, f->path, &a, err, sizeof(err)), GRANTD_OK);
    struct grantd_store_watch *w = NULL;
    assert_int_equal(grantd_store_watch_start(a, &w), GRANTD_OK);
    int64_t ms = generation_moves(a, grantd_store_generation(a), 1000);
    assert_true(ms >= 0 && ms <= GRANTD_STORE_CHANGE_BOUND_MS * 5);
    grantd_store_watch_stop(w);
    grantd_store_close(a);
}

struct waiter {
    struct grantd_store *s;
    uint64_t after, seq;
    grantd_rc rc;
};

static void *wait_thread(void *p)
{
    struct waiter *w = p;
    w->rc = grantd_store_change_wait(w->s, w->after, 5000, &w->seq);
    return NULL;
}

/* Without the driver's change_wait the wrapper polls change_seq. */
static void test_change_wait_fallback(void **state)
{
    struct fx *f = *state;
    struct grantd_store_driver polled = grantd_sqlite_driver;
    polled.change_wait = NULL;
    struct grantd_store *b = open_migrated(f->url), *a = NULL;
    char err[256];
    assert_int_equal(grantd_store_open_driver(&polled, f->path, &a, err, sizeof(err)), GRANTD_OK);
    struct waiter w = {.s = a};
    assert_int_equal(grantd_store_change_seq(a, &w.after), GRANTD_OK);
    pthread_t tid;
    assert_int_equal(pthread_create(&tid, NULL, wait_thread, &w), 0);
    usleep(30 * 1000);
    struct grantd_client c = client("c2");
    assert_int_equal(grantd_store_client_put(b, &c), GRANTD_OK);
    pthread_join(tid, NULL);
    assert_int_equal(w.rc, GRANTD_OK);
    assert_true(w.seq > w.after);
    grantd_store_close(a);
    grantd_store_close(b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_watch_sees_another_process),
        T(test_watch_ignores_token_puts),
        T(test_watch_blind),
        T(test_change_wait_fallback),
    };
    return cmocka_run_group_tests_name("store watch", tests, NULL, NULL);
}
