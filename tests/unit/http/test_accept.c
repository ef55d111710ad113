/* Unit tests of grantd_accept_html: which Accept values ask for an HTML page (a browser's)
 * and which do not (API clients, curl, wildcards, an explicit q=0), and that malformed
 * elements are skipped rather than trusted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/request.h"

static void test_browsers_ask_for_html(void **state)
{
    (void)state;
    /* Chromium's and Firefox's navigation Accept values */
    assert_true(grantd_accept_html("text/html,application/xhtml+xml,application/xml;q=0.9,"
                                   "image/avif,image/webp,image/apng,*/*;q=0.8,"
                                   "application/signed-exchange;v=b3;q=0.7"));
    assert_true(grantd_accept_html("text/html,application/xhtml+xml,application/xml;q=0.9,"
                                   "*/*;q=0.8"));
    assert_true(grantd_accept_html("application/xhtml+xml"));
    assert_true(grantd_accept_html(" TEXT/HTML ; level=1 ; q=0.5"));
    assert_true(grantd_accept_html("application/json, text/html;q=0.1"));
    assert_true(grantd_accept_html("text/html;q=0.001"));
    assert_true(grantd_accept_html(",,;, text/html"));
}

static void test_api_clients_do_not(void **state)
{
    (void)state;
    assert_false(grantd_accept_html(NULL));
    assert_false(grantd_accept_html(""));
    assert_false(grantd_accept_html("*/*"));       /* curl, python-requests */
    assert_false(grantd_accept_html("text/*"));
    assert_false(grantd_accept_html("application/json"));
    assert_false(grantd_accept_html("text/html;q=0"));
    assert_false(grantd_accept_html("text/html; q=0.000"));
    assert_false(grantd_accept_html("text/html;Q=0.0, application/json"));
    assert_false(grantd_accept_html("text/htmlx"));
    assert_false(grantd_accept_html("xtext/html"));
    assert_false(grantd_accept_html("text/html-ish;q=1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browsers_ask_for_html),
        cmocka_unit_test(test_api_clients_do_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
