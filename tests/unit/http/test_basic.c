/* Unit tests of grantd_basic_parse: RFC 6749 §2.3.1 client credentials in an HTTP Basic
 * header, their form-urldecoding, and every malformed shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "http/params.h"

static int setup(void **state)
{
    *state = grantd_arena_new(4096);
    return 0;
}

static int teardown(void **state)
{
    grantd_arena_free(*state);
    return 0;
}

static void expect_ok(void **state, const char *header, const char *user, const char *pass)
{
    const char *u = NULL, *p = NULL;
    assert_int_equal(grantd_basic_parse(*state, header, &u, &p), GRANTD_OK);
    assert_non_null(u);
    assert_non_null(p);
    assert_string_equal(u, user);
    assert_string_equal(p, pass);
}

static void expect_rc(void **state, const char *header, grantd_rc rc)
{
    const char *u = "unset", *p = "unset";
    assert_int_equal(grantd_basic_parse(*state, header, &u, &p), rc);
    assert_null(u);
    assert_null(p);
}

/* "Basic " + standard base64 of the n bytes at raw, malloc'd. */
static char *basic_of(const void *raw, size_t n)
{
    char *h = malloc(6 + 4 * (n / 3 + 1) + 1);
    memcpy(h, "Basic ", 6);
    EVP_EncodeBlock((unsigned char *)h + 6, raw, (int)n);
    return h;
}

static void test_rfc6749_example(void **state)
{
    expect_ok(state, "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3", "s6BhdRkqt3",
              "7Fjfp0ZBr1KtDRbnfVdmIw");
}

static void test_scheme_case_and_spaces(void **state)
{
    const char *b64 = "czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3";
    const char *forms[] = {"basic %s", "BASIC %s", "bAsIc %s", "Basic    %s", "Basic %s   "};
    char h[128];
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        snprintf(h, sizeof(h), forms[i], b64);
        expect_ok(state, h, "s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw");
    }
}

static void test_percent_encoded_parts(void **state)
{
    /* base64("my%20client:p%40ss%3Aw%2Frd%2B%26%3D") */
    expect_ok(state, "Basic bXklMjBjbGllbnQ6cCU0MHNzJTNBdyUyRnJkJTJCJTI2JTNE", "my client",
              "p@ss:w/rd+&=");
    /* base64("my+client:x"): '+' is a space in form encoding */
    expect_ok(state, "Basic bXkrY2xpZW50Ong=", "my client", "x");
    /* base64("id:two+words") */
    expect_ok(state, "Basic aWQ6dHdvK3dvcmRz", "id", "two words");
    /* base64("caf%C3%A9:s") */
    expect_ok(state, "Basic Y2FmJUMzJUE5OnM=", "caf\xc3\xa9", "s");
}

static void test_split_on_first_colon(void **state)
{
    expect_ok(state, "Basic aWQ6YTpi", "id", "a:b"); /* base64("id:a:b") */
    expect_ok(state, "Basic aWQ6", "id", "");        /* base64("id:"): empty secret */
}

static void test_not_basic(void **state)
{
    expect_rc(state, NULL, GRANTD_ENOTFOUND);
    expect_rc(state, "", GRANTD_ENOTFOUND);
    expect_rc(state, "Bearer czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3", GRANTD_ENOTFOUND);
    expect_rc(state, "Digest username=\"x\"", GRANTD_ENOTFOUND);
    expect_rc(state, "Basicx czZC", GRANTD_ENOTFOUND);
    expect_rc(state, "Bas czZC", GRANTD_ENOTFOUND);
    expect_rc(state, " Basic czZC", GRANTD_ENOTFOUND);
    expect_rc(state, "czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3", GRANTD_ENOTFOUND);
}

static void test_malformed(void **state)
{
    expect_rc(state, "Basic", GRANTD_EINVAL);
    expect_rc(state, "Basic ", GRANTD_EINVAL);
    expect_rc(state, "Basic    ", GRANTD_EINVAL);
    expect_rc(state, "Basic !!!!", GRANTD_EINVAL);
    expect_rc(state, "Basic czZC aGRS", GRANTD_EINVAL);  /* a space inside the token */
    expect_rc(state, "Basic czZCaGRSa3F0", GRANTD_EINVAL);   /* "s6BhdRkqt": no colon */
    expect_rc(state, "Basic czZCa", GRANTD_EINVAL);      /* impossible length */
    expect_rc(state, "Basic aWQ6YT-_", GRANTD_EINVAL);   /* base64url alphabet */
    expect_rc(state, "Basic Zh==", GRANTD_EINVAL);       /* non-zero trailing bits */
    expect_rc(state, "Basic bm9jb2xvbg==", GRANTD_EINVAL); /* "nocolon" */
    expect_rc(state, "Basic OnNlY3JldA==", GRANTD_EINVAL); /* ":secret": empty id */
    expect_rc(state, "Basic JXp6Ong=", GRANTD_EINVAL);   /* "%zz:x" */
    expect_rc(state, "Basic aWQ6JQ==", GRANTD_EINVAL);   /* "id:%" */
    expect_rc(state, "Basic YSUwMDpi", GRANTD_EINVAL);   /* "a%00:b" */
    expect_rc(state, "Basic YQA6Yg==", GRANTD_EINVAL);   /* "a\0:b" */
}

static void test_caps(void **state)
{
    size_t n = GRANTD_DEFAULT_MAX_VALUE_LEN;
    char *raw = malloc(3 * (2 * n + 2) + 1);
    /* id and secret exactly at the cap */
    memset(raw, 'i', n);
    raw[n] = ':';
    memset(raw + n + 1, 's', n);
    char *h = basic_of(raw, 2 * n + 1);
    const char *u, *p;
    assert_int_equal(grantd_basic_parse(*state, h, &u, &p), GRANTD_OK);
    assert_int_equal(strlen(u), n);
    assert_int_equal(strlen(p), n);
    free(h);
    /* one over, on either side */
    memset(raw, 'i', n + 1);
    raw[n + 1] = ':';
    raw[n + 2] = 's';
    h = basic_of(raw, n + 3);
    expect_rc(state, h, GRANTD_EINVAL);
    free(h);
    memcpy(raw, "i:", 2);
    memset(raw + 2, 's', n + 1);
    h = basic_of(raw, n + 3);
    expect_rc(state, h, GRANTD_EINVAL);
    free(h);
    /* both at the cap with every byte percent-encoded: the longest valid header */
    size_t o = 0;
    for (size_t i = 0; i < n; i++, o += 3)
        memcpy(raw + o, "%41", 3);
    raw[o++] = ':';
    for (size_t i = 0; i < n; i++, o += 3)
        memcpy(raw + o, "%42", 3);
    h = basic_of(raw, o);
    assert_int_equal(grantd_basic_parse(*state, h, &u, &p), GRANTD_OK);
    assert_int_equal(strlen(u), n);
    assert_int_equal(u[0], 'A');
    assert_int_equal(p[n - 1], 'B');
    free(h);
    /* and one byte more (still fine for base64) is over */
    raw[o++] = 'x';
    h = basic_of(raw, o);
    expect_rc(state, h, GRANTD_EINVAL);
    free(h);
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rfc6749_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scheme_case_and_spaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_percent_encoded_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_on_first_colon, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
