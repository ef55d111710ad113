/* Unit tests of the redirect URI rules: registration (each rule and its near misses), the
 * opt-in wildcards, matching (byte-exact, loopback port, wildcards) and resolve. */
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
    grantd_rc rc = grantd_redirect_uri_check_registration(uri, 0, 0, &why);
    if (rc != GRANTD_OK)
        fail_msg("'%s' refused: %s", uri, why);
}

/* Refused, with a reason containing needle. */
static void bad(const char *uri, const char *needle)
{
    const char *why = NULL;
    grantd_rc rc = grantd_redirect_uri_check_registration(uri, 0, 0, &why);
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
    assert_int_equal(grantd_redirect_uri_check_registration(NULL, 0, 0, &why), GRANTD_EINVAL);
    assert_int_equal(grantd_redirect_uri_check_registration("x", 0, 0, NULL), GRANTD_EINVAL);
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
    assert_int_equal(grantd_redirect_uri_check_registration("http://app.test/cb", 1, 0, &why),
                     GRANTD_OK);
    /* every other rule still holds */
    assert_int_equal(grantd_redirect_uri_check_registration("http://app.test/cb#x", 1, 0, &why),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_redirect_uri_check_registration("http:///cb", 1, 0, &why),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_redirect_uri_check_registration("javascript:x", 1, 0, &why),
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
    assert_int_equal(grantd_redirect_uri_check_registration(uri, 0, 0, &why), GRANTD_OK);
    uri[GRANTD_REDIRECT_URI_MAX] = 'a';
    uri[GRANTD_REDIRECT_URI_MAX + 1] = '\0';
    assert_int_equal(grantd_redirect_uri_check_registration(uri, 0, 0, &why), GRANTD_ETOOBIG);
    assert_non_null(strstr(why, "longer than"));
}

/* ---- wildcards at registration ---- */

static void ok_wild(const char *uri)
{
    const char *why = NULL;
    grantd_rc rc = grantd_redirect_uri_check_registration(uri, 0, 1, &why);
    if (rc != GRANTD_OK)
        fail_msg("'%s' refused with wildcards allowed: %s", uri, why);
}

/* Refused even with wildcards allowed (and with insecure http allowed), for needle. */
static void bad_wild(const char *uri, const char *needle)
{
    for (int insecure = 0; insecure <= 1; insecure++) {
        const char *why = NULL;
        grantd_rc rc = grantd_redirect_uri_check_registration(uri, insecure, 1, &why);
        if (rc == GRANTD_OK)
            fail_msg("'%s' accepted with wildcards allowed", uri);
        if (!why || !strstr(why, needle))
            fail_msg("'%s': reason '%s' lacks '%s'", uri, why ? why : "(null)", needle);
    }
}

static void test_star_refused_without_wildcard_flag(void **state)
{
    bad("https://*.example.com/cb", "must not contain '*'");
    bad("https://app.example.com/cb/*", "must not contain '*'");
    bad("https://app.example.com/cb?x=*", "must not contain '*'");
    bad("https://app.example.com/*cb", "must not contain '*'");
    bad("com.example.app:/*", "must not contain '*'");
    const char *why = NULL;
    assert_int_equal(grantd_redirect_uri_check_registration("https://*.example.com/cb", 1, 0,
                                                            &why),
                     GRANTD_EINVAL);
}

static void test_wildcard_registration_accepted(void **state)
{
    ok_wild("https://*.example.com/cb");
    ok_wild("https://*.example.com");
    ok_wild("https://*.example.com/");
    ok_wild("https://*.example.com:8443/cb?tenant=a");
    ok_wild("https://*.apps.example.co.uk/cb");
    ok_wild("https://*.xn--bcher-kva.example/cb");
    ok_wild("https://*.a-b.example9/cb");
    ok_wild("https://app.example.com/cb/*");
    ok_wild("https://app.example.com/*");
    ok_wild("https://app.example.com:8443/a/b-c/d.e_f~g/*");
    ok_wild("https://[2001:db8::1]/cb/*");
    /* without a '*' the flag changes nothing */
    ok_wild("https://app.example.com/cb");
    ok_wild("http://127.0.0.1:8080/cb");
    ok_wild("com.example.app:/cb");
}

static void test_wildcard_host_refused(void **state)
{
    bad_wild("https://*.com/cb", "at least two labels");
    bad_wild("https://*/cb", "at least two labels");
    bad_wild("https://*", "at least two labels");
    bad_wild("https://*.", "at least two labels");
    bad_wild("https://*./cb", "at least two labels");
    bad_wild("https://*:8443/cb", "at least two labels");
    bad_wild("https://*.com.:443/cb", "at least two labels");
    bad_wild("https://*.example.com./cb", "at least two labels");
    bad_wild("https://a.*.example.com/cb", "whole leftmost label");
    bad_wild("https://*a.example.com/cb", "whole leftmost label");
    bad_wild("https://a*.example.com/cb", "whole leftmost label");
    bad_wild("https://*-x.example.com/cb", "whole leftmost label");
    bad_wild("https://app.example.*/cb", "whole leftmost label");
    bad_wild("https://app.example.com:*/cb", "port");
    bad_wild("https://*.Example.com/cb", "lowercase");
    bad_wild("https://*.exa_mple.com/cb", "lowercase");
    bad_wild("https://*.exa%6dple.com/cb", "lowercase");
    bad_wild("https://*.example..com/cb", "empty label");
    bad_wild("https://*..example.com/cb", "empty label");
    bad_wild("https://*.1.2.3/cb", "not an IP address");
    bad_wild("https://*.0.0.1/cb", "not an IP address");
    bad_wild("https://*@example.com/cb", "userinfo");
    bad_wild("https://*.example.com@evil.example/cb", "userinfo");
    char label[128];
    memset(label, 0, sizeof(label));
    memcpy(label, "https://*.", 10);
    memset(label + 10, 'a', 64);
    memcpy(label + 74, ".com/cb", 7);
    bad_wild(label, "longer than 63");
}

static void test_wildcard_place_refused(void **state)
{
    bad_wild("https://*.*.example.com/cb", "at most one");
    bad_wild("https://*.example.com/cb/*", "at most one");
    bad_wild("https://app.example.com/*/*", "at most one");
    bad_wild("http://*.example.com/cb", "https");
    bad_wild("HTTPS://*.example.com/cb", "https://");
    bad_wild("Https://app.example.com/cb/*", "https://");
    bad_wild("http://127.0.0.1/cb/*", "https://");
    bad_wild("com.example.app:/cb/*", "https://");
    bad_wild("https://app.example.com/cb*", "right after a '/'");
    bad_wild("https://app.example.com/cb/*x", "last character");
    bad_wild("https://app.example.com/cb/*/x", "last character");
    bad_wild("https://app.example.com/cb/*?x=1", "last character");
    bad_wild("https://app.example.com/cb?x=/*", "before any query");
    bad_wild("https://app.example.com?/*", "before any query");
    bad_wild("https://app.example.com/../*", "no '.', '..' or empty segments");
    bad_wild("https://app.example.com/cb/./*", "no '.', '..' or empty segments");
    bad_wild("https://app.example.com/cb/../*", "no '.', '..' or empty segments");
    bad_wild("https://app.example.com//*", "no '.', '..' or empty segments");
    bad_wild("https://app.example.com/a//b/*", "no '.', '..' or empty segments");
    bad_wild("https://app.example.com/a%2fb/*", "no '.', '..' or empty segments");
    bad_wild("https://app.example.com/%2e%2e/*", "no '.', '..' or empty segments");
    bad_wild("https://app.example.com/a;b/*", "no '.', '..' or empty segments");
    bad_wild("https://app.example.com/a@b/*", "no '.', '..' or empty segments");
    bad_wild("https://app.example.com/cb/*#", "fragment");
    bad_wild("https://app.example.com/cb\\*", "backslash");
    bad_wild("https://app.example.com/cb/ *", "whitespace");
}

/* ---- matching ---- */

/* NULL as text for messages: glibc prints "(null)", but passing NULL to %s is undefined and
 * optimised builds (-O2 -Werror=format-overflow) refuse to compile it. */
static const char *str_or_null(const char *s)
{
    return s ? s : "(null)";
}

static void match(const char *registered, const char *requested, int wildcard)
{
    if (!grantd_redirect_uri_matches(registered, requested, wildcard))
        fail_msg("'%s' does not match '%s' (wildcard=%d)", str_or_null(requested),
                 str_or_null(registered), wildcard);
}

static void no_match(const char *registered, const char *requested, int wildcard)
{
    if (grantd_redirect_uri_matches(registered, requested, wildcard))
        fail_msg("'%s' matches '%s' (wildcard=%d)", str_or_null(requested),
                 str_or_null(registered), wildcard);
}

/* Neither with nor without the wildcard flag. */
static void never(const char *registered, const char *requested)
{
    no_match(registered, requested, 0);
    no_match(registered, requested, 1);
}

static void test_exact_match(void **state)
{
    const char *r = "https://app.example.com/cb?tenant=a";
    match(r, r, 0);
    match(r, "https://app.example.com/cb?tenant=a", 1);
    match("com.example.app:/oauth2redirect", "com.example.app:/oauth2redirect", 0);
    match("urn:ietf:wg:oauth:2.0:oob", "urn:ietf:wg:oauth:2.0:oob", 0);
    match("http://localhost:3000/cb", "http://localhost:3000/cb", 0);
    match("http://app.test/cb", "http://app.test/cb", 0); /* registered as insecure */
    never(r, "https://app.example.com/cb");
    never(r, "https://app.example.com/cb?tenant=a&x=1");
    never(r, "https://app.example.com/cb?tenant=A");
    never(r, "https://app.example.com/cb?tenant=%61");
    never(r, "https://app.example.com/cb/?tenant=a");
    never(r, "https://APP.example.com/cb?tenant=a");
    never(r, "HTTPS://app.example.com/cb?tenant=a");
    never(r, "https://app.example.com:443/cb?tenant=a");
    never(r, "https://app.example.com./cb?tenant=a");
    never("https://app.example.com/cb", "https://app.example.com/cb/");
    never("https://app.example.com/cb/", "https://app.example.com/cb");
    never("https://app.example.com/cb", "https://app.example.com/Cb");
    never("https://app.example.com/cb", "https://app.example.com/cb/../cb");
    never("https://app.example.com/a/b", "https://app.example.com/a%2Fb");
    never("https://app.example.com/cb", "https://app.example.com/cbx");
    never("https://app.example.com/cbx", "https://app.example.com/cb");
    never("https://app.example.com/cb", "");
    never("", "https://app.example.com/cb");
    never("https://app.example.com/cb", NULL);
    never(NULL, "https://app.example.com/cb");
    never(NULL, NULL);
}

/* A requested URI is checked like a registration first: equal bytes are not enough. */
static void test_bad_requested_never_matches(void **state)
{
    const char *const bad_uris[] = {
        "https://app.example.com/cb#",      "https://app.example.com/cb#x",
        "https://u@app.example.com/cb",     "https://app.example.com\\@evil.example/cb",
        "https://app.example.com/c b",      "https://app.example.com/cb\r\n",
        "https://app.example.com/\x01",     "https://app.example.com/caf\xc3\xa9",
        "javascript:alert(1)",              "data:text/html,x",
        "https://app.example.com/%zz",      "https://app.example.com/cb?x=*",
        "https://*.example.com/cb",         "https://app.example.com/cb/*",
        "http:",                            "/cb",
    };
    for (size_t i = 0; i < sizeof(bad_uris) / sizeof(bad_uris[0]); i++)
        never(bad_uris[i], bad_uris[i]);
    char long_uri[GRANTD_REDIRECT_URI_MAX + 2];
    memset(long_uri, 'a', sizeof(long_uri));
    memcpy(long_uri, "https://a.example/", 18);
    long_uri[GRANTD_REDIRECT_URI_MAX] = '\0';
    match(long_uri, long_uri, 0);
    long_uri[GRANTD_REDIRECT_URI_MAX] = 'a';
    long_uri[GRANTD_REDIRECT_URI_MAX + 1] = '\0';
    never(long_uri, long_uri);
}

static void test_loopback_port_ipv4(void **state)
{
    const char *r = "http://127.0.0.1/cb";
    match(r, "http://127.0.0.1/cb", 0);
    match(r, "http://127.0.0.1:51004/cb", 0);
    match(r, "http://127.0.0.1:1/cb", 0);
    match(r, "http://127.0.0.1:65535/cb", 1);
    match("http://127.0.0.1:8080/cb", "http://127.0.0.1/cb", 0);
    match("http://127.0.0.1:8080/cb", "http://127.0.0.1:9090/cb", 0);
    match("http://127.0.0.1/cb?x=1", "http://127.0.0.1:5/cb?x=1", 0);
    match("http://127.0.0.1", "http://127.0.0.1:5", 0);
    match("http://127.0.0.1?x=1", "http://127.0.0.1:5?x=1", 0);
    never("http://127.0.0.1", "http://127.0.0.1:5/");
    never(r, "http://127.0.0.1:51004/cb/");
    never(r, "http://127.0.0.1:51004/CB");
    never(r, "http://127.0.0.1:51004/cb?x");
    never(r, "http://127.0.0.1:51004/cb2");
    never(r, "http://127.0.0.1.evil.com/cb");
    never(r, "http://127.0.0.1.evil.com:80/cb");
    never(r, "http://127.0.0.1:80.evil.com/cb");
    never(r, "http://127.0.0.1:0/cb");
    never(r, "http://127.0.0.1:65536/cb");
    never(r, "http://127.0.0.1:123456/cb");
    never(r, "http://127.0.0.1:/cb");
    never(r, "http://127.0.0.1:8o/cb");
    never(r, "http://127.0.0.1:80@evil.com/cb");
    never(r, "http://127.0.0.1:80#/cb");
    never(r, "http://127.0.0.2:80/cb");
    never(r, "http://127.0.0.01:80/cb");
    never(r, "http://127.1:80/cb");
    never(r, "http://[::1]:80/cb");
    never(r, "http://localhost:80/cb");
    never(r, "https://127.0.0.1:443/cb");
    never(r, "HTTP://127.0.0.1:80/cb");
    never("https://127.0.0.1/cb", "https://127.0.0.1:8443/cb");
    never("HTTP://127.0.0.1/cb", "HTTP://127.0.0.1:80/cb");
    never("http://127.0.0.1.evil.com/cb", "http://127.0.0.1.evil.com:80/cb");
}

static void test_loopback_port_ipv6_and_localhost(void **state)
{
    const char *r = "http://[::1]:8080/cb";
    match(r, "http://[::1]/cb", 0);
    match(r, "http://[::1]:1234/cb", 0);
    match("http://[::1]/cb", "http://[::1]:1234/cb", 0);
    never(r, "http://[::1]:1234/cb2");
    never(r, "http://127.0.0.1:1234/cb");
    never(r, "http://[0:0:0:0:0:0:0:1]:1234/cb");
    never(r, "http://[::1]:/cb");
    never(r, "http://[::1]x/cb");
    never(r, "https://[::1]:1234/cb");
    /* localhost gets no relaxation (RFC 8252 §8.3: it may not resolve to loopback) */
    match("http://localhost/cb", "http://localhost/cb", 0);
    match("http://localhost:1234/cb", "http://localhost:1234/cb", 0);
    never("http://localhost/cb", "http://localhost:1234/cb");
    never("http://localhost:1234/cb", "http://localhost/cb");
    never("http://localhost:1234/cb", "http://localhost:4321/cb");
}

static void test_host_wildcard_match(void **state)
{
    const char *r = "https://*.example.com/cb";
    match(r, "https://a.example.com/cb", 1);
    match(r, "https://tenant-42.example.com/cb", 1);
    match(r, "https://0.example.com/cb", 1);
    match(r, "https://xn--bcher-kva.example.com/cb", 1);
    match(r, "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com/cb",
          1); /* 63 bytes */
    never(r, "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com/cb");
    no_match(r, "https://a.example.com/cb", 0); /* the client did not opt in */
    never(r, "https://example.com/cb");
    never(r, "https://.example.com/cb");
    never(r, "https://a.b.example.com/cb");
    never(r, "https://evil.com/.example.com/cb");
    never(r, "https://a.example.com.evil.com/cb");
    never(r, "https://aexample.com/cb");
    never(r, "https://a.example.comm/cb");
    never(r, "https://x@a.example.com/cb");
    never(r, "https://x:y@a.example.com/cb");
    never(r, "https://a.example.com@evil.com/cb");
    never(r, "https://a.example.com:444/cb");
    never(r, "https://a.example.com:443/cb");
    never(r, "https://a\\.example.com/cb");
    never(r, "https://a.example.com\\cb");
    never(r, "https://%61.example.com/cb");
    never(r, "https://a%2eexample.com/cb");
    never(r, "https://a.example%2ecom/cb");
    never(r, "https://A.example.com/cb");
    never(r, "https://a.EXAMPLE.com/cb");
    never(r, "https://a_b.example.com/cb");
    never(r, "https://a.example.com/CB");
    never(r, "https://a.example.com/cb/");
    never(r, "https://a.example.com/cb?x=1");
    never(r, "https://a.example.com/cb#x");
    never(r, "https://a.example.com/cb ");
    never(r, "HTTPS://a.example.com/cb");
    never(r, "http://a.example.com/cb");
    never(r, "https://*.example.com/cb"); /* the pattern itself is no redirect target */
    never(r, "https://[::1].example.com/cb");
}

static void test_host_wildcard_port_query_no_path(void **state)
{
    match("https://*.example.com:8443/cb", "https://a.example.com:8443/cb", 1);
    never("https://*.example.com:8443/cb", "https://a.example.com/cb");
    never("https://*.example.com:8443/cb", "https://a.example.com:8444/cb");
    match("https://*.example.com/cb?x=1", "https://a.example.com/cb?x=1", 1);
    never("https://*.example.com/cb?x=1", "https://a.example.com/cb");
    never("https://*.example.com/cb?x=1", "https://a.example.com/cb?x=1&y=2");
    match("https://*.example.com", "https://a.example.com", 1);
    never("https://*.example.com", "https://a.example.com/");
    never("https://*.example.com", "https://a.example.com:443");
}

static void test_path_wildcard_match(void **state)
{
    const char *r = "https://app.example.com/cb/*";
    match(r, "https://app.example.com/cb/", 1);
    match(r, "https://app.example.com/cb/x", 1);
    match(r, "https://app.example.com/cb/tenant-1/done", 1);
    match(r, "https://app.example.com/cb/a/", 1);
    match(r, "https://app.example.com/cb/a.b-c_d~e", 1);
    match(r, "https://app.example.com/cb/.well-known/x", 1);
    match(r, "https://app.example.com/cb/...", 1);
    no_match(r, "https://app.example.com/cb/x", 0);
    never(r, "https://app.example.com/cb");
    never(r, "https://app.example.com/cbx");
    never(r, "https://app.example.com/cb/*");
    never(r, "https://app.example.com/cb/.");
    never(r, "https://app.example.com/cb/..");
    never(r, "https://app.example.com/cb/../admin");
    never(r, "https://app.example.com/cb/./x");
    never(r, "https://app.example.com/cb/a/../../x");
    never(r, "https://app.example.com/cb/a/..");
    never(r, "https://app.example.com/cb//evil.example");
    never(r, "https://app.example.com/cb/a//b");
    never(r, "https://app.example.com/cb/%2e%2e/x");
    never(r, "https://app.example.com/cb/%2E%2E/x");
    never(r, "https://app.example.com/cb/.%2e/x");
    never(r, "https://app.example.com/cb/a%2fb");
    never(r, "https://app.example.com/cb/a%2Fb");
    never(r, "https://app.example.com/cb/a%5cb");
    never(r, "https://app.example.com/cb/a%5Cb");
    never(r, "https://app.example.com/cb/a%20b");
    never(r, "https://app.example.com/cb/a\\b");
    never(r, "https://app.example.com/cb/..;/x");
    never(r, "https://app.example.com/cb/x;y");
    never(r, "https://app.example.com/cb/x?y=1");
    never(r, "https://app.example.com/cb/?");
    never(r, "https://app.example.com/cb/x#f");
    never(r, "https://app.example.com/cb/x@evil.example");
    never(r, "https://app.example.com/cb/x:y");
    never(r, "https://app.example.com/cb/x!'()$&+,=");
    never(r, "https://app.example.com.evil.example/cb/x");
    never(r, "https://app.example.com:444/cb/x");
    never(r, "https://u@app.example.com/cb/x");
    never(r, "http://app.example.com/cb/x");
    never(r, "HTTPS://app.example.com/cb/x");
    never(r, "https://APP.example.com/cb/x");
    never(r, "https://app.example.com/CB/x");
}

static void test_path_wildcard_root(void **state)
{
    const char *r = "https://app.example.com/*";
    match(r, "https://app.example.com/", 1);
    match(r, "https://app.example.com/x/y", 1);
    never(r, "https://app.example.com");
    never(r, "https://app.example.com//evil.example/x");
    never(r, "https://app.example.com/..");
    never(r, "https://app.example.com?x=/");
    match("https://[2001:db8::1]:8443/cb/*", "https://[2001:db8::1]:8443/cb/x", 1);
    never("https://[2001:db8::1]:8443/cb/*", "https://[2001:db8::1]/cb/x");
}

/* Patterns that could not be registered match nothing, even if a store holds them. */
static void test_unregistrable_patterns_match_nothing(void **state)
{
    never("https://*.com/cb", "https://evil.com/cb");
    never("https://*/cb", "https://evil/cb");
    never("https://a.*.example.com/cb", "https://a.b.example.com/cb");
    never("https://*a.example.com/cb", "https://ba.example.com/cb");
    never("http://*.example.com/cb", "http://a.example.com/cb");
    never("https://app.example.com/cb*", "https://app.example.com/cbx");
    never("https://app.example.com/cb/*x", "https://app.example.com/cb/yx");
    never("https://*.example.com/cb/*", "https://a.example.com/cb/x");
    never("https://app.example.com/a;b/*", "https://app.example.com/a;b/x");
    never("https://*.1.2.3/cb", "https://127.1.2.3/cb");
    never("https://app.example.com/cb?x=*", "https://app.example.com/cb?x=1");
}

/* ---- resolve ---- */

static void resolves(const char *const *reg, size_t n, const char *req, int wildcard,
                     const char *want)
{
    const char *eff = "unset", *why = NULL;
    grantd_rc rc = grantd_redirect_uri_resolve(reg, n, req, wildcard, &eff, &why);
    if (rc != GRANTD_OK)
        fail_msg("resolve('%s') failed: %s", req ? req : "(absent)", why);
    if (eff != want) /* a pointer into the inputs, not a copy */
        fail_msg("resolve('%s') gave '%s'", req ? req : "(absent)", eff ? eff : "(null)");
}

static void refuses(const char *const *reg, size_t n, const char *req, int wildcard,
                    const char *needle)
{
    const char *eff = "unset", *why = NULL;
    grantd_rc rc = grantd_redirect_uri_resolve(reg, n, req, wildcard, &eff, &why);
    if (rc != GRANTD_EINVAL)
        fail_msg("resolve('%s') gave rc %d", req ? req : "(absent)", (int)rc);
    assert_null(eff);
    if (!why || !strstr(why, needle))
        fail_msg("resolve('%s'): reason '%s' lacks '%s'", req ? req : "(absent)",
                 why ? why : "(null)", needle);
    assert_int_equal(grantd_redirect_uri_resolve(reg, n, req, wildcard, &eff, NULL), rc);
}

static void test_resolve_nothing_registered(void **state)
{
    const char *oob = GRANTD_REDIRECT_URI_OOB;
    resolves(NULL, 0, NULL, 0, NULL);
    resolves(NULL, 0, "", 0, NULL);
    resolves(NULL, 0, oob, 0, NULL);
    resolves(NULL, 3, NULL, 1, NULL);
    refuses(NULL, 0, "https://app.example.com/cb", 0, "no registered redirect URI");
    refuses(NULL, 0, "urn:ietf:wg:oauth:2.0:oo", 1, "no registered redirect URI");
}

static void test_resolve_registered(void **state)
{
    const char *one[] = {"https://app.example.com/cb"};
    const char *two[] = {"https://app.example.com/cb", "http://127.0.0.1/cb"};
    const char *req = "https://app.example.com/cb", *loop = "http://127.0.0.1:5000/cb";
    resolves(one, 1, NULL, 0, one[0]);
    resolves(one, 1, "", 0, one[0]);
    resolves(one, 1, req, 0, req);
    resolves(one, 1, req, 1, req);
    refuses(one, 1, "https://app.example.com/cb/", 0, "does not match");
    refuses(one, 1, "https://app.example.com/cb#x", 0, "does not match");
    refuses(one, 1, GRANTD_REDIRECT_URI_OOB, 0, "does not match");
    refuses(two, 2, NULL, 0, "several");
    refuses(two, 2, "", 1, "several");
    resolves(two, 2, req, 0, req);
    resolves(two, 2, loop, 0, loop); /* the port the app listens on, not the registered one */
    refuses(two, 2, "http://localhost:5000/cb", 0, "does not match");
    const char *oob[] = {GRANTD_REDIRECT_URI_OOB};
    const char *oob_req = GRANTD_REDIRECT_URI_OOB;
    resolves(oob, 1, oob_req, 0, oob_req);
    resolves(oob, 1, NULL, 0, oob[0]);
    const char *holes[] = {NULL, "https://app.example.com/cb"};
    resolves(holes, 2, req, 0, req);
    const char *hole[] = {NULL};
    refuses(hole, 1, NULL, 0, "not valid");
    const char *broken[] = {"https://app.example.com/cb#x"};
    refuses(broken, 1, NULL, 0, "not valid");
    const char *legacy_star[] = {"https://app.example.com/cb?x=*"};
    refuses(legacy_star, 1, NULL, 0, "pattern");
}

static void test_resolve_wildcards(void **state)
{
    const char *host[] = {"https://*.example.com/cb"};
    const char *both[] = {"https://*.example.com/cb", "https://app.example.com/cb/*"};
    const char *a = "https://a.example.com/cb", *t = "https://app.example.com/cb/t1";
    refuses(host, 1, NULL, 1, "pattern");
    refuses(host, 1, NULL, 0, "pattern");
    refuses(host, 1, "", 1, "pattern");
    resolves(host, 1, a, 1, a);
    refuses(host, 1, a, 0, "does not match");
    refuses(host, 1, "https://*.example.com/cb", 1, "does not match");
    refuses(host, 1, "https://example.com/cb", 1, "does not match");
    resolves(both, 2, a, 1, a);
    resolves(both, 2, t, 1, t);
    refuses(both, 2, "https://app.example.com/cb/../x", 1, "does not match");
    refuses(both, 2, NULL, 1, "several");
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
        cmocka_unit_test(test_star_refused_without_wildcard_flag),
        cmocka_unit_test(test_wildcard_registration_accepted),
        cmocka_unit_test(test_wildcard_host_refused),
        cmocka_unit_test(test_wildcard_place_refused),
        cmocka_unit_test(test_exact_match),
        cmocka_unit_test(test_bad_requested_never_matches),
        cmocka_unit_test(test_loopback_port_ipv4),
        cmocka_unit_test(test_loopback_port_ipv6_and_localhost),
        cmocka_unit_test(test_host_wildcard_match),
        cmocka_unit_test(test_host_wildcard_port_query_no_path),
        cmocka_unit_test(test_path_wildcard_match),
        cmocka_unit_test(test_path_wildcard_root),
        cmocka_unit_test(test_unregistrable_patterns_match_nothing),
        cmocka_unit_test(test_resolve_nothing_registered),
        cmocka_unit_test(test_resolve_registered),
        cmocka_unit_test(test_resolve_wildcards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
