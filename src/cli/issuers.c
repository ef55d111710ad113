/* The issuers `grantd serve` answers for (see issuers.h). */
#include "cli/issuers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/mem.h"
#include "oauth/routes.h"
#include "token/keys.h"

struct grantd_served {
    size_t count;
    struct grantd_issuer *iss;
    struct grantd_config *cfg;   /* per tenant: the server's with its profile */
    char **issuer;               /* per tenant: as stored (NULL, URL or /prefix) */
    char **url, **prefix, **host;
};

void grantd_served_free(struct grantd_served *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++) {
        grantd_keyring_free(s->iss[i].keyring);
        grantd_config_free(&s->cfg[i]);
        free(s->issuer[i]);
        free(s->url[i]);
        free(s->prefix[i]);
        free(s->host[i]);
    }
    free(s->iss);
    free(s->cfg);
    free(s->issuer);
    free(s->url);
    free(s->prefix);
    free(s->host);
    free(s);
}

/* Splits an absolute issuer URL into its authority (Host) and path (the prefix). */
static void split_url(const char *url, char **host, char **prefix)
{
    const char *a = strstr(url, "://");
    a = a ? a + 3 : url;
    size_t n = strcspn(a, "/");
    *host = grantd_xstrndup(a, n);
    *prefix = grantd_xstrdup(a + n);
}

static grantd_rc add(struct grantd_served *s, struct grantd_store *store,
                     const struct grantd_config *cfg, const struct grantd_tenant *t, char *err,
                     size_t errlen)
{
    size_t i = s->count;
    grantd_config_copy(&s->cfg[i], cfg);
    s->issuer[i] = t->issuer ? grantd_xstrdup(t->issuer) : NULL;
    s->count++;
    char why[400];
    if (t->profile &&
        grantd_config_load_issuer(&s->cfg[i], t->profile, t->name, why, sizeof(why)) !=
            GRANTD_OK) {
        snprintf(err, errlen, "tenant %s: profile: %s", t->name, why);
        return GRANTD_ECONFIG;
    }
    if (grantd_router_check_profile(&grantd_oauth_routes, &s->cfg[i].profile, why,
                                    sizeof(why)) != GRANTD_OK) {
        snprintf(err, errlen, "tenant %s: %s", t->name, why);
        return GRANTD_ECONFIG;
    }
    if (!t->issuer) {
        s->prefix[i] = grantd_xstrdup("");
    } else if (t->issuer[0] == '/') {
        s->prefix[i] = grantd_xstrdup(t->issuer);
    } else {
        split_url(t->issuer, &s->host[i], &s->prefix[i]);
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(s->prefix[j], s->prefix[i]) == 0 &&
            ((!s->host[j] && !s->host[i]) ||
             (s->host[j] && s->host[i] && strcasecmp(s->host[j], s->host[i]) == 0))) {
            snprintf(err, errlen, "tenants %lld and %s share the issuer path '%s'%s%s",
                     (long long)s->iss[j].tenant, t->name, s->prefix[i],
                     s->host[i] ? " on host " : "", s->host[i] ? s->host[i] : "");
            return GRANTD_ECONFIG;
        }
    s->iss[i].tenant = t->id;
    s->iss[i].cfg = &s->cfg[i];
    s->iss[i].prefix = s->prefix[i];
    s->iss[i].host = s->host[i];
    /* the default issuer's keys now (a wrong master key stops serve here); a tenant's on
     * its first request, so that a thousand tenants start in a blink */
    char kerr[400];
    grantd_rc rc = t->id == GRANTD_DEFAULT_TENANT
                       ? grantd_keyring_open(store, &s->cfg[i], t->id, grantd_clock_now(),
                                             &s->iss[i].keyring, kerr, sizeof(kerr))
                       : grantd_keyring_open_lazy(store, &s->cfg[i], t->id,
                                                  &s->iss[i].keyring, kerr, sizeof(kerr));
    if (rc != GRANTD_OK)
        snprintf(err, errlen, "tenant %s: %s", t->name, kerr);
    return rc;
}

grantd_rc grantd_served_open(struct grantd_store *store, const struct grantd_config *cfg,
                             struct grantd_served **out, char *err, size_t errlen)
{
    struct grantd_arena *a = grantd_arena_new(64 * 1024);
    struct grantd_tenant *t = NULL;
    size_t n = 0;
    *out = NULL;
    grantd_rc rc = grantd_store_tenant_list(store, a, &t, &n);
    if (rc == GRANTD_OK && (n == 0 || t[0].id != GRANTD_DEFAULT_TENANT))
        rc = GRANTD_ESTORE; /* every store has the default tenant first */
    if (rc != GRANTD_OK) {
        snprintf(err, errlen, "cannot read the tenants: %s", grantd_strerror(rc));
        grantd_arena_free(a);
        return rc;
    }
    struct grantd_served *s = grantd_xcalloc(1, sizeof(*s));
    s->iss = grantd_xcalloc(n, sizeof(*s->iss));
    s->cfg = grantd_xcalloc(n, sizeof(*s->cfg));
    s->issuer = grantd_xcalloc(n, sizeof(*s->issuer));
    s->url = grantd_xcalloc(n, sizeof(*s->url));
    s->prefix = grantd_xcalloc(n, sizeof(*s->prefix));
    s->host = grantd_xcalloc(n, sizeof(*s->host));
    /* the default tenant is the configured issuer, whatever the store says */
    t[0].issuer = NULL;
    t[0].profile = NULL;
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++)
        rc = add(s, store, cfg, &t[i], err, errlen);
    grantd_arena_free(a);
    if (rc != GRANTD_OK) {
        grantd_served_free(s);
        return rc;
    }
    *out = s;
    return GRANTD_OK;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    char *out = grantd_xmalloc(n + m + 1);
    memcpy(out, a, n);
    memcpy(out + n, b, m + 1);
    return out;
}

void grantd_served_resolve(struct grantd_served *s, const char *default_url,
                           const struct grantd_issuer **issuers, size_t *count)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->url[i]);
        if (!s->issuer[i])
            s->url[i] = grantd_xstrdup(default_url);
        else if (s->issuer[i][0] == '/')
            s->url[i] = join(default_url, s->issuer[i]);
        else
            s->url[i] = grantd_xstrdup(s->issuer[i]);
        s->iss[i].url = s->url[i];
    }
    *issuers = s->iss;
    *count = s->count;
}
