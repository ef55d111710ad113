/* Unit tests of the page-language negotiation and the catalog (ui/i18n.c), and of the
 * theme's colours and cache (ui/theme.c): what a user with a given browser language or
 * ui_locales sees, fallbacks, q-values, malformed input, a profile's wording, and that a
 * colour that is not #rrggbb never reaches the stylesheet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/config_int.h"
#include "ui/i18n.h"
#include "ui/theme.h"

static char *const offered[] = {"nl", "fr", "en", NULL};
static char *const de_en[] = {"de", "en", NULL};

#define AL(h) grantd_locale_from_accept_language((h), offered)
#define UL(u) grantd_locale_from_ui_locales((u), offered)

static void test_accept_language(void **state)
{
    (void)state;
    assert_string_equal(AL("fr"), "fr");
    assert_string_equal(AL("nl-BE,nl;q=0.9,en;q=0.8"), "nl");
    assert_string_equal(AL("de-DE,de;q=0.9,en;q=0.8"), "en");   /* de not offered */
    assert_string_equal(AL("en;q=0.5, fr;q=0.9"), "fr");         /* weight, not order */
    assert_string_equal(AL("en;q=0.5, fr;q=0.5"), "en");         /* tie: earlier wins */
    assert_string_equal(AL("FR-be"), "fr");                       /* case-insensitive */
    assert_string_equal(AL("  fr ; q=1.0 "), "fr");
    assert_string_equal(AL("de, *;q=0.1"), "nl");                 /* * is the default */
    assert_null(AL("fr;q=0"));                                    /* refused */
    assert_null(AL("de, es"));
    assert_null(AL(NULL));
    assert_null(AL(""));
    assert_null(AL("fr;q=2"));          /* malformed weights are ignored */
    assert_null(AL("fr;q=0.1234"));
    assert_null(AL("fr;q=abc"));
    assert_null(AL("frx"));             /* no prefix matching inside a subtag */
    assert_null(AL("f"));
    assert_null(AL("fr_BE"));           /* '_' is not a subtag separator */
    assert_null(AL(",,,;;;"));
    assert_string_equal(AL("xx;q=0.9, en;q=0.001"), "en");
}

static void test_ui_locales(void **state)
{
    (void)state;
    assert_string_equal(UL("fr-CA en"), "fr");
    assert_string_equal(UL("de   en"), "en");     /* first supported wins */
    assert_null(UL("de es"));
    assert_null(UL(""));
    assert_null(UL("   "));
    assert_null(UL(NULL));
    /* absent offered list: English alone */
    assert_string_equal(grantd_locale_from_ui_locales("de en", NULL), "en");
}

static void test_choose_order(void **state)
{
    (void)state;
    /* ui_locales first, then Accept-Language, then the issuer's first language */
    assert_string_equal(grantd_locale_choose("en", "fr", offered), "en");
    assert_string_equal(grantd_locale_choose("de", "fr", offered), "fr");
    assert_string_equal(grantd_locale_choose(NULL, "de", offered), "nl");
    assert_string_equal(grantd_locale_choose(NULL, NULL, NULL), "en");
    assert_string_equal(grantd_locale_choose("de", NULL, de_en), "de");
}

static void test_long_input_is_capped(void **state)
{
    (void)state;
    char big[4 * GRANTD_LOCALE_INPUT_MAX];
    memset(big, ' ', sizeof(big));
    memcpy(big + sizeof(big) - 3, "fr", 3); /* past the cap: not looked at */
    assert_null(UL(big));
    memset(big, ',', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_null(AL(big));
}

static void test_catalog_and_overrides(void **state)
{
    (void)state;
    struct grantd_profile p;
    memset(&p, 0, sizeof(p));
    assert_string_equal(grantd_i18n_text(NULL, "en", GRANTD_T_sign_in_title), "Sign in");
    assert_string_equal(grantd_i18n_text(NULL, "de", GRANTD_T_sign_in_title), "Anmelden");
    assert_string_equal(grantd_i18n_text(NULL, "nl", GRANTD_T_authorize_button), "Toestaan");
    assert_string_equal(grantd_i18n_text(NULL, "xx", GRANTD_T_sign_in_title), "Sign in");
    assert_string_equal(grantd_i18n_text(NULL, NULL, GRANTD_T_sign_in_title), "Sign in");
    struct grantd_ui_text_override o[3] = {
        {"en", GRANTD_T_authorize_button, "Allow"},
        {"en", GRANTD_T_authorize_button, "Connect"}, /* a later setting wins */
        {"de", GRANTD_T_cancel_button, "Nein"},
    };
    p.branding.texts = o;
    p.branding.text_count = 3;
    assert_string_equal(grantd_i18n_text(&p, "en", GRANTD_T_authorize_button), "Connect");
    assert_string_equal(grantd_i18n_text(&p, "de", GRANTD_T_authorize_button), "Erlauben");
    assert_string_equal(grantd_i18n_text(&p, "de", GRANTD_T_cancel_button), "Nein");
    assert_string_equal(grantd_i18n_text(&p, "en", GRANTD_T_cancel_button), "Cancel");
}

static void test_every_shipped_text_is_there(void **state)
{
    (void)state;
    for (int i = 0; i < GRANTD_TEXT_COUNT; i++) {
        assert_non_null(grantd_i18n_de[i]);
        assert_non_null(grantd_i18n_nl[i]);
    }
}

static void test_color_check(void **state)
{
    (void)state;
    assert_null(grantd_cfgchk_color("#0a7f3C"));
    assert_non_null(grantd_cfgchk_color("red"));
    assert_non_null(grantd_cfgchk_color("#fff"));
    assert_non_null(grantd_cfgchk_color("#123456;}body{background:url(//x)}"));
    assert_non_null(grantd_cfgchk_color("#12345g"));
    assert_non_null(grantd_cfgchk_color(""));
    assert_null(grantd_cfgchk_language("nl"));
    assert_non_null(grantd_cfgchk_language("klingon"));
    assert_non_null(grantd_cfgchk_product_name("a\nb"));
}

static void test_logo_url_check(void **state)
{
    (void)state;
    assert_null(grantd_config_check_logo_url("https://cdn.acme.example/brand/logo-2.png"));
    assert_null(grantd_config_check_logo_url("https://cdn.acme.example:8443/l%20o.svg"));
    assert_null(grantd_config_check_logo_url("http://127.0.0.1:9000/logo.png"));
    assert_null(grantd_config_check_logo_url("http://localhost/logo.png"));
    /* what would widen or break the CSP's img-src, or leave the attribute */
    const char *bad[] = {
        "http://cdn.acme.example/logo.png",      /* plain http off loopback */
        "http://127.0.0.1.evil.example/x.png",
        "https://cdn.acme.example",               /* no path: the whole origin */
        "https://cdn.acme.example/",              /* a directory: everything under it */
        "https://*.acme.example/logo.png",
        "https://cdn.acme.example/logo.png?v=2",  /* CSP ignores queries */
        "https://cdn.acme.example/logo.png#x",
        "https://cdn.acme.example/a.png; script-src *",
        "https://cdn.acme.example/a.png,https://evil.example/",
        "https://user@cdn.acme.example/logo.png",
        "https://cdn.acme.example/\"onerror=\"x",
        "data:image/png;base64,AAAA",
        "https://cdn.acme.example:/logo.png",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (!grantd_config_check_logo_url(bad[i]))
            fail_msg("accepted %s", bad[i]);
}

static void test_theme_cache(void **state)
{
    (void)state;
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_profile p1, p2, bad;
    memset(&p1, 0, sizeof(p1));
    memset(&p2, 0, sizeof(p2));
    memset(&bad, 0, sizeof(bad));
    p1.branding.primary_color = "#0A7F3C";
    p2.branding.primary_color = "#0a7f3c";
    /* a value that did not pass the loader (a test building a profile by hand) is dropped */
    bad.branding.primary_color = "#000000;}*{background:url(//evil)}";
    const struct grantd_theme *t1 = grantd_theme_get(&p1, a), *t2 = grantd_theme_get(&p2, a);
    assert_ptr_equal(t1, t2); /* same colours: one cached theme, one CSP */
    assert_non_null(strstr(t1->style, "--p:#0a7f3c;"));
    assert_non_null(strstr(t1->style, "--on-p:#ffffff;")); /* dark green: white text */
    const struct grantd_theme *d = grantd_theme_get(NULL, a);
    assert_ptr_not_equal(d, t1);
    assert_string_not_equal(d->csp_plain, t1->csp_plain);
    const struct grantd_theme *b = grantd_theme_get(&bad, a);
    assert_ptr_equal(b, d);
    assert_null(strstr(b->style, "evil"));
    p1.branding.primary_color = "#fde047"; /* light yellow: dark text on buttons */
    assert_non_null(strstr(grantd_theme_get(&p1, a)->style, "--on-p:#111827;"));
    /* a logo: img-src names exactly its URL, and it is another theme */
    p2.branding.logo_url = "https://cdn.acme.example/logo.png";
    const struct grantd_theme *t3 = grantd_theme_get(&p2, a);
    assert_ptr_not_equal(t3, t1);
    assert_non_null(strstr(t3->csp_plain, "; img-src https://cdn.acme.example/logo.png;"));
    assert_non_null(strstr(t1->csp_plain, "; img-src 'none';"));
    p2.branding.logo_url = "https://cdn.acme.example/"; /* never loaded: no logo */
    assert_ptr_equal(grantd_theme_get(&p2, a), t1);
    char hash[45];
    grantd_theme_hash(t1->style, t1->style_len, hash);
    assert_non_null(strstr(t1->csp_plain, hash));
    grantd_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_language),
        cmocka_unit_test(test_ui_locales),
        cmocka_unit_test(test_choose_order),
        cmocka_unit_test(test_long_input_is_capped),
        cmocka_unit_test(test_catalog_and_overrides),
        cmocka_unit_test(test_every_shipped_text_is_there),
        cmocka_unit_test(test_color_check),
        cmocka_unit_test(test_logo_url_check),
        cmocka_unit_test(test_theme_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
