/* HTTP Basic credentials (RFC 7617) as OAuth clients send them (RFC 6749 §2.3.1): the
 * Authorization header value "Basic base64(urlencode(id) ':' urlencode(secret))" split into a
 * client id and a secret in the request arena.
 *
 * This module only parses. It does not authenticate the client (oauth/client_auth.c does),
 * never logs what it sees, and does not read any other scheme: a Bearer header is simply
 * "not Basic". Both parts are form-urldecoded by the same strict decoder as form bodies. */
#include "http/params.h"

#include <string.h>
#include <strings.h>

#include "core/crypto.h"
#include "http/params_internal.h"

/* The longest base64 token that can hold an id and a secret of GRANTD_DEFAULT_MAX_VALUE_LEN
 * decoded bytes each, even fully percent-encoded (3 bytes per byte) with the ':' between. */
#define RAW_MAX (2 * 3 * GRANTD_DEFAULT_MAX_VALUE_LEN + 1)
#define TOKEN_MAX (4 * ((RAW_MAX + 2) / 3))

/* The token68 after "Basic " with trailing spaces trimmed. GRANTD_ENOTFOUND when the
 * scheme is not Basic. */
static grantd_rc basic_token(const char *header, const char **tok, size_t *tlen)
{
    if (!header)
        return GRANTD_ENOTFOUND;
    size_t slen = strcspn(header, " ");
    if (slen != 5 || strncasecmp(header, "Basic", 5) != 0)
        return GRANTD_ENOTFOUND;
    const char *t = header + slen;
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n > 0 && t[n - 1] == ' ')
        n--;
    *tok = t;
    *tlen = n;
    return GRANTD_OK;
}

grantd_rc grantd_basic_parse(struct grantd_arena *a, const char *header, const char **user,
                             const char **password)
{
    *user = NULL;
    *password = NULL;
    const char *tok;
    size_t tlen;
    grantd_rc rc = basic_token(header, &tok, &tlen);
    if (rc != GRANTD_OK)
        return rc;
    if (tlen == 0 || tlen > TOKEN_MAX)
        return GRANTD_EINVAL;
    unsigned char *raw = grantd_arena_alloc(a, tlen * 3 / 4 + 3);
    size_t rlen;
    if (grantd_b64_decode(tok, tlen, 1, raw, &rlen) != GRANTD_OK)
        return GRANTD_EINVAL;
    const unsigned char *colon = memchr(raw, ':', rlen);
    if (!colon || colon == raw)
        return GRANTD_EINVAL; /* no ':' at all, or an empty client id */
    size_t idlen = (size_t)(colon - raw);
    const char *id, *secret;
    /* every decoding failure, over-long parts included, is "malformed Basic": EINVAL */
    if (grantd_params_urldecode(a, (const char *)raw, idlen, GRANTD_DEFAULT_MAX_VALUE_LEN, &id,
                                NULL) != GRANTD_OK)
        return GRANTD_EINVAL;
    if (grantd_params_urldecode(a, (const char *)colon + 1, rlen - idlen - 1,
                                GRANTD_DEFAULT_MAX_VALUE_LEN, &secret, NULL) != GRANTD_OK)
        return GRANTD_EINVAL;
    *user = id;
    *password = secret;
    return GRANTD_OK;
}
