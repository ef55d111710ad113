/* Making signing keys and rotating them: a new key generated, sealed under the master key
 * and stored (the keyring's first key, a rotation), the rotation commands' checks, and the
 * state each key is in (`grantd key list`, the admin API). The keyring that reads and signs
 * with them is keys.c; this file keeps no state. */
#include "token/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/crypto.h"
#include "core/seal.h"
#include "token/jwt_int.h"

/* Stores row: with retire_old 0 as the tenant's first key (key_put), else in one rotation
 * (key_rotate). With audit, its entry (target_id: the new kid) is stored in the same
 * transaction; a driver without the audit trail (GRANTD_ENOTSUP) stores the key alone. */
/* With revoke (a kid: grantd_keys_revoke), that key is also retired at row->created_at in
 * the same transaction, and the entry's target is it (the new kid is in its details). */
static grantd_rc store_key(struct grantd_store *s, const struct grantd_key *row,
                           int64_t retire_old, const struct grantd_audit *audit,
                           const char *revoke)
{
    grantd_rc unit = audit ? grantd_store_audit_begin(s) : GRANTD_ENOTSUP;
    if (unit != GRANTD_OK && unit != GRANTD_ENOTSUP)
        return unit;
    grantd_rc rc = retire_old ? grantd_store_key_rotate(s, row->tenant, row, retire_old)
                              : grantd_store_key_put(s, row);
    if (rc == GRANTD_OK && revoke)
        rc = grantd_store_key_retire(s, row->tenant, revoke, row->created_at);
    if (unit != GRANTD_OK)
        return rc;
    struct grantd_audit e = *audit;
    e.tenant = row->tenant;
    e.target_kind = "key";
    e.target_id = revoke ? revoke : row->kid;
    char details[160];
    if (revoke && (!e.details || !*e.details)) {
        snprintf(details, sizeof(details), "{\"new_kid\":\"%.100s\"}", row->kid);
        e.details = details;
    }
    return grantd_store_audit_end(s, &e, rc);
}

/* Generates a key of alg, seals its private part under master with aad = kid and stores it
 * as the tenant's current key (created_at = now, retire_at = 0): with retire_old 0 as its
 * first key (key_put: GRANTD_EEXIST when another process stored one meanwhile), else in one
 * rotation that retires every current key at retire_old (key_rotate); with audit (may be
 * NULL) its entry in the same transaction (store_key). The key is made before the
 * transaction opens: an RSA key takes up to a few hundred milliseconds, during which no
 * other write may wait. *kid_out (arena) gets its kid. */
static grantd_rc create_key(struct grantd_store *s, const unsigned char *master, int64_t tenant,
                            enum grantd_jwk_alg alg, int64_t now, int64_t active_from,
                            int64_t retire_old, const struct grantd_audit *audit,
                            const char *revoke, struct grantd_arena *a, const char **kid_out)
{
    struct grantd_jwk *k = NULL;
    unsigned char *der = NULL, *sealed = NULL;
    size_t der_len = 0, sealed_len = 0;
    grantd_rc rc = grantd_jwk_generate(alg, &k);
    if (rc == GRANTD_OK)
        rc = grantd_jwk_private_der(k, &der, &der_len);
    if (rc == GRANTD_OK)
        rc = grantd_seal(master, k->kid, strlen(k->kid), der, der_len, &sealed, &sealed_len);
    if (rc != GRANTD_OK)
        goto out;
    struct grantd_key row = {
        .tenant = tenant,
        .kid = k->kid,
        .alg = grantd_jwk_alg_name(alg),
        .public_jwk = k->public_jwk,
        .private_sealed = sealed,
        .private_sealed_len = sealed_len,
        .created_at = now,
        .active_from = active_from,
        .retire_at = 0,
    };
    rc = store_key(s, &row, retire_old, audit, revoke);
    if (rc == GRANTD_OK && kid_out)
        *kid_out = grantd_arena_strdup(a, k->kid);
out:
    if (der) {
        OPENSSL_cleanse(der, der_len);
        free(der);
    }
    free(sealed);
    grantd_jwk_free(k);
    return rc;
}

grantd_rc grantd_keys__create(struct grantd_store *s, const unsigned char *master, int64_t tenant,
                            enum grantd_jwk_alg alg, int64_t now, int64_t active_from,
                            int64_t retire_old, const struct grantd_audit *audit,
                            struct grantd_arena *a, const char **kid_out)
{
    return create_key(s, master, tenant, alg, now, active_from, retire_old, audit, NULL, a,
                      kid_out);
}

/* The tenant's keys into *keys (arena a); a store failure as err's reason. */
static grantd_rc list_keys(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           struct grantd_key **keys, size_t *n, char *err, size_t errlen)
{
    grantd_rc rc = grantd_store_key_list(s, a, tenant, keys, n);
    if (rc != GRANTD_OK)
        snprintf(err, errlen, "cannot read the signing keys: %s", grantd_strerror(rc));
    return rc;
}

/* Refuses to rotate under a master key that does not open the published keys: the new
 * key would be sealed under a key the server does not have. */
static grantd_rc check_master(const unsigned char *master, const char *where,
                              const struct grantd_key *keys, size_t n, int64_t now, char *err,
                              size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char *der = NULL;
        size_t len = 0;
        if (!grantd_key_published(&keys[i], now))
            continue;
        if (grantd_unseal(master, keys[i].kid, strlen(keys[i].kid), keys[i].private_sealed,
                          keys[i].private_sealed_len, &der, &len) != GRANTD_OK) {
            snprintf(err, errlen, "signing key %s does not open with the %s: refusing to add "
                                  "a key the server could not read", keys[i].kid, where);
            return GRANTD_ECRYPTO;
        }
        OPENSSL_cleanse(der, len);
        free(der);
    }
    return GRANTD_OK;
}

/* 1 when one of the keys of alg signs at now: published, and active from now or earlier. */
static int any_signs(const struct grantd_key *keys, size_t n, int64_t now, const char *alg)
{
    for (size_t i = 0; i < n; i++)
        if (grantd_key_published(&keys[i], now) && keys[i].active_from <= now &&
            strcmp(keys[i].alg, alg) == 0)
            return 1;
    return 0;
}

grantd_rc grantd_keys_rotate(struct grantd_store *s, const struct grantd_config *cfg,
                             int64_t tenant, const char *alg, int64_t now,
                             int64_t max_access_ttl, struct grantd_arena *a,
                             const char **kid_out, char *err, size_t errlen)
{
    return grantd_keys_rotate_audited(s, cfg, tenant, alg, now, max_access_ttl, NULL, a,
                                      kid_out, err, errlen);
}

grantd_rc grantd_keys_rotate_audited(struct grantd_store *s, const struct grantd_config *cfg,
                                     int64_t tenant, const char *alg, int64_t now,
                                     int64_t max_access_ttl, const struct grantd_audit *audit,
                                     struct grantd_arena *a, const char **kid_out, char *err,
                                     size_t errlen)
{
    unsigned char master[GRANTD_SEAL_KEY_LEN];
    char where[GRANTD_MASTER_WHERE_MAX];
    struct grantd_key *keys = NULL;
    size_t n = 0;
    int algo = grantd_jwk_alg_parse(alg ? alg : cfg->keys.alg);
    *kid_out = NULL;
    if (!algo) {
        snprintf(err, errlen, "unknown key algorithm (use ES256 or RS256)");
        return GRANTD_EINVAL;
    }
    grantd_rc rc = grantd_master_key_load(cfg, 0, master, where, sizeof(where), err, errlen);
    if (rc != GRANTD_OK)
        return rc;
    if ((rc = list_keys(s, a, tenant, &keys, &n, err, errlen)) != GRANTD_OK)
        goto out;
    if ((rc = check_master(master, where, keys, n, now, err, errlen)) != GRANTD_OK)
        goto out;
    /* published ahead so that JWKS caches have the key before its first token, unless no
     * key of its alg signs now: then waiting would leave the chain without a signer. Every
     * key of the alg that was current stops signing when the new one starts (the other
     * alg's chain is left alone), and stays published until the last
     * token it may have signed has expired: one store transaction, so that rotations running
     * at once leave one current key */
    const char *name = grantd_jwk_alg_name((enum grantd_jwk_alg)algo);
    int64_t active_from = now + (any_signs(keys, n, now, name) ? cfg->keys.publish_ahead : 0);
    rc = grantd_keys__create(s, master, tenant, (enum grantd_jwk_alg)algo, now, active_from,
                    active_from + max_access_ttl, audit, a, kid_out);
    if (rc != GRANTD_OK)
        snprintf(err, errlen, "cannot create the new signing key: %s", grantd_strerror(rc));
out:
    OPENSSL_cleanse(master, sizeof(master));
    return rc;
}

/* 1 when key o (at index j) would sign in preference to k (at index i). */
static int signs_before(const struct grantd_key *o, size_t j, const struct grantd_key *k, size_t i)
{
    if (o->active_from != k->active_from)
        return o->active_from > k->active_from;
    if ((o->retire_at == 0) != (k->retire_at == 0))
        return o->retire_at == 0;
    if (o->retire_at != k->retire_at)
        return o->retire_at > k->retire_at;
    return j > i;
}

const char *grantd_keys_state(const struct grantd_key *list, size_t n, size_t i, int64_t now)
{
    const struct grantd_key *k = &list[i];
    if (k->retire_at != 0 && k->retire_at <= now)
        return "retired";
    if (k->active_from > now)
        return "next";
    for (size_t j = 0; j < n; j++) {
        const struct grantd_key *o = &list[j];
        if (j == i || o->active_from > now || (o->retire_at != 0 && o->retire_at <= now) ||
            strcmp(o->alg, k->alg) != 0)
            continue;
        if (signs_before(o, j, k, i))
            return "retiring";
    }
    return "active";
}

grantd_rc grantd_keys_max_access_ttl(struct grantd_store *s, struct grantd_arena *a,
                                     const struct grantd_config *cfg, int64_t tenant,
                                     int64_t *out)
{
    struct grantd_client *clients = NULL;
    size_t n = 0;
    *out = cfg->lifetimes.access_token;
    grantd_rc rc = grantd_store_client_list(s, a, tenant, &clients, &n);
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++)
        if (clients[i].access_ttl > *out)
            *out = clients[i].access_ttl;
    return rc;
}

/* The index of kid in keys, or n. */
static size_t find_kid(const struct grantd_key *keys, size_t n, const char *kid)
{
    size_t i = 0;
    while (i < n && strcmp(keys[i].kid, kid) != 0)
        i++;
    return i;
}

/* Retires key i alone, now, with its audit entry in the same transaction. */
static grantd_rc retire_alone(struct grantd_store *s, int64_t tenant, const char *kid,
                              int64_t now, const struct grantd_audit *audit)
{
    grantd_rc unit = audit ? grantd_store_audit_begin(s) : GRANTD_ENOTSUP;
    if (unit != GRANTD_OK && unit != GRANTD_ENOTSUP)
        return unit;
    grantd_rc rc = grantd_store_key_retire(s, tenant, kid, now);
    if (unit != GRANTD_OK)
        return rc;
    struct grantd_audit e = *audit;
    e.tenant = tenant;
    e.target_kind = "key";
    e.target_id = kid;
    return grantd_store_audit_end(s, &e, rc);
}

grantd_rc grantd_keys_revoke(struct grantd_store *s, const struct grantd_config *cfg,
                             int64_t tenant, const char *kid, int64_t now,
                             const struct grantd_audit *audit, struct grantd_arena *a,
                             const char **new_kid, int *already, char *err, size_t errlen)
{
    unsigned char master[GRANTD_SEAL_KEY_LEN];
    char where[GRANTD_MASTER_WHERE_MAX];
    struct grantd_key *keys = NULL;
    size_t n = 0;
    *new_kid = NULL;
    *already = 0;
    grantd_rc rc = list_keys(s, a, tenant, &keys, &n, err, errlen);
    if (rc != GRANTD_OK)
        return rc;
    size_t i = find_kid(keys, n, kid);
    if (i == n) {
        snprintf(err, errlen, "no key %.100s", kid);
        return GRANTD_ENOTFOUND;
    }
    if (!grantd_key_published(&keys[i], now)) {
        *already = 1;
        return GRANTD_OK;
    }
    /* a key that is current (retire_at 0) or signs now is replaced in the same transaction
     * by a new key of its alg that signs at once: the chain is never without a signer */
    int replace = keys[i].retire_at == 0 ||
                  strcmp(grantd_keys_state(keys, n, i, now), "active") == 0;
    if (!replace) {
        rc = retire_alone(s, tenant, kid, now, audit);
        if (rc != GRANTD_OK)
            snprintf(err, errlen, "cannot retire the key: %s", grantd_strerror(rc));
        return rc;
    }
    int algo = grantd_jwk_alg_parse(keys[i].alg);
    if (!algo) {
        snprintf(err, errlen, "key %.100s has an unknown alg", kid);
        return GRANTD_EINVAL;
    }
    rc = grantd_master_key_load(cfg, 0, master, where, sizeof(where), err, errlen);
    if (rc != GRANTD_OK)
        return rc;
    if ((rc = check_master(master, where, keys, n, now, err, errlen)) != GRANTD_OK)
        goto out;
    /* every current key of the alg (the revoked one, or a key published ahead that has
     * signed nothing yet) retires now; the revoked one too when it was already retiring */
    rc = create_key(s, master, tenant, (enum grantd_jwk_alg)algo, now, now, now, audit, kid, a,
                    new_kid);
    if (rc != GRANTD_OK)
        snprintf(err, errlen, "cannot replace the key: %s", grantd_strerror(rc));
out:
    OPENSSL_cleanse(master, sizeof(master));
    return rc;
}

grantd_rc grantd_keys_check_master(struct grantd_store *s, const struct grantd_config *cfg,
                                   int64_t tenant, int64_t now, struct grantd_arena *a,
                                   size_t *published, char *err, size_t errlen)
{
    unsigned char master[GRANTD_SEAL_KEY_LEN];
    char where[GRANTD_MASTER_WHERE_MAX];
    struct grantd_key *keys = NULL;
    size_t n = 0;
    *published = 0;
    grantd_rc rc = list_keys(s, a, tenant, &keys, &n, err, errlen);
    if (rc != GRANTD_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        *published += grantd_key_published(&keys[i], now) ? 1 : 0;
    if (*published == 0)
        return GRANTD_OK;
    rc = grantd_master_key_load(cfg, 0, master, where, sizeof(where), err, errlen);
    if (rc == GRANTD_OK)
        rc = check_master(master, where, keys, n, now, err, errlen);
    OPENSSL_cleanse(master, sizeof(master));
    return rc;
}
