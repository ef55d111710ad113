/* Unit tests of http/deadline.c on socket pairs: a late phase is cut (408 for headers and
 * body, a bare close before a request line), counted, and never once its connection has
 * moved on; a cut connection stays cut. Real time, about a second per case (the watcher
 * runs on the monotonic clock, which the test clock does not move). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/deadline.h"

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* What the peer of a cut socket reads: the answer up to the close. */
static size_t read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t got;
    while (n + 1 < cap && (got = read(fd, buf + n, cap - 1 - n)) > 0)
        n += (size_t)got;
    buf[n] = '\0';
    return n;
}

static void test_late_headers_get_408_and_are_counted(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    uint64_t h0, b0, h1, b1;
    grantd_deadlines_counts(&h0, &b0);
    struct grantd_deadlines *d = grantd_deadlines_new(30, 1, 30);
    struct grantd_watch *w = grantd_watch_add(d, sv[0], "127.0.0.1");
    grantd_watch_request_line(w);
    nap_ms(1000 + 3 * GRANTD_DEADLINE_TICK_MS);
    assert_true(grantd_watch_was_cut(w));
    assert_int_equal(grantd_watch_headers_done(w), 0); /* too late to go on */
    assert_int_equal(grantd_watch_body_done(w), 0);
    grantd_watch_answered(w);
    assert_true(grantd_watch_was_cut(w)); /* cut stays cut */
    char buf[1024];
    read_all(sv[1], buf, sizeof(buf));
    assert_non_null(strstr(buf, "HTTP/1.1 408 Request Timeout\r\n"));
    assert_non_null(strstr(buf, "the request headers did not arrive in time"));
    grantd_deadlines_counts(&h1, &b1);
    assert_int_equal(h1, h0 + 1);
    assert_int_equal(b1, b0);
    grantd_watch_remove(d, w);
    grantd_deadlines_free(d);
    close(sv[0]);
    close(sv[1]);
}

static void test_late_body_gets_408(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    uint64_t h0, b0, h1, b1;
    grantd_deadlines_counts(&h0, &b0);
    struct grantd_deadlines *d = grantd_deadlines_new(30, 30, 1);
    struct grantd_watch *w = grantd_watch_add(d, sv[0], "::1");
    grantd_watch_request_line(w);
    assert_int_equal(grantd_watch_headers_done(w), 1);
    nap_ms(1000 + 3 * GRANTD_DEADLINE_TICK_MS);
    assert_true(grantd_watch_was_cut(w));
    char buf[1024];
    read_all(sv[1], buf, sizeof(buf));
    assert_non_null(strstr(buf, "the request body did not arrive in time"));
    grantd_deadlines_counts(&h1, &b1);
    assert_int_equal(b1, b0 + 1);
    assert_int_equal(h1, h0);
    grantd_deadlines_free(d); /* frees the watch left behind */
    close(sv[0]);
    close(sv[1]);
}

/* A request in its handler, or one that keeps moving, is never cut; each phase has its own
 * clock, so a keep-alive connection lives longer than any one deadline. */
static void test_phases_that_move_on_are_not_cut(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct grantd_deadlines *d = grantd_deadlines_new(1, 1, 1);
    struct grantd_watch *w = grantd_watch_add(d, sv[0], "127.0.0.1");
    for (int i = 0; i < 2; i++) {
        grantd_watch_request_line(w);
        nap_ms(600);
        assert_int_equal(grantd_watch_headers_done(w), 1);
        nap_ms(600);
        assert_int_equal(grantd_watch_body_done(w), 1);
        nap_ms(1000 + 3 * GRANTD_DEADLINE_TICK_MS); /* a slow handler */
        assert_false(grantd_watch_was_cut(w));
        grantd_watch_answered(w);
    }
    grantd_watch_remove(d, w);
    grantd_deadlines_free(d);
    close(sv[0]);
    close(sv[1]);
}

/* Before a request line: closed without an answer after idle + 1 s. */
static void test_no_request_line_is_closed_unanswered(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct grantd_deadlines *d = grantd_deadlines_new(1, 30, 30);
    struct grantd_watch *w = grantd_watch_add(d, sv[0], "127.0.0.1");
    nap_ms(1000);
    assert_false(grantd_watch_was_cut(w));
    nap_ms(1000 + 3 * GRANTD_DEADLINE_TICK_MS);
    assert_true(grantd_watch_was_cut(w));
    char buf[64];
    assert_int_equal(read_all(sv[1], buf, sizeof(buf)), 0);
    grantd_watch_remove(d, w);
    grantd_deadlines_free(d);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_headers_get_408_and_are_counted),
        cmocka_unit_test(test_late_body_gets_408),
        cmocka_unit_test(test_phases_that_move_on_are_not_cut),
        cmocka_unit_test(test_no_request_line_is_closed_unanswered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
