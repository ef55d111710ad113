/* Unit tests of ui/pages.c (and the frame in ui/layout.c): every page carries the security
 * headers once; the CSP hashes are recomputed from the body and must match; hostile values
 * are escaped in text and attribute contexts (checked both by exact strings and by a small
 * tag/attribute scanner that allows only the markup grantd writes); forms carry request and
 * csrf exactly; the consent form has exactly the two buttons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/crypto.h"
#include "http/app.h"
#include "ui/pages.h"

#define H_SCRIPT "<script>alert(1)</script>"
#define H_IMG "\"><img src=x onerror=alert(1)>"
#define H_UTF8 "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac" /* Zoë 日本 */

struct page {
    struct grantd_request req;
    struct grantd_response resp;
};

static void page_init(struct page *p)
{
    memset(p, 0, sizeof(*p));
    p->req.arena = grantd_arena_new(4096);
    p->req.method = "GET";
    p->req.path = "/authorize";
}

static void page_free(struct page *p)
{
    grantd_arena_free(p->req.arena);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

static void contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("missing:\n  %s\nin:\n%s", needle, hay);
}

static void lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle))
        fail_msg("unexpected:\n  %s\nin:\n%s", needle, hay);
}

/* The one header called name (exactly one must exist). */
static const char *header(const struct grantd_response *r, const char *name)
{
    const char *found = NULL;
    for (size_t i = 0; i < r->header_count; i++) {
        if (strcmp(r->headers[i].name, name) != 0)
            continue;
        if (found)
            fail_msg("header %s twice", name);
        found = r->headers[i].value;
    }
    if (!found)
        fail_msg("header %s missing", name);
    return found;
}

/* The whole tag (from '<' to '>') that contains marker, copied to the arena. */
static const char *tag_of(struct page *p, const char *marker)
{
    const char *m = strstr(p->resp.body, marker);
    if (!m)
        fail_msg("no tag with %s", marker);
    const char *start = m, *end = strchr(m, '>');
    while (start > p->resp.body && *start != '<')
        start--;
    assert_non_null(end);
    return grantd_arena_strndup(p->req.arena, start, (size_t)(end - start + 1));
}

/* ---- CSP: recompute each inline block's hash from the body ---- */

static void check_inline_hash(const char *body, const char *csp, const char *open,
                              const char *close, const char *directive)
{
    assert_int_equal(count(body, open), 1);
    const char *start = strstr(body, open) + strlen(open);
    const char *end = strstr(start, close);
    assert_non_null(end);
    unsigned char want[GRANTD_SHA256_LEN];
    grantd_sha256(start, (size_t)(end - start), want);

    /* the directive holds exactly one source: 'sha256-<base64>' */
    const char *d = strstr(csp, directive);
    if (!d)
        fail_msg("CSP lacks %s: %s", directive, csp);
    d += strlen(directive);
    const char *q = strchr(d, '\'');
    assert_non_null(q);
    assert_true(q[1] == ';' || q[1] == '\0');
    assert_int_equal(q - d, 44); /* standard base64 of 32 bytes, padded */
    unsigned char got[48];
    size_t got_len = 0;
    assert_int_equal(grantd_b64_decode(d, (size_t)(q - d), 1, got, &got_len), GRANTD_OK);
    assert_int_equal(got_len, GRANTD_SHA256_LEN);
    assert_memory_equal(got, want, GRANTD_SHA256_LEN);
}

static void check_csp(const char *body, const char *csp, int with_script)
{
    assert_true(strncmp(csp, "default-src 'none'; ", 20) == 0);
    contains(csp, "; img-src 'none'");
    contains(csp, "; frame-ancestors 'none'");
    contains(csp, "; base-uri 'none'");
    lacks(csp, "form-action");
    lacks(csp, "unsafe");
    lacks(csp, "http");
    check_inline_hash(body, csp, "<style>", "</style>", "style-src 'sha256-");
    if (with_script) {
        check_inline_hash(body, csp, "<script>", "</script>", "script-src 'sha256-");
    } else {
        assert_int_equal(count(body, "<script"), 0);
        contains(csp, "; script-src 'none';");
    }
}

/* Status, content type, body in the arena, and every page header exactly once. */
static void check_response(const struct page *p, unsigned status, int with_script)
{
    const struct grantd_response *r = &p->resp;
    assert_int_equal(r->status, status);
    assert_string_equal(r->content_type, "text/html; charset=utf-8");
    assert_non_null(r->body);
    assert_int_equal(strlen(r->body), r->body_len);
    assert_string_equal(header(r, "Cache-Control"), "no-store");
    assert_string_equal(header(r, "Pragma"), "no-cache");
    assert_string_equal(header(r, "X-Frame-Options"), "DENY");
    assert_string_equal(header(r, "Referrer-Policy"), "no-referrer");
    for (size_t i = 0; i < r->header_count; i++) /* the server adds it to every answer */
        assert_string_not_equal(r->headers[i].name, "X-Content-Type-Options");
    check_csp(r->body, header(r, "Content-Security-Policy"), with_script);
    /* five of the sixteen slots: room for the handler's Set-Cookie and friends */
    assert_int_equal(r->header_count, 5);
    assert_true(strncmp(r->body, "<!doctype html>\n<html lang=\"en\">\n", 33) == 0);
    contains(r->body, "<meta charset=\"utf-8\">");
    contains(r->body, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    assert_int_equal(count(r->body, "<title>"), 1);
    assert_int_equal(count(r->body, "<h1>"), 1);
}

/* ---- markup scanner: only grantd's own tags and attributes, always double-quoted ---- */

static const char *const allowed_tags[] = {
    "!doctype", "html", "head", "meta", "title", "style", "body", "main", "h1", "p", "form",
    "input", "label", "button", "ul", "li", "code", "span", "strong", "div", "script", "a", "h2",
    "h3", "time", NULL};
static const char *const allowed_attrs[] = {
    "html", "lang", "charset", "name", "content", "method", "action", "type", "value", "id",
    "for", "autocomplete", "autocapitalize", "spellcheck", "required", "autofocus", "readonly",
    "class", "role", "aria-describedby", "aria-live", "hidden", "href", "datetime", "tabindex",
    "aria-labelledby", "data-copied", "data-manual", NULL};

static int listed(const char *const *list, const char *s, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, s, n) == 0)
            return 1;
    return 0;
}

/* Attributes from p to the closing '>'; returns the position of that '>'. */
static const char *scan_attrs(const char *p)
{
    for (;;) {
        p += strspn(p, " \n");
        if (*p == '>')
            return p;
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
        if (n == 0 || !listed(allowed_attrs, p, n))
            fail_msg("unexpected attribute at: %.40s", p);
        p += n;
        if (*p != '=')
            continue;
        if (p[1] != '"')
            fail_msg("unquoted attribute value at: %.40s", p);
        const char *end = strchr(p + 2, '"');
        assert_non_null(end);
        for (const char *c = p + 2; c < end; c++)
            assert_true(*c != '<' && *c != '>' && *c != '`' && *c != '\'' && *c != '\n');
        p = end + 1;
    }
}

/* One tag; p is just after its '<'. Returns the position after the tag (and after the body
 * of a <style> or <script>, which must contain no '<'). */
static const char *scan_tag(const char *p)
{
    int closing = *p == '/';
    p += closing;
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789!");
    if (n == 0 || n > 15 || !listed(allowed_tags, p, n))
        fail_msg("unexpected tag at: %.40s", p);
    char name[16];
    memcpy(name, p, n);
    name[n] = '\0';
    p = scan_attrs(p + n) + 1;
    if (closing || (strcmp(name, "style") != 0 && strcmp(name, "script") != 0))
        return p;
    char closer[24];
    snprintf(closer, sizeof(closer), "</%s>", name);
    const char *end = strstr(p, closer);
    assert_non_null(end);
    assert_null(memchr(p, '<', (size_t)(end - p)));
    return end;
}

static void check_markup(const char *body)
{
    const char *p = body;
    while (*p) {
        if (*p == '<') {
            p = scan_tag(p + 1);
            continue;
        }
        if (*p == '>' || *p == '"')
            fail_msg("raw %c in text at: %.40s", *p, p);
        p++;
    }
}

/* ---- attribute round trip: decode what the browser would submit ---- */

static const struct { const char *ref; char c; } refs[] = {
    {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''},
    {"&#96;", '`'}, {"&#13;", '\r'}, {"&#10;", '\n'}};

static char *unescape(struct grantd_arena *a, const char *s, size_t n)
{
    char *out = grantd_arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n;) {
        if (s[i] != '&') {
            *o++ = s[i++];
            continue;
        }
        size_t k = 0;
        while (k < sizeof(refs) / sizeof(refs[0]) &&
               strncmp(s + i, refs[k].ref, strlen(refs[k].ref)) != 0)
            k++;
        if (k == sizeof(refs) / sizeof(refs[0]))
            fail_msg("unknown reference at: %.20s", s + i);
        *o++ = refs[k].c;
        i += strlen(refs[k].ref);
    }
    *o = '\0';
    return out;
}

/* The attribute value right after prefix (which must occur once) decodes to want. */
static void check_attr(struct page *p, const char *prefix, const char *want)
{
    assert_int_equal(count(p->resp.body, prefix), 1);
    const char *v = strstr(p->resp.body, prefix) + strlen(prefix);
    const char *end = strchr(v, '"');
    assert_non_null(end);
    assert_string_equal(unescape(p->req.arena, v, (size_t)(end - v)), want);
}

/* ---- login ---- */

static void test_login_page(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_login v = {
        {"/login", "response_type=code&client_id=app", "csrf-123", "9.bind"},
        "Example App", NULL, NULL, NULL};
    grantd_ui_login_page(&p.req, &p.resp, 200, &v);
    check_response(&p, 200, 0);
    const char *b = p.resp.body;
    check_markup(b);
    contains(b, "<title>Sign in</title>");
    contains(b, "<h1>Sign in</h1>\n<p class=\"sub\">to continue to Example App</p>");
    contains(b, "<form method=\"post\" action=\"/login\">");
    contains(b, "<input type=\"hidden\" name=\"request\" "
                "value=\"response_type=code&amp;client_id=app\">");
    contains(b, "<input type=\"hidden\" name=\"csrf\" value=\"csrf-123\">");
    contains(b, "<input type=\"hidden\" name=\"binding\" value=\"9.bind\">");
    contains(b, "<label for=\"username\">Username</label>");
    contains(b, "<label for=\"password\">Password</label>");
    const char *user = tag_of(&p, "id=\"username\"");
    contains(user, " name=\"username\"");
    contains(user, " type=\"text\"");
    contains(user, " autocomplete=\"username\"");
    contains(user, " required");
    contains(user, " autofocus");
    lacks(user, "value=");
    const char *pass = tag_of(&p, "id=\"password\"");
    contains(pass, " name=\"password\" type=\"password\"");
    contains(pass, " autocomplete=\"current-password\"");
    contains(pass, " required");
    lacks(pass, "autofocus");
    assert_int_equal(count(b, "autofocus"), 1);
    contains(b, "<button type=\"submit\" class=\"wide\">Sign in</button>\n</form>");
    assert_int_equal(count(b, "<button"), 1);
    lacks(b, "role=\"alert\"");
    page_free(&p);
}

static void test_login_failed_attempt(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_login v = {{"/login", "r", "c", NULL}, "Example App", "alice",
                                "Wrong username or password.", "/authorize?r"};
    grantd_ui_login_page(&p.req, &p.resp, 401, &v);
    check_response(&p, 401, 0);
    check_markup(p.resp.body);
    contains(p.resp.body,
             "<p class=\"error\" id=\"error\" role=\"alert\">Wrong username or password.</p>");
    const char *user = tag_of(&p, "id=\"username\"");
    contains(user, " value=\"alice\"");
    contains(user, " aria-describedby=\"error\"");
    lacks(user, "autofocus");
    const char *pass = tag_of(&p, "id=\"password\"");
    contains(pass, " autofocus");
    lacks(pass, "value=");
    assert_int_equal(count(p.resp.body, "autofocus"), 1);
    /* the prefilled name is not this person's: a fresh login page for the same request */
    contains(p.resp.body, "<p class=\"sub\">Not you? <a href=\"/authorize?r\">Use another "
                          "account</a></p>");
    page_free(&p);
}

static void test_login_hostile_values(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_login v = {{"/login?x=\"'`", H_IMG, "<&>\"'`", NULL}, H_SCRIPT, H_IMG,
                                "it's &amp; " H_SCRIPT, "/authorize?" H_IMG};
    grantd_ui_login_page(&p.req, &p.resp, 401, &v);
    check_response(&p, 401, 0);
    const char *b = p.resp.body;
    check_markup(b);
    assert_int_equal(count(b, "<script"), 0);
    assert_int_equal(count(b, "<img"), 0);
    contains(b, "to continue to &lt;script&gt;alert(1)&lt;/script&gt;</p>");
    contains(b, "role=\"alert\">it&#39;s &amp;amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>");
    contains(b, "action=\"/login?x=&quot;&#39;&#96;\"");
    contains(b, "name=\"request\" value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">");
    contains(b, "name=\"csrf\" value=\"&lt;&amp;&gt;&quot;&#39;&#96;\">");
    check_attr(&p, "action=\"", "/login?x=\"'`");
    check_attr(&p, "name=\"request\" value=\"", H_IMG);
    check_attr(&p, "name=\"csrf\" value=\"", "<&>\"'`");
    check_attr(&p, "name=\"username\" type=\"text\" autocomplete=\"username\" "
                   "autocapitalize=\"none\" spellcheck=\"false\" required value=\"",
               H_IMG);
    page_free(&p);
}

static void test_utf8_passes_through(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_login v = {{"/login", "q=" H_UTF8, "c", NULL}, H_UTF8, H_UTF8, NULL, NULL};
    grantd_ui_login_page(&p.req, &p.resp, 200, &v);
    check_response(&p, 200, 0);
    contains(p.resp.body, "to continue to " H_UTF8 "</p>");
    contains(p.resp.body, "name=\"request\" value=\"q=" H_UTF8 "\">");
    contains(p.resp.body, " value=\"" H_UTF8 "\"");
    page_free(&p);
}

/* ---- consent ---- */

static void test_consent_page(void **state)
{
    struct page p;
    page_init(&p);
    const struct grantd_ui_scope scopes[] = {
        {"openid", "Sign you in"}, {"files.read", "Read your files"}, {"offline", NULL}};
    struct grantd_ui_consent v = {{"/consent", "client_id=app&scope=openid", "tok", NULL},
                                  "Example App", "alice", "acme", scopes, 3, "app.example.com"};
    grantd_ui_consent_page(&p.req, &p.resp, &v);
    check_response(&p, 200, 0);
    const char *b = p.resp.body;
    check_markup(b);
    contains(b, "<h1>Example App wants to access your account</h1>");
    contains(b, "Signed in as <strong>alice</strong> (account <strong>acme</strong>). <button");
    contains(b, "<li><code>openid</code> <span class=\"d\">Sign you in</span></li>");
    contains(b, "<li><code>files.read</code> <span class=\"d\">Read your files</span></li>");
    contains(b, "<li><code>offline</code></li>");
    assert_int_equal(count(b, "<li>"), 3);
    contains(b, "<p>You will be sent to <strong>app.example.com</strong></p>");
    contains(b, "<form method=\"post\" action=\"/consent\">");
    contains(b, "<input type=\"hidden\" name=\"request\" "
                "value=\"client_id=app&amp;scope=openid\">");
    contains(b, "<input type=\"hidden\" name=\"csrf\" value=\"tok\">");
    page_free(&p);
}

static void test_consent_has_two_decisions_and_a_sign_out(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_consent v = {{"/consent", "r", "c", NULL}, "App", "alice", NULL, NULL, 0,
                                  NULL};
    grantd_ui_consent_page(&p.req, &p.resp, &v);
    check_response(&p, 200, 0);
    const char *b = p.resp.body;
    const char *authorize =
        "<button type=\"submit\" name=\"decision\" value=\"authorize\">Authorize</button>";
    const char *cancel =
        "<button type=\"submit\" name=\"decision\" value=\"cancel\">Cancel</button>";
    const char *signout = "<button type=\"submit\" name=\"decision\" value=\"signout\" "
                          "class=\"link\">Not you? Sign out</button>";
    assert_int_equal(count(b, "<button"), 3);
    assert_int_equal(count(b, "</button>"), 3);
    assert_int_equal(count(b, authorize), 1);
    assert_int_equal(count(b, cancel), 1);
    assert_int_equal(count(b, signout), 1);
    assert_true(strstr(b, authorize) < strstr(b, cancel));
    assert_int_equal(count(b, "name=\"decision\""), 3);
    /* the sign-out form first (beside "Signed in as"), then the decision's form; each carries
     * the request and the CSRF token */
    assert_int_equal(count(b, "<form"), 2);
    assert_int_equal(count(b, "name=\"csrf\""), 2);
    assert_int_equal(count(b, "name=\"request\""), 2);
    const char *second = strstr(strstr(b, "<form") + 1, "<form");
    assert_true(strstr(b, signout) < second);
    assert_true(second < strstr(b, authorize));
    assert_true(strstr(b, cancel) < strstr(second, "</form>"));
    contains(b, "<p>You will get a code to copy into the application.</p>");
    page_free(&p);
}

static void test_consent_without_account_or_scopes(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_consent v = {{"/consent", "r", "c", NULL}, "App", "alice", NULL, NULL, 0,
                                  NULL};
    grantd_ui_consent_page(&p.req, &p.resp, &v);
    const char *b = p.resp.body;
    check_markup(b);
    contains(b, "Signed in as <strong>alice</strong>. <button");
    lacks(b, "(account");
    contains(b, "<p>It asks for no specific permissions.</p>");
    lacks(b, "<ul>");
    page_free(&p);
}

static void test_consent_hostile_values(void **state)
{
    struct page p;
    page_init(&p);
    const struct grantd_ui_scope scopes[] = {{"<b>x</b>", "&amp; " H_UTF8}, {H_IMG, H_SCRIPT}};
    struct grantd_ui_consent v = {{"/consent", "a=\"'<>`&b", H_IMG, NULL}, H_IMG, H_SCRIPT, "it's",
                                  scopes, 2, H_IMG};
    grantd_ui_consent_page(&p.req, &p.resp, &v);
    check_response(&p, 200, 0);
    const char *b = p.resp.body;
    check_markup(b);
    assert_int_equal(count(b, "<script"), 0);
    assert_int_equal(count(b, "<img"), 0);
    assert_int_equal(count(b, "<b>"), 0);
    contains(b, "<h1>&quot;&gt;&lt;img src=x onerror=alert(1)&gt; wants to access your account");
    contains(b, "Signed in as <strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>"
                " (account <strong>it&#39;s</strong>)");
    contains(b, "<li><code>&lt;b&gt;x&lt;/b&gt;</code> <span class=\"d\">&amp;amp; " H_UTF8);
    contains(b, "<li><code>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</code>");
    /* both forms (sign out, decision) carry them back, escaped */
    assert_int_equal(count(b, "name=\"request\" value=\"a=&quot;&#39;&lt;&gt;&#96;&amp;b\">"), 2);
    assert_int_equal(count(b, "name=\"csrf\" value=\"&quot;&gt;&lt;img src=x onerror=alert(1)"
                              "&gt;\">"), 2);
    contains(b, "You will be sent to <strong>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    page_free(&p);
}

/* ---- out-of-band code ---- */

static void test_oob_page(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_oob v = {"Example CLI", "Abc-123_xyz", 600};
    grantd_ui_oob_page(&p.req, &p.resp, &v);
    check_response(&p, 200, 1);
    const char *b = p.resp.body;
    check_markup(b);
    contains(b, "<title>Authorization code</title>");
    contains(b, "<h1>Authorization code</h1>");
    contains(b, "Copy this code into Example CLI");
    contains(b, "<p class=\"label\" id=\"code-label\">Code</p>");
    /* text that wraps, not a one-line field that clips a long code */
    contains(b, "class=\"code\" tabindex=\"0\" aria-labelledby=\"code-label\" "
                "aria-describedby=\"expiry\">Abc-123_xyz</p>");
    lacks(b, "<input");
    const char *copy = tag_of(&p, "id=\"copy\"");
    contains(copy, "<button type=\"button\" id=\"copy\"");
    contains(b, ">Copy</button>");
    assert_int_equal(count(b, "<button"), 1);
    lacks(b, "<form");
    contains(b, "This code expires in 10 minutes and works once.");
    contains(b, "navigator.clipboard.writeText");
    contains(b, "role=\"status\"");
    /* the script is at the end of the body, after the elements it looks up */
    assert_true(strstr(b, "<script>") > strstr(b, "id=\"copy-status\""));
    page_free(&p);
}

static void test_oob_expiry_wording(void **state)
{
    static const struct { int64_t seconds; const char *text; } cases[] = {
        {0, "0 seconds"},    {1, "1 second"},     {60, "60 seconds"},  {119, "119 seconds"},
        {120, "2 minutes"},  {179, "2 minutes"},  {600, "10 minutes"}, {-5, "0 seconds"},
        {86400, "1440 minutes"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct page p;
        page_init(&p);
        struct grantd_ui_oob v = {"App", "code", cases[i].seconds};
        grantd_ui_oob_page(&p.req, &p.resp, &v);
        char want[96];
        snprintf(want, sizeof(want), "This code expires in %s and works once.", cases[i].text);
        contains(p.resp.body, want);
        page_free(&p);
    }
}

static void test_oob_hostile_values(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_oob v = {H_SCRIPT, H_IMG "`'&amp;", 60};
    grantd_ui_oob_page(&p.req, &p.resp, &v);
    check_response(&p, 200, 1);
    const char *b = p.resp.body;
    check_markup(b);
    assert_int_equal(count(b, "<script"), 1); /* ours */
    assert_int_equal(count(b, "<img"), 0);
    contains(b, "Copy this code into &lt;script&gt;alert(1)&lt;/script&gt; to finish");
    contains(b, "aria-describedby=\"expiry\">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
                "`&#39;&amp;amp;</p>");
    page_free(&p);
}

/* ---- error page and limits ---- */

static void test_error_page(void **state)
{
    struct page p;
    page_init(&p);
    grantd_ui_error_page(&p.req, &p.resp, 400, "Unknown client",
                         "The application's client_id is not registered.");
    check_response(&p, 400, 0);
    check_markup(p.resp.body);
    contains(p.resp.body, "<title>Unknown client</title>");
    contains(p.resp.body,
             "<h1>Unknown client</h1>\n<p>The application&#39;s client_id is not registered.</p>");
    lacks(p.resp.body, "<form");
    lacks(p.resp.body, "Details");
    page_free(&p);
}

/* A problem in a person's words; the protocol's code only in the small details line. */
static void test_problem_page(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_problem v = {"You did not allow access", "You chose Cancel.",
                                  "You can close this page.", "access_denied", "/account",
                                  "Go to your account"};
    grantd_ui_problem_page(&p.req, &p.resp, 403, &v);
    check_response(&p, 403, 0);
    const char *b = p.resp.body;
    check_markup(b);
    contains(b, "<h1>You did not allow access</h1>\n<p>You chose Cancel.</p>\n"
                "<p>You can close this page.</p>\n<p><a href=\"/account\">Go to your account"
                "</a></p>\n<p class=\"details\">Details for support: <code>access_denied"
                "</code></p>");
    assert_int_equal(count(b, "access_denied"), 1);
    page_free(&p);
}

static void test_account_page(void **state)
{
    struct page p;
    page_init(&p);
    const struct grantd_ui_scope scopes[] = {{"profile", "See your name"}, {"email", NULL}};
    const struct grantd_ui_grant grants[] = {
        {"app-1", "Photo " H_IMG, scopes, 2, 1796428800}, /* 2026-12-05 */
        {"app-2", NULL, NULL, 0, 0}};
    struct grantd_ui_account v = {"/account", "tok", "alice", "acme", grants, 2,
                                  "Photo can no longer use your account.", NULL};
    grantd_ui_account_page(&p.req, &p.resp, 200, &v);
    check_response(&p, 200, 0);
    const char *b = p.resp.body;
    check_markup(b);
    contains(b, "<h1>Your account</h1>");
    contains(b, "Signed in as <strong>alice</strong> (account <strong>acme</strong>)");
    contains(b, "<p class=\"notice\" role=\"status\">Photo can no longer use your account.");
    contains(b, "<h3>Photo &quot;&gt;&lt;img src=x onerror=alert(1)&gt;</h3>");
    assert_int_equal(count(b, "<img"), 0);
    contains(b, "Authorized since <time datetime=\"2026-12-05\">5 December 2026</time>");
    contains(b, "<li><code>profile</code> <span class=\"d\">See your name</span></li>");
    contains(b, "<h3>app-2</h3>"); /* no name: the id */
    contains(b, "<p>No specific permissions.</p>");
    /* one Revoke form per application and one Sign out, each with the CSRF token */
    assert_int_equal(count(b, "<form method=\"post\" action=\"/account\">"), 3);
    assert_int_equal(count(b, "<input type=\"hidden\" name=\"csrf\" value=\"tok\">"), 3);
    assert_int_equal(count(b, "name=\"action\" value=\"revoke\""), 2);
    assert_int_equal(count(b, "name=\"action\" value=\"signout\""), 1);
    contains(b, "<input type=\"hidden\" name=\"client_id\" value=\"app-1\">");
    contains(b, "<input type=\"hidden\" name=\"client_id\" value=\"app-2\">");
    assert_int_equal(count(b, ">Revoke access</button>"), 2);
    contains(b, ">Sign out</button>");
    page_free(&p);
}

static void test_account_page_without_grants_and_its_login(void **state)
{
    struct page p;
    page_init(&p);
    struct grantd_ui_account v = {"/account", "tok", "bob", NULL, NULL, 0, NULL, NULL};
    grantd_ui_account_page(&p.req, &p.resp, 200, &v);
    check_markup(p.resp.body);
    contains(p.resp.body, "<p id=\"no-grants\">No application can use your account.");
    lacks(p.resp.body, "Revoke");
    page_free(&p);

    page_init(&p);
    struct grantd_ui_signin l = {"/account", "c2", "bob", NULL, "Wrong."};
    grantd_ui_account_login_page(&p.req, &p.resp, 401, &l);
    check_response(&p, 401, 0);
    check_markup(p.resp.body);
    contains(p.resp.body, "name=\"action\" value=\"login\"");
    contains(p.resp.body, "<input type=\"hidden\" name=\"csrf\" value=\"c2\">");
    contains(p.resp.body, "role=\"alert\">Wrong.</p>");
    contains(tag_of(&p, "id=\"username\""), " value=\"bob\"");
    page_free(&p);
}

static void test_landing_and_not_found_pages(void **state)
{
    struct page p;
    page_init(&p);
    grantd_ui_landing_page(&p.req, &p.resp, "http://127.0.0.1:1/account");
    check_response(&p, 200, 0);
    check_markup(p.resp.body);
    contains(p.resp.body, "<a href=\"http://127.0.0.1:1/account\">Go to your account</a>");
    page_free(&p);
    page_init(&p);
    grantd_ui_not_found_page(&p.req, &p.resp, "/account");
    check_response(&p, 404, 0);
    check_markup(p.resp.body);
    contains(p.resp.body, "<h1>Page not found</h1>");
    page_free(&p);
}

static void test_error_page_hostile(void **state)
{
    struct page p;
    page_init(&p);
    grantd_ui_error_page(&p.req, &p.resp, 500, H_IMG, H_SCRIPT " " H_UTF8);
    check_response(&p, 500, 0);
    check_markup(p.resp.body);
    contains(p.resp.body, "<title>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</title>");
    contains(p.resp.body, "<p>&lt;script&gt;alert(1)&lt;/script&gt; " H_UTF8 "</p>");
    page_free(&p);
}

static void test_oversized_page_is_a_400(void **state)
{
    size_t n = 300 * 1024;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, '"', n); /* six bytes each once escaped */
    big[n] = '\0';
    struct page p;
    page_init(&p);
    struct grantd_ui_login v = {{"/login", big, "c", NULL}, "App", NULL, NULL, NULL};
    grantd_ui_login_page(&p.req, &p.resp, 200, &v);
    check_response(&p, 400, 0);
    check_markup(p.resp.body);
    contains(p.resp.body, "<h1>Request too large</h1>");
    lacks(p.resp.body, "&quot;&quot;");
    assert_true(p.resp.body_len < 8192); /* the frame (its stylesheet) and one sentence */
    page_free(&p);
    free(big);
}

static void test_csp_is_computed_once(void **state)
{
    struct page a, b;
    page_init(&a);
    page_init(&b);
    grantd_ui_error_page(&a.req, &a.resp, 400, "t", "m");
    grantd_ui_error_page(&b.req, &b.resp, 400, "t", "m");
    assert_ptr_equal(header(&a.resp, "Content-Security-Policy"),
                     header(&b.resp, "Content-Security-Policy"));
    page_free(&a);
    page_free(&b);
}

/* An issuer with branding (issue 13 item 5): the page is in the negotiated language, carries
 * the escaped product name, and its CSP pins the theme's stylesheet, whose colours are the
 * profile's. */
static void test_branded_page(void **state)
{
    (void)state;
    struct grantd_config cfg;
    grantd_config_defaults(&cfg);
    grantd_config_set(&cfg.profile.branding.product_name, H_SCRIPT);
    grantd_config_set(&cfg.profile.branding.primary_color, "#0A7F3C");
    static char *langs[] = {"nl", "de", NULL};
    cfg.profile.branding.languages = langs;
    struct grantd_issuer iss = {.url = "http://127.0.0.1", .prefix = "", .cfg = &cfg};
    struct grantd_param hdr[] = {{"accept-language", "fr, de-AT;q=0.8, nl;q=0.5"}};
    struct page p;
    page_init(&p);
    p.req.iss = &iss;
    p.req.headers = (struct grantd_params){hdr, 1};
    struct grantd_ui_login v = {.form = {"/login", "q", "c"}, .client_name = "Example App"};
    grantd_ui_login_page(&p.req, &p.resp, 200, &v);
    const char *b = p.resp.body;
    assert_true(strncmp(b, "<!doctype html>\n<html lang=\"de\">\n", 33) == 0);
    contains(b, "<title>Anmelden \xe2\x80\x93 &lt;script&gt;alert(1)&lt;/script&gt;</title>");
    contains(b, "<p class=\"brand\" id=\"brand\">&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    contains(b, "um mit Example App fortzufahren");
    contains(b, "<style>:root{--p:#0a7f3c;--on-p:#ffffff;--bg:#f3f4f6;--fg:#111827}");
    check_csp(b, header(&p.resp, "Content-Security-Policy"), 0);
    check_markup(b);
    /* grantd's own look keeps its own hash: the two CSPs differ */
    struct page d;
    page_init(&d);
    grantd_ui_login_page(&d.req, &d.resp, 200, &v);
    assert_string_not_equal(header(&d.resp, "Content-Security-Policy"),
                            header(&p.resp, "Content-Security-Policy"));
    contains(d.resp.body, "<html lang=\"en\">");
    page_free(&d);
    page_free(&p);
    cfg.profile.branding.languages = NULL; /* static */
    grantd_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_page),
        cmocka_unit_test(test_problem_page),
        cmocka_unit_test(test_account_page),
        cmocka_unit_test(test_account_page_without_grants_and_its_login),
        cmocka_unit_test(test_landing_and_not_found_pages),
        cmocka_unit_test(test_login_failed_attempt),
        cmocka_unit_test(test_login_hostile_values),
        cmocka_unit_test(test_utf8_passes_through),
        cmocka_unit_test(test_consent_page),
        cmocka_unit_test(test_consent_has_two_decisions_and_a_sign_out),
        cmocka_unit_test(test_consent_without_account_or_scopes),
        cmocka_unit_test(test_consent_hostile_values),
        cmocka_unit_test(test_oob_page),
        cmocka_unit_test(test_oob_expiry_wording),
        cmocka_unit_test(test_oob_hostile_values),
        cmocka_unit_test(test_error_page),
        cmocka_unit_test(test_error_page_hostile),
        cmocka_unit_test(test_oversized_page_is_a_400),
        cmocka_unit_test(test_csp_is_computed_once),
        cmocka_unit_test(test_branded_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
