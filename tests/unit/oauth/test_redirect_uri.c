/* Unit tests of the redirect URI registration rules: each rule and its near misses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "oauth/redirect_uri.h"

static void ok(const char *uri)
{
    const char *why = NULL;
    grantd_rc rc = grantd_redirect_uri_check_registration(uri, 0, &why);
    if (rc != GRANTD_OK)
        fail_msg("'%s' refused: %s", uri, why);
}

/* Refused, with a reason containing needle. */
static void bad(const char *uri, const char *needle)
{
    const char *why = NULL;
    grantd_rc rc = grantd_redirect_uri_check_registration(uri, 0, &why);
    if (rc == GRANTD_OK)
        fail_msg("'%s' accepted", uri);
    if (!why || !strstr(why, needle))
        fail_msg("'%s': reason '%s' lacks '%s'", uri, why ? why : "(null)", needle);
}

static void test_accepts_ordinary_uris(void **state)
{
    ok("https://app.example.com/callback");
    ok("https://app.example.com");
    ok("https://app.example.com:8443/cb?tenant=a&x=%2F");
    ok("https://[2001:db8::1]:443/cb");
    ok("https://xn--bcher-kva.example/cb");
    ok("HTTPS://app.example.com/cb");
}

static void test_private_use_schemes(void **state)
{
    ok("com.example.app:/oauth2redirect");
    ok("com.example.app:/cb?x=1");
    ok("myapp://callback");
    ok("urn:ietf:wg:oauth:2.0:oob");
    bad("com.example.app:", "nothing after its scheme");
    bad("myapp://user@callback", "userinfo");
}

static void test_absolute(void **state)
{
    bad("", "empty");
    bad("/callback", "absolute");
    bad("//app.example.com/cb", "absolute");
    bad("app.example.com/cb", "absolute");
    bad("1app:/cb", "absolute");
    bad(":/cb", "absolute");
    const char *why = "unchanged";
    assert_int_equal(grantd_redirect_uri_check_registration(NULL, 0, &why), GRANTD_EINVAL);
    assert_int_equal(grantd_redirect_uri_check_registration("x", 0, NULL), GRANTD_EINVAL);
}

static void test_fragment(void **state)
{
    bad("https://app.example.com/cb#", "fragment");
    bad("https://app.example.com/cb#frag", "fragment");
    bad("com.example.app:/cb#x", "fragment");
    ok("https://app.example.com/cb%23frag"); /* an escaped '#' is path data */
}

static void test_userinfo(void **state)
{
    bad("https://user@app.example.com/cb", "userinfo");
    bad("https://user:pw@app.example.com/cb", "userinfo");
    bad("https://@app.example.com/cb", "userinfo");
    bad("https://app.example.com@evil.example/cb", "userinfo");
    ok("https://app.example.com/cb?email=a@b.example"); /* '@' after the authority */
    ok("https://app.example.com/@user/cb");
}

static void test_backslash(void **state)
{
    bad("https://app.example.com\\@evil.example/cb", "backslash");
    bad("https:\\\\evil.example/cb", "backslash");
    bad("https://app.example.com/cb\\", "backslash");
    ok("https://app.example.com/cb%5C");
}

static void test_whitespace_and_control(void **state)
{
    bad("https://app.example.com/c b", "whitespace");
    bad(" https://app.example.com/cb", "whitespace");
    bad("https://app.example.com/cb ", "whitespace");
    bad("https://app.example.com/cb\t", "whitespace");
    bad("https://app.example.com/cb\r\nSet-Cookie:x", "whitespace");
    bad("https://app.example.com/\x01", "control");
    bad("https://app.example.com/\x7f", "control");
    bad("https://app.example.com/caf\xc3\xa9", "ASCII");
    bad("https://app.example.com/\"><script>", "not allowed");
    bad("https://app.example.com/{x}", "not allowed");
    bad("https://app.example.com/%zz", "percent");
    bad("https://app.example.com/%2", "percent");
    ok("https://app.example.com/%2f%2F");
}

static void test_dangerous_schemes(void **state)
{
    bad("javascript:alert(1)", "forbidden scheme");
    bad("JavaScript:alert(1)", "forbidden scheme");
    bad("JAVASCRIPT://%0aalert(1)", "forbidden scheme");
    bad("data:text/html,hi", "forbidden scheme");
    bad("DaTa:text/html,hi", "forbidden scheme");
    bad("vbscript:msgbox", "forbidden scheme");
    bad("VBScript:msgbox", "forbidden scheme");
    bad("file:///etc/passwd", "forbidden scheme");
    bad("FILE://host/share", "forbidden scheme");
    /* near misses: schemes that merely start or end like a forbidden one */
    ok("javascripts:/cb");
    ok("data.example:/cb");
    ok("com.example.file:/cb");
    ok("files://cb");
}

static void test_http_loopback_only(void **state)
{
    ok("http://127.0.0.1/cb");
    ok("http://127.0.0.1:51004/cb");
    ok("http://[::1]/cb");
    ok("http://[::1]:8080/cb");
    ok("http://localhost/cb");
    ok("http://localhost:3000/cb?x=1");
    bad("http://app.example.com/cb", "only for 127.0.0.1");
    bad("HTTP://app.example.com/cb", "only for 127.0.0.1");
    bad("http://127.0.0.2/cb", "only for");
    bad("http://127.0.0.1.evil.example/cb", "only for");
    bad("http://localhost.evil.example/cb", "only for");
    bad("http://evillocalhost/cb", "only for");
    bad("http://LOCALHOST/cb", "only for");
    bad("http://[::2]/cb", "only for");
    bad("http://[0:0:0:0:0:0:0:1]/cb", "only for");
    bad("http://127.0.0.1@evil.example/cb", "userinfo");
}

static void test_allow_insecure_http(void **state)
{
    const char *why = NULL;
    assert_int_equal(grantd_redirect_uri_check_registration("http://app.test/cb", 1, &why),
                     GRANTD_OK);
    /* every other rule still holds */
    assert_int_equal(grantd_redirect_uri_check_registration("http://app.test/cb#x", 1, &why),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_redirect_uri_check_registration("http:///cb", 1, &why),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_redirect_uri_check_registration("javascript:x", 1, &why),
                     GRANTD_EINVAL);
}

static void test_host_and_port(void **state)
{
    bad("https:///cb", "must have a host");
    bad("https://", "must have a host");
    bad("https://:443/cb", "must have a host");
    bad("https://[]/cb", "must have a host");
    bad("https:/cb", "must have a host");
    bad("https:cb", "must have a host");
    bad("http:", "nothing after its scheme");
    bad("https://app.example.com:/cb", "port");
    bad("https://app.example.com:0/cb", "port");
    bad("https://app.example.com:65536/cb", "port");
    bad("https://app.example.com:8o/cb", "port");
    bad("https://a:1:2/cb", "port");
    ok("https://app.example.com:65535/cb");
    bad("https://[::1/cb", "unterminated");
    bad("https://a]b/cb", "brackets");
    bad("https://app.example.com/[cb]", "brackets");
    bad("com.example.app:/[x]", "brackets");
}

static void test_length(void **state)
{
    char uri[GRANTD_REDIRECT_URI_MAX + 2];
    const char *why = NULL;
    memset(uri, 'a', sizeof(uri));
    memcpy(uri, "https://a.example/", 18);
    uri[GRANTD_REDIRECT_URI_MAX] = '\0';
    assert_int_equal(grantd_redirect_uri_check_registration(uri, 0, &why), GRANTD_OK);
    uri[GRANTD_REDIRECT_URI_MAX] = 'a';
    uri[GRANTD_REDIRECT_URI_MAX + 1] = '\0';
    assert_int_equal(grantd_redirect_uri_check_registration(uri, 0, &why), GRANTD_ETOOBIG);
    assert_non_null(strstr(why, "longer than"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_ordinary_uris),
        cmocka_unit_test(test_private_use_schemes),
        cmocka_unit_test(test_absolute),
        cmocka_unit_test(test_fragment),
        cmocka_unit_test(test_userinfo),
        cmocka_unit_test(test_backslash),
        cmocka_unit_test(test_whitespace_and_control),
        cmocka_unit_test(test_dangerous_schemes),
        cmocka_unit_test(test_http_loopback_only),
        cmocka_unit_test(test_allow_insecure_http),
        cmocka_unit_test(test_host_and_port),
        cmocka_unit_test(test_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
