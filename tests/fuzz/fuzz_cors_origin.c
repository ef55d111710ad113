/* libFuzzer target for grantd_cors_origin (oauth/cors.c) on Origin header values and
 * redirect URIs: the first byte picks which (bit 0 set: an Origin header), the rest is the
 * text (up to a NUL). Invariants: an answer is "http://" or "https://" and an authority of
 * no upper-case letter, no '/', '?', '#', '@', '*', space or control character, and no
 * default port; it is its own origin (read again, as a header, it comes back the same); an
 * Origin value is accepted only when it is that answer up to letter case and a port's
 * leading zeros or default; and a URI's answer does not depend on what follows its authority. */
#include <stdint.h>
#include <string.h>

#include "fuzz_assert.h"
#include "oauth/cors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_shape(const char *o)
{
    const char *auth = strncmp(o, "https://", 8) == 0 ? o + 8
                       : strncmp(o, "http://", 7) == 0 ? o + 7 : NULL;
    FUZZ_CHECK(auth && *auth);
    for (const char *p = auth; *p; p++)
        FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z') && (unsigned char)*p > ' ' &&
                   (unsigned char)*p < 0x7f && !strchr("/?#@*", *p));
    size_t n = strlen(o);
    FUZZ_CHECK(!(n > 4 && strcmp(o + n - 4, ":443") == 0 && o[4] == 's'));
    FUZZ_CHECK(!(n > 3 && strcmp(o + n - 3, ":80") == 0 && o[4] == ':'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1024)
        return 0;
    struct grantd_arena *a = grantd_arena_new(4096);
    int header = data[0] & 1;
    const char *text = grantd_arena_strndup(a, (const char *)data + 1, size - 1);
    const char *o = grantd_cors_origin(a, text, header);
    if (o) {
        check_shape(o);
        const char *again = grantd_cors_origin(a, o, 1);
        FUZZ_CHECK(again && strcmp(again, o) == 0);
        if (header) /* nothing after the authority */
            FUZZ_CHECK(!strpbrk(strstr(text, "://") + 3, "/?#"));
        else { /* the same authority with another path names the same origin */
            const char *auth = strstr(text, "://") + 3;
            size_t n = strcspn(auth, "/?#");
            const char *other = grantd_arena_printf(a, "%.*s/x?y#z", (int)(auth + n - text),
                                                    text);
            const char *o2 = grantd_cors_origin(a, other, 0);
            FUZZ_CHECK(o2 && strcmp(o2, o) == 0);
        }
    }
    grantd_arena_free(a);
    return 0;
}
