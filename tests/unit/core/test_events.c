/* Unit tests of core/events.c: every line carries the fixed members (null where unknown),
 * an event's own members never replace them, the thread's scope fills address and request
 * id, the file is appended to with mode 0600, and grantd_events_reopen moves to a new file
 * under the name after the old one was renamed (log rotation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/events.h"

static char dir[] = "/tmp/grantd-events-XXXXXX";
static char path[256], moved[256];

static int setup(void **state)
{
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    snprintf(moved, sizeof(moved), "%s/events.jsonl.1", dir);
    return 0;
}

static int teardown(void **state)
{
    grantd_events_close();
    unlink(path);
    unlink(moved);
    rmdir(dir);
    return 0;
}

/* The lines of file as JSON objects (up to max); their count. */
static size_t lines(const char *file, json_t **out, size_t max)
{
    FILE *f = fopen(file, "r");
    assert_non_null(f);
    char buf[4096];
    size_t n = 0;
    while (n < max && fgets(buf, sizeof(buf), f)) {
        assert_int_equal(buf[strlen(buf) - 1], '\n');
        json_error_t e;
        out[n] = json_loads(buf, 0, &e);
        if (!json_is_object(out[n]))
            fail_msg("not a JSON object: %s (%s)", buf, e.text);
        n++;
    }
    fclose(f);
    return n;
}

static void test_off_by_default(void **state)
{
    assert_false(grantd_events_on());
    struct grantd_event_who who = {.subject = "u1"};
    grantd_events_emit("login", &who, json_pack("{s:s}", "username", "alice")); /* no-op */
}

static void test_fixed_members_scope_and_reopen(void **state)
{
    char err[256];
    assert_int_equal(grantd_events_open(path, err, sizeof(err)), GRANTD_OK);
    assert_true(grantd_events_on());
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    struct grantd_event_who who = {.issuer = "https://id.example", .subject = "u1",
                                   .client = "c1", .address = "127.0.0.1",
                                   .request_id = "r-1"};
    /* "event" and "subject" of the extra members must not replace the fixed ones */
    grantd_events_emit("login", &who,
                       json_pack("{s:s,s:s,s:s}", "username", "alice", "event", "forged",
                                 "subject", "u2"));
    struct grantd_event_who scope = {.issuer = "https://id.example", .address = "10.0.0.9",
                                     .request_id = "r-2"};
    grantd_events_scope(&scope);
    struct grantd_event_who none = {0};
    grantd_events_emit("client_changed", &none, NULL);
    grantd_events_scope(NULL);

    assert_int_equal(rename(path, moved), 0);
    assert_int_equal(grantd_events_reopen(), GRANTD_OK);
    grantd_events_emit("token_revoked", &none, NULL);

    json_t *got[4];
    assert_int_equal(lines(moved, got, 4), 2);
    assert_string_equal(json_string_value(json_object_get(got[0], "event")), "login");
    assert_string_equal(json_string_value(json_object_get(got[0], "subject")), "u1");
    assert_string_equal(json_string_value(json_object_get(got[0], "username")), "alice");
    assert_string_equal(json_string_value(json_object_get(got[0], "request_id")), "r-1");
    const char *ts = json_string_value(json_object_get(got[0], "ts"));
    assert_non_null(ts);
    assert_int_equal(strlen(ts), 24); /* 2026-12-05T05:10:05.123Z */
    assert_int_equal(ts[23], 'Z');
    assert_string_equal(json_string_value(json_object_get(got[1], "address")), "10.0.0.9");
    assert_string_equal(json_string_value(json_object_get(got[1], "request_id")), "r-2");
    assert_true(json_is_null(json_object_get(got[1], "subject")));
    assert_true(json_is_null(json_object_get(got[1], "client")));
    json_decref(got[0]);
    json_decref(got[1]);

    assert_int_equal(lines(path, got, 4), 1); /* the reopened file under the name */
    assert_string_equal(json_string_value(json_object_get(got[0], "event")), "token_revoked");
    assert_true(json_is_null(json_object_get(got[0], "address"))); /* no scope any more */
    json_decref(got[0]);
}

static void test_a_file_that_cannot_be_opened(void **state)
{
    char err[256] = "";
    char bad[300];
    snprintf(bad, sizeof(bad), "%s/no/such/dir/events.jsonl", dir);
    assert_int_equal(grantd_events_open(bad, err, sizeof(err)), GRANTD_EIO);
    assert_non_null(strstr(err, "cannot open audit_events file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_by_default),
        cmocka_unit_test(test_fixed_members_scope_and_reopen),
        cmocka_unit_test(test_a_file_that_cannot_be_opened),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
