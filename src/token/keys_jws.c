/* JWS for other tokens than access tokens (OpenID Connect ID tokens): signing a payload
 * with a key of the keyring's chain of an alg, and reading back one the keyring signed
 * (id_token_hint). The keyring (keys.c) lends its keys through two internal functions of
 * jwt_int.h; this file sees no snapshot, store or master key. */
#include "token/keys.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/crypto.h"
#include "token/jwt_int.h"

/* base64url of text into the arena. */
static char *b64_text(struct grantd_arena *a, const char *text, size_t n, size_t *len)
{
    char *out = grantd_arena_alloc(a, grantd_b64url_len(n) + 1);
    *len = grantd_b64url_encode(text, n, out);
    return out;
}

/* The protected header {"alg":...,"kid":...,"typ":...} in the arena; NULL when typ is not
 * UTF-8. */
static char *jws_header(struct grantd_arena *a, const struct grantd_jwk *k, const char *typ)
{
    json_t *h = json_pack("{s:s,s:s}", "alg", grantd_jwk_alg_name(k->alg), "kid", k->kid);
    if (h && typ && json_object_set_new(h, "typ", json_string(typ)) != 0) {
        json_decref(h);
        h = NULL;
    }
    char *text = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(h);
    char *copy = text ? grantd_arena_strdup(a, text) : NULL;
    free(text);
    return copy;
}

grantd_rc grantd_keyring_sign_jws(struct grantd_keyring *kr, struct grantd_arena *a, int64_t now,
                                  const char *alg, const char *typ, const char *payload,
                                  const char **out)
{
    int algo = alg ? grantd_jwk_alg_parse(alg) : 0;
    *out = NULL;
    if (!algo || !payload)
        return GRANTD_EINVAL;
    json_t *p = json_loads(payload, JSON_REJECT_DUPLICATES, NULL); /* jansson wants UTF-8 */
    json_t *t = typ ? json_string(typ) : NULL;
    int ok = json_is_object(p) && (!typ || t);
    json_decref(p);
    json_decref(t);
    if (!ok)
        return GRANTD_EINVAL;
    const struct grantd_jwk *k = NULL;
    grantd_rc rc = grantd_keyring__signer(kr, now, (enum grantd_jwk_alg)algo, &k);
    if (rc != GRANTD_OK)
        return rc;
    const char *header = jws_header(a, k, typ);
    if (!header)
        return GRANTD_EINVAL;
    size_t hl = 0, pl = 0;
    const char *h64 = b64_text(a, header, strlen(header), &hl);
    const char *p64 = b64_text(a, payload, strlen(payload), &pl);
    char *jws = grantd_arena_alloc(a, hl + pl + 2 + grantd_b64url_len(GRANTD_JWK_SIG_MAX) + 1);
    memcpy(jws, h64, hl);
    jws[hl] = '.';
    memcpy(jws + hl + 1, p64, pl);
    unsigned char sig[GRANTD_JWK_SIG_MAX];
    size_t sig_len = 0;
    if ((rc = grantd_jwk_sign(k, jws, hl + 1 + pl, sig, &sig_len)) != GRANTD_OK)
        return rc;
    jws[hl + 1 + pl] = '.';
    grantd_b64url_encode(sig, sig_len, jws + hl + 2 + pl);
    *out = jws;
    return GRANTD_OK;
}

/* The n base64url characters at in, decoded into the arena and NUL-terminated; NULL when
 * they are not base64url. */
static char *b64_part(struct grantd_arena *a, const char *in, size_t n, size_t *len)
{
    char *out = grantd_arena_alloc(a, n * 3 / 4 + 4);
    if (grantd_b64_decode(in, n, 0, (unsigned char *)out, len) != GRANTD_OK)
        return NULL;
    out[*len] = '\0';
    return out;
}

/* The key the header (JSON text) names when it is one of kr's published at now with its own
 * alg (GRANTD_OK), its typ (NULL when absent) into the arena; GRANTD_EINVAL for any other
 * header, GRANTD_ESTORE when the keys cannot be read. */
static grantd_rc header_key(struct grantd_keyring *kr, struct grantd_arena *a, int64_t now,
                            const char *header, size_t n, const struct grantd_jwk **k,
                            const char **typ)
{
    json_t *h = json_loadb(header, n, JSON_REJECT_DUPLICATES, NULL);
    json_t *alg = json_object_get(h, "alg"), *kid = json_object_get(h, "kid");
    json_t *t = json_object_get(h, "typ");
    grantd_rc rc = GRANTD_EINVAL;
    *k = NULL;
    if (json_is_string(alg) && json_is_string(kid) && (!t || json_is_string(t)) &&
        !json_object_get(h, "crit"))
        rc = grantd_keyring__published(kr, now, json_string_value(kid), k);
    if (rc == GRANTD_ENOTFOUND ||
        (*k && strcmp(json_string_value(alg), grantd_jwk_alg_name((*k)->alg)) != 0))
        rc = GRANTD_EINVAL;
    *typ = rc == GRANTD_OK && t ? grantd_arena_strdup(a, json_string_value(t)) : NULL;
    json_decref(h);
    return rc;
}

grantd_rc grantd_keyring_verify_jws(struct grantd_keyring *kr, struct grantd_arena *a,
                                    int64_t now, const char *jws, const char **payload,
                                    const char **typ)
{
    *payload = NULL;
    *typ = NULL;
    const char *d1 = jws ? strchr(jws, '.') : NULL, *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d2 || strchr(d2 + 1, '.'))
        return GRANTD_EINVAL;
    size_t hl = 0, pl = 0, sl = 0, sig_chars = strlen(d2 + 1);
    const char *header = b64_part(a, jws, (size_t)(d1 - jws), &hl);
    const char *t = NULL;
    const struct grantd_jwk *k = NULL;
    grantd_rc rc = header ? header_key(kr, a, now, header, hl, &k, &t) : GRANTD_EINVAL;
    if (rc != GRANTD_OK)
        return rc;
    if (sig_chars > grantd_b64url_len(GRANTD_JWK_SIG_MAX))
        return GRANTD_EINVAL;
    const char *sig = b64_part(a, d2 + 1, sig_chars, &sl);
    if (!sig || !grantd_jwk_verify(k, jws, (size_t)(d2 - jws), (const unsigned char *)sig, sl))
        return GRANTD_EINVAL;
    const char *body = b64_part(a, d1 + 1, (size_t)(d2 - d1 - 1), &pl);
    json_t *o = body ? json_loadb(body, pl, JSON_REJECT_DUPLICATES, NULL) : NULL;
    int ok = json_is_object(o) && strlen(body) == pl;
    json_decref(o);
    if (!ok)
        return GRANTD_EINVAL;
    *payload = body;
    *typ = t;
    return GRANTD_OK;
}

