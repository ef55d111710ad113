/* Unit tests of core/password_policy.c: what a new password must be (length in code points,
 * not the username, no runs, not on the built-in list nor the passwords.blocklist file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/password_policy.h"

static const char *check(const struct grantd_config *cfg, const char *user, const char *pw)
{
    static char why[320];
    return grantd_password_policy_check(cfg, user, pw, why, sizeof(why));
}

static void test_the_built_in_list_is_sorted_lowercase(void **state)
{
    (void)state;
    assert_true(grantd_password_common_count > 300);
    for (size_t i = 0; i < grantd_password_common_count; i++) {
        for (const char *c = grantd_password_common[i]; *c; c++)
            assert_false(*c >= 'A' && *c <= 'Z');
        if (i > 0)
            assert_true(strcmp(grantd_password_common[i - 1], grantd_password_common[i]) < 0);
    }
}

static void test_defaults(void **state)
{
    struct grantd_config cfg;
    (void)state;
    grantd_config_defaults(&cfg);
    assert_int_equal(cfg.passwords.min_length, 8);
    /* what the issue found accepted */
    assert_string_equal(check(&cfg, "alice", "a"), "is too short: at least 8 characters");
    assert_non_null(check(&cfg, "alice", ""));
    assert_non_null(check(&cfg, "alice", "1234567"));
    /* common ones, in any case, with digits or punctuation after them */
    assert_string_equal(check(&cfg, "alice", "password"),
                        "is one of the most common passwords: choose another");
    assert_non_null(check(&cfg, "alice", "PassWord123!"));
    assert_non_null(check(&cfg, "alice", "qwertyuiop"));
    assert_non_null(check(&cfg, "alice", "wachtwoord1"));
    /* runs and the username */
    assert_non_null(check(&cfg, "alice", "aaaaaaaaaaaa"));
    assert_non_null(check(&cfg, "alice", "98765432"));
    assert_non_null(check(&cfg, "alice", "abcdefghij"));
    assert_string_equal(check(&cfg, "Alexander", "alexander"), "must not be the username");
    /* what passes: eight characters, a passphrase, eight non-ASCII characters (16 bytes),
     * 1024 bytes; no composition rules */
    assert_null(check(&cfg, "alice", "tulip-42"));
    assert_null(check(&cfg, "alice", "correct horse battery staple"));
    assert_null(check(&cfg, "alice", "\xc3\xa9\xc3\xa9\xc3\xa0\xc3\xa0\xc3\xbc\xc3\xbc"
                                     "\xc3\xb6\xc3\xb6"));
    assert_non_null(check(&cfg, "alice", "\xc3\xa9\xc3\xa9\xc3\xa0\xc3\xa0\xc3\xbc\xc3\xbc"
                                         "\xc3\xb6"));
    char *long_pw = malloc(1026);
    for (int i = 0; i < 1024; i++)
        long_pw[i] = (char)('a' + (i * 7) % 26);
    long_pw[1024] = '\0';
    assert_null(check(&cfg, "alice", long_pw));
    long_pw[1024] = 'x';
    long_pw[1025] = '\0';
    assert_string_equal(check(&cfg, "alice", long_pw), "is longer than 1024 bytes");
    free(long_pw);
    grantd_config_free(&cfg);
}

static void test_min_length_and_blocklist_file(void **state)
{
    struct grantd_config cfg;
    char path[] = "/tmp/grantd-blocklist-XXXXXX";
    (void)state;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("Tulip-42\r\nsunflower seeds\n\n", f);
    fclose(f);
    grantd_config_defaults(&cfg);
    cfg.passwords.min_length = 12;
    assert_string_equal(check(&cfg, NULL, "tulip-42-ab"), "is too short: at least 12 characters");
    cfg.passwords.min_length = 8;
    cfg.passwords.blocklist = strdup(path);
    assert_string_equal(check(&cfg, NULL, "TULIP-42"),
                        "is on the list of refused passwords: choose another");
    assert_non_null(check(&cfg, NULL, "sunflower seeds"));
    assert_null(check(&cfg, NULL, "sunflower seed"));
    unlink(path);
    /* a list that cannot be read refuses every password rather than check none */
    free(cfg.passwords.blocklist);
    cfg.passwords.blocklist = strdup("/nonexistent/grantd-blocklist");
    const char *why = check(&cfg, NULL, "correct horse battery staple");
    assert_non_null(why);
    assert_non_null(strstr(why, "/nonexistent/grantd-blocklist"));
    grantd_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_built_in_list_is_sorted_lowercase),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_min_length_and_blocklist_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
