/* libFuzzer target for the page-language parsers (ui/i18n.h): Accept-Language and
 * ui_locales values. Each never reads past the string, answers NULL or an entry of the
 * offered list (never anything else), and the whole negotiation always answers an offered
 * language. Agreement checks: putting "xx;q=0, " in front of an Accept-Language value
 * changes nothing (a refused unknown language), and ui_locales with an offered tag in front
 * picks that tag. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "ui/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *const offered[] = {"nl", "de", "en", NULL};

static int is_offered(const char *s)
{
    for (size_t i = 0; offered[i]; i++)
        if (s == offered[i])
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1); /* header and parameter values are C strings */
    memcpy(v, data, size);
    v[size] = '\0';
    const char *a = grantd_locale_from_accept_language(v, offered);
    const char *u = grantd_locale_from_ui_locales(v, offered);
    FUZZ_CHECK(!a || is_offered(a));
    FUZZ_CHECK(!u || is_offered(u));
    FUZZ_CHECK(is_offered(grantd_locale_choose(v, v, offered)));
    if (size < 512) {
        char *more = malloc(size + 16);
        memcpy(more, "xx;q=0, ", 8);
        memcpy(more + 8, v, size + 1);
        FUZZ_CHECK(grantd_locale_from_accept_language(more, offered) == a);
        memcpy(more, "de ", 3);
        memcpy(more + 3, v, size + 1);
        FUZZ_CHECK(grantd_locale_from_ui_locales(more, offered) == offered[1]);
        free(more);
    }
    free(v);
    return 0;
}
