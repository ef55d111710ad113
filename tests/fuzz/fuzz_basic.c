/* libFuzzer target for grantd_basic_parse on Authorization header values. It checks that
 * "not Basic" is decided by the scheme alone, that accepted credentials are within the cap
 * with a non-empty id, and that re-encoding them (RFC 6749 §2.3.1) parses back to them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "fuzz_check.h"
#include "http/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int scheme_is_basic(const char *h)
{
    return strncasecmp(h, "basic", 5) == 0 && (h[5] == ' ' || h[5] == '\0');
}

static void check_round_trip(struct grantd_arena *a, const char *user, const char *pass)
{
    size_t ulen = strlen(user), plen = strlen(pass);
    char *raw = malloc(3 * (ulen + plen) + 2);
    size_t o = 0;
    fuzz_urlencode(user, raw, &o);
    raw[o++] = ':';
    fuzz_urlencode(pass, raw, &o);
    char *h = malloc(6 + 4 * (o / 3 + 1) + 1);
    memcpy(h, "Basic ", 6);
    EVP_EncodeBlock((unsigned char *)h + 6, (const unsigned char *)raw, (int)o);
    const char *u2, *p2;
    FUZZ_CHECK(grantd_basic_parse(a, h, &u2, &p2) == GRANTD_OK);
    FUZZ_CHECK(strcmp(u2, user) == 0 && strcmp(p2, pass) == 0);
    free(h);
    free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = malloc(size + 1); /* a header value is a C string */
    memcpy(h, data, size);
    h[size] = '\0';
    struct grantd_arena *a = grantd_arena_new(4096);
    const char *user = "unset", *pass = "unset";
    grantd_rc rc = grantd_basic_parse(a, h, &user, &pass);
    FUZZ_CHECK((rc == GRANTD_ENOTFOUND) == !scheme_is_basic(h));
    if (rc == GRANTD_OK) {
        FUZZ_CHECK(user != NULL && pass != NULL && user[0] != '\0');
        FUZZ_CHECK(strlen(user) <= GRANTD_DEFAULT_MAX_VALUE_LEN);
        FUZZ_CHECK(strlen(pass) <= GRANTD_DEFAULT_MAX_VALUE_LEN);
        check_round_trip(a, user, pass);
    } else {
        FUZZ_CHECK(rc == GRANTD_EINVAL || rc == GRANTD_ENOTFOUND);
        FUZZ_CHECK(user == NULL && pass == NULL);
    }
    grantd_arena_free(a);
    free(h);
    return 0;
}
