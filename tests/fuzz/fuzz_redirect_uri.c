/* libFuzzer target for the redirect URI rules (oauth/redirect_uri.c). The input is split at
 * its first NUL or newline into a registered URI and a requested one (no separator: both
 * are the whole input). Beyond "no crash, no leak", it checks what the rules promise:
 *   - the registration check answers OK, EINVAL or ETOOBIG, with a reason on error, and a
 *     URI it accepts without wildcards holds no '*' and matches itself;
 *   - a wildcard pattern never matches itself (a pattern is no redirect target);
 *   - whatever matches passes the registration check without wildcards, the wildcard flag
 *     only ever widens a match, and every match is explained by an independent re-derivation
 *     of one rule: equal bytes, loopback port, one host label or a safe path suffix;
 *   - resolve agrees with matches, and never picks a URI that fails the registration check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "oauth/redirect_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ok(const char *uri, int insecure, int wildcard)
{
    const char *why = "unset";
    grantd_rc rc = grantd_redirect_uri_check_registration(uri, insecure, wildcard, &why);
    if (rc == GRANTD_OK) {
        FUZZ_CHECK(strcmp(why, "unset") == 0);
        FUZZ_CHECK(strlen(uri) <= GRANTD_REDIRECT_URI_MAX);
        return 1;
    }
    FUZZ_CHECK(rc == GRANTD_EINVAL || rc == GRANTD_ETOOBIG);
    FUZZ_CHECK(why != NULL && why[0] != '\0' && strcmp(why, "unset") != 0);
    FUZZ_CHECK((rc == GRANTD_ETOOBIG) == (strlen(uri) > GRANTD_REDIRECT_URI_MAX));
    return 0;
}

/* What the check promises about one URI on its own. */
static void check_alone(const char *uri)
{
    int plain = ok(uri, 0, 0), insecure = ok(uri, 1, 0);
    int wild = ok(uri, 0, 1), wild_insecure = ok(uri, 1, 1);
    FUZZ_CHECK(!plain || insecure);       /* allow_insecure_http only widens */
    FUZZ_CHECK(!plain || wild);           /* allow_wildcard only widens */
    FUZZ_CHECK(!wild || wild_insecure);
    if (insecure) {
        FUZZ_CHECK(strchr(uri, '*') == NULL);
        FUZZ_CHECK(grantd_redirect_uri_matches(uri, uri, 0) == 1);
        FUZZ_CHECK(grantd_redirect_uri_matches(uri, uri, 1) == 1);
    }
    if (wild && strchr(uri, '*')) {
        FUZZ_CHECK(strncmp(uri, "https://", 8) == 0);
        FUZZ_CHECK(strchr(uri, '*') == strrchr(uri, '*'));
        FUZZ_CHECK(grantd_redirect_uri_matches(uri, uri, 1) == 0);
    }
}

/* The part of a loopback URI after "http://127.0.0.1" or "http://[::1]" and its port. */
static const char *after_loopback_port(const char *uri, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(uri, prefix, n) != 0)
        return NULL;
    uri += n;
    if (*uri == ':')
        uri += 1 + strspn(uri + 1, "0123456789");
    return uri;
}

static int loopback_explains(const char *reg, const char *req)
{
    static const char *const prefixes[] = {"http://127.0.0.1", "http://[::1]"};
    for (size_t i = 0; i < 2; i++) {
        const char *a = after_loopback_port(reg, prefixes[i]);
        const char *b = after_loopback_port(req, prefixes[i]);
        /* strchr finds the terminator too: nothing after the port is fine */
        if (a && b && strcmp(a, b) == 0 && strchr("/?", b[0]))
            return 1;
    }
    return 0;
}

/* req = "https://" LABEL rest-of-reg-after-'*', LABEL 1..63 of [a-z0-9-]. */
static int host_wildcard_explains(const char *reg, const char *req)
{
    if (strncmp(reg, "https://*", 9) != 0 || strncmp(req, "https://", 8) != 0)
        return 0;
    size_t rest = strlen(reg + 9), total = strlen(req + 8);
    if (total <= rest || total - rest > 63 || strcmp(req + 8 + (total - rest), reg + 9) != 0)
        return 0;
    for (size_t i = 0; i < total - rest; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-", req[8 + i]))
            return 0;
    return reg[9] == '.';
}

/* reg ends in "/" then '*', req = reg without the '*' then unreserved bytes and '/', with no
 * empty, "." or ".." segment but the last. */
static int path_wildcard_explains(const char *reg, const char *req)
{
    size_t n = strlen(reg);
    if (n < 2 || reg[n - 1] != '*' || reg[n - 2] != '/' || strncmp(req, reg, n - 1) != 0)
        return 0;
    const char *rem = req + n - 1;
    if (strspn(rem, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/") !=
        strlen(rem))
        return 0;
    size_t len = strlen(rem);
    char *wrapped = malloc(len + 3);
    wrapped[0] = '/';
    memcpy(wrapped + 1, rem, len);
    wrapped[len + 1] = '/';
    wrapped[len + 2] = '\0';
    /* "//" only as the added final slash after an empty last segment */
    int bad = strstr(wrapped, "/./") || strstr(wrapped, "/../") ||
              (strstr(wrapped, "//") && strstr(wrapped, "//") != wrapped + len);
    free(wrapped);
    return !bad;
}

static void check_pair(const char *reg, const char *req)
{
    int m0 = grantd_redirect_uri_matches(reg, req, 0);
    int m1 = grantd_redirect_uri_matches(reg, req, 1);
    FUZZ_CHECK(m0 == 0 || m0 == 1);
    FUZZ_CHECK(m1 == 0 || m1 == 1);
    FUZZ_CHECK(!m0 || m1);
    if (!m1)
        return;
    FUZZ_CHECK(ok(req, 1, 0));
    FUZZ_CHECK(strchr(req, '*') == NULL);
    if (m0) {
        FUZZ_CHECK(strchr(reg, '*') == NULL);
        FUZZ_CHECK(strcmp(reg, req) == 0 || loopback_explains(reg, req));
        if (ok(reg, 1, 0))
            FUZZ_CHECK(grantd_redirect_uri_matches(req, reg, 0) == 1);
        return;
    }
    FUZZ_CHECK(ok(reg, 0, 1));
    FUZZ_CHECK(strncmp(req, "https://", 8) == 0);
    FUZZ_CHECK(host_wildcard_explains(reg, req) || path_wildcard_explains(reg, req));
}

static void check_resolve(const char *reg, const char *req)
{
    const char *list[1] = {reg}, *eff = "unset", *why = "unset";
    for (int w = 0; w <= 1; w++) {
        int m = grantd_redirect_uri_matches(reg, req, w);
        grantd_rc rc = grantd_redirect_uri_resolve(list, 1, req, w, &eff, &why);
        if (req[0]) {
            FUZZ_CHECK((rc == GRANTD_OK) == m);
            FUZZ_CHECK(rc != GRANTD_OK || eff == req);
        }
        FUZZ_CHECK(rc == GRANTD_OK || (rc == GRANTD_EINVAL && eff == NULL && why && why[0]));
        rc = grantd_redirect_uri_resolve(list, 1, NULL, w, &eff, NULL);
        FUZZ_CHECK((rc == GRANTD_OK) == ok(reg, 1, 0));
        FUZZ_CHECK(rc != GRANTD_OK || eff == reg);
        rc = grantd_redirect_uri_resolve(NULL, 0, req, w, &eff, &why);
        FUZZ_CHECK((rc == GRANTD_OK) ==
                   (req[0] == '\0' || strcmp(req, GRANTD_REDIRECT_URI_OOB) == 0));
        FUZZ_CHECK(rc != GRANTD_OK || eff == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    size_t cut = 0;
    while (cut < size && buf[cut] != '\0' && buf[cut] != '\n')
        cut++;
    const char *reg = buf, *req = buf;
    if (cut < size) {
        buf[cut] = '\0';
        req = buf + cut + 1;
    }
    check_alone(reg);
    if (req != reg)
        check_alone(req);
    check_pair(reg, req);
    check_pair(req, reg);
    check_resolve(reg, req);
    free(buf);
    return 0;
}
