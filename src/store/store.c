/* Driver selection by URL scheme, and helpers shared by every driver's callers. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

extern const struct grantd_store_driver grantd_sqlite_driver;

static const struct grantd_store_driver *const drivers[] = {
    &grantd_sqlite_driver,
};

grantd_rc grantd_store_open(const char *url, struct grantd_store **out, char *err, size_t errlen)
{
    const char *colon = strchr(url, ':');
    if (!colon) {
        snprintf(err, errlen, "database URL '%s' has no scheme (expected sqlite:PATH)", url);
        return GRANTD_EINVAL;
    }
    size_t scheme_len = (size_t)(colon - url);
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        const struct grantd_store_driver *d = drivers[i];
        if (strlen(d->scheme) == scheme_len && strncmp(url, d->scheme, scheme_len) == 0) {
            if (d->version != GRANTD_STORE_API_VERSION) {
                snprintf(err, errlen, "driver %s has API version %d, need %d", d->scheme,
                         d->version, GRANTD_STORE_API_VERSION);
                return GRANTD_EINVAL;
            }
            grantd_rc rc = d->open(colon + 1, out, err, errlen);
            if (rc == GRANTD_OK) {
                static atomic_uint_least64_t handles;
                atomic_store(&(*out)->generation, (atomic_fetch_add(&handles, 1) + 1) << 40);
            }
            return rc;
        }
    }
    snprintf(err, errlen, "unsupported database scheme '%.*s' (supported: sqlite)",
             (int)scheme_len, url);
    return GRANTD_EINVAL;
}

uint64_t grantd_store_generation(struct grantd_store *s)
{
    return atomic_load(&s->generation);
}

void grantd_store_changed(struct grantd_store *s)
{
    atomic_fetch_add(&s->generation, 1);
}

void grantd_store_close(struct grantd_store *s)
{
    if (s)
        s->driver->close(s);
}

grantd_rc grantd_store_hash_secret(struct grantd_store *s, const char *secret,
                                   unsigned char out[GRANTD_SHA256_LEN])
{
    unsigned char key[GRANTD_SHA256_LEN];
    grantd_rc rc = s->driver->hash_key(s, key);
    if (rc != GRANTD_OK)
        return rc;
    grantd_hmac_sha256(key, sizeof(key), secret, strlen(secret), out);
    return GRANTD_OK;
}
