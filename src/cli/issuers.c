/* The issuers `grantd serve` answers for (see issuers.h).
 *
 * Lifetimes: a request keeps req->iss, a pointer into the set it routed with, for its whole
 * life, and its issuer's settings, strings and keyring with it. So nothing published is ever
 * moved or freed while serving: each issuer's records are allocated on their own (the array
 * of pointers to them may grow; no request sees it), and a set replaced by a newer one is
 * kept, retired, until grantd_served_free. Tenants are added rarely (an operator's command),
 * so the retired sets cost little: one array of issuers each.
 *
 * Threads: the follower is the only writer once serving; requests read the published set
 * only (an atomic pointer, http/app.h). Not here: what moves the store's generation
 * (store/store.c, store/watch.c). */
#include "cli/issuers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "oauth/routes.h"
#include "token/keys.h"

/* One issuer's records: allocated on its own, never moved, freed at grantd_served_free. */
struct served_one {
    struct grantd_issuer iss;    /* as copied into every set */
    struct grantd_config cfg;    /* the server's with its profile */
    char *issuer;                /* as stored (NULL, URL or /prefix) */
    char *url, *prefix, *host;
};

/* A published set and its issuers, in one allocation; newest first. */
struct set_node {
    struct grantd_issuer_set set;
    struct set_node *next;
    struct grantd_issuer issuers[];
};

struct grantd_served {
    struct grantd_store *store;
    const struct grantd_config *cfg;
    struct grantd_app *app;      /* where sets are published; NULL before */
    char *default_url;
    struct served_one **one;     /* the default tenant's first */
    size_t count, cap;
    int64_t *skipped;            /* tenants left out while serving (logged once) */
    size_t nskipped;
    struct set_node *sets;       /* every set published: the newest, then the retired */
    uint64_t seen;               /* the store's generation before the last read */
    pthread_t thread;
    int following;
    atomic_int stop;
};

static void one_free(struct served_one *o)
{
    if (!o)
        return;
    grantd_keyring_free(o->iss.keyring);
    grantd_config_free(&o->cfg);
    free(o->issuer);
    free(o->url);
    free(o->prefix);
    free(o->host);
    free(o);
}

void grantd_served_free(struct grantd_served *s)
{
    if (!s)
        return;
    if (s->following) {
        atomic_store(&s->stop, 1);
        pthread_join(s->thread, NULL);
    }
    for (size_t i = 0; i < s->count; i++)
        one_free(s->one[i]);
    while (s->sets) {
        struct set_node *n = s->sets;
        s->sets = n->next;
        free(n);
    }
    free(s->one);
    free(s->skipped);
    free(s->default_url);
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

/* The issuer already served with o's prefix and host; NULL when none. */
static const struct served_one *collision(const struct grantd_served *s,
                                          const struct served_one *o)
{
    for (size_t j = 0; j < s->count; j++) {
        const struct served_one *x = s->one[j];
        if (strcmp(x->prefix, o->prefix) == 0 &&
            ((!x->host && !o->host) ||
             (x->host && o->host && strcasecmp(x->host, o->host) == 0)))
            return x;
    }
    return NULL;
}

/* The settings and path of tenant t, checked against the issuers served (not yet added). */
static grantd_rc make_one(const struct grantd_served *s, const struct grantd_tenant *t,
                          struct served_one **out, char *err, size_t errlen)
{
    struct served_one *o = grantd_xcalloc(1, sizeof(*o));
    *out = NULL;
    grantd_config_copy(&o->cfg, s->cfg);
    o->issuer = t->issuer ? grantd_xstrdup(t->issuer) : NULL;
    char why[400];
    grantd_rc rc = GRANTD_ECONFIG;
    if (t->profile &&
        grantd_config_load_issuer(&o->cfg, t->profile, t->name, why, sizeof(why)) !=
            GRANTD_OK) {
        snprintf(err, errlen, "tenant %s: profile: %s", t->name, why);
        goto fail;
    }
    if (grantd_router_check_profile(&grantd_oauth_routes, &o->cfg.profile, why,
                                    sizeof(why)) != GRANTD_OK) {
        snprintf(err, errlen, "tenant %s: %s", t->name, why);
        goto fail;
    }
    if (!t->issuer)
        o->prefix = grantd_xstrdup("");
    else if (t->issuer[0] == '/')
        o->prefix = grantd_xstrdup(t->issuer);
    else
        split_url(t->issuer, &o->host, &o->prefix);
    const struct served_one *x = collision(s, o);
    if (x) {
        snprintf(err, errlen, "tenants %lld and %s share the issuer path '%s'%s%s",
                 (long long)x->iss.tenant, t->name, o->prefix, o->host ? " on host " : "",
                 o->host ? o->host : "");
        goto fail;
    }
    o->iss.tenant = t->id;
    o->iss.cfg = &o->cfg;
    o->iss.prefix = o->prefix;
    o->iss.host = o->host;
    /* the default issuer's keys now (a wrong master key stops serve here); a tenant's on
     * its first request, so that a thousand tenants start in a blink */
    char kerr[400];
    rc = t->id == GRANTD_DEFAULT_TENANT
             ? grantd_keyring_open(s->store, &o->cfg, t->id, grantd_clock_now(),
                                   &o->iss.keyring, kerr, sizeof(kerr))
             : grantd_keyring_open_lazy(s->store, &o->cfg, t->id, &o->iss.keyring, kerr,
                                        sizeof(kerr));
    if (rc != GRANTD_OK) {
        snprintf(err, errlen, "tenant %s: %s", t->name, kerr);
        goto fail;
    }
    *out = o;
    return GRANTD_OK;
fail:
    one_free(o);
    return rc;
}

static void append(struct grantd_served *s, struct served_one *o)
{
    if (s->count == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->one = grantd_xrealloc(s->one, s->cap * sizeof(*s->one));
    }
    s->one[s->count++] = o;
}

grantd_rc grantd_served_open(struct grantd_store *store, const struct grantd_config *cfg,
                             struct grantd_served **out, char *err, size_t errlen)
{
    struct grantd_served *s = grantd_xcalloc(1, sizeof(*s));
    s->store = store;
    s->cfg = cfg;
    atomic_init(&s->stop, 0);
    s->seen = grantd_store_generation(store); /* before the read: a later tenant is seen */
    struct grantd_arena *a = grantd_arena_new(64 * 1024);
    struct grantd_tenant *t = NULL;
    size_t n = 0;
    *out = NULL;
    grantd_rc rc = grantd_store_tenant_list(store, a, &t, &n);
    if (rc == GRANTD_OK && (n == 0 || t[0].id != GRANTD_DEFAULT_TENANT))
        rc = GRANTD_ESTORE; /* every store has the default tenant first */
    if (rc != GRANTD_OK)
        snprintf(err, errlen, "cannot read the tenants: %s", grantd_strerror(rc));
    if (rc == GRANTD_OK) {
        /* the default tenant is the configured issuer, whatever the store says */
        t[0].issuer = NULL;
        t[0].profile = NULL;
    }
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++) {
        struct served_one *o;
        rc = make_one(s, &t[i], &o, err, errlen);
        if (rc == GRANTD_OK)
            append(s, o);
    }
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

static void resolve(const struct grantd_served *s, struct served_one *o)
{
    free(o->url);
    if (!o->issuer)
        o->url = grantd_xstrdup(s->default_url);
    else if (o->issuer[0] == '/')
        o->url = join(s->default_url, o->issuer);
    else
        o->url = grantd_xstrdup(o->issuer);
    o->iss.url = o->url;
}

/* A new set of every issuer, replacing the published one (which is kept: see above). */
static void publish(struct grantd_served *s)
{
    struct set_node *n =
        grantd_xcalloc(1, sizeof(*n) + s->count * sizeof(struct grantd_issuer));
    for (size_t i = 0; i < s->count; i++)
        n->issuers[i] = s->one[i]->iss;
    n->set.issuers = n->issuers;
    n->set.count = s->count;
    n->next = s->sets;
    s->sets = n;
    atomic_store_explicit(&s->app->issuer_set, &n->set, memory_order_release);
}

void grantd_served_publish(struct grantd_served *s, const char *default_url,
                           struct grantd_app *app)
{
    free(s->default_url);
    s->default_url = grantd_xstrdup(default_url);
    for (size_t i = 0; i < s->count; i++)
        resolve(s, s->one[i]);
    s->app = app;
    publish(s);
}

static int known(const struct grantd_served *s, int64_t id)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->one[i]->iss.tenant == id)
            return 1;
    for (size_t i = 0; i < s->nskipped; i++)
        if (s->skipped[i] == id)
            return 1;
    return 0;
}

/* Tenant t, created since the last read: served from the next set on, or skipped for good
 * (its profile or path cannot change: tenants are created, never edited). */
static int try_add(struct grantd_served *s, const struct grantd_tenant *t)
{
    char err[1024];
    struct served_one *o;
    if (make_one(s, t, &o, err, sizeof(err)) != GRANTD_OK) {
        grantd_log(GRANTD_LOG_WARN, "tenant_skipped", "{s:I,s:s,s:s}", "tenant",
                   (json_int_t)t->id, "name", t->name, "error", err);
        s->skipped = grantd_xrealloc(s->skipped, (s->nskipped + 1) * sizeof(*s->skipped));
        s->skipped[s->nskipped++] = t->id;
        return 0;
    }
    resolve(s, o);
    append(s, o);
    grantd_log(GRANTD_LOG_INFO, "tenant_added", "{s:I,s:s,s:s,s:s?}", "tenant",
               (json_int_t)t->id, "name", t->name, "issuer", o->url, "profile",
               o->cfg.profile.name);
    return 1;
}

void grantd_served_reload(struct grantd_served *s)
{
    struct grantd_arena *a = grantd_arena_new(64 * 1024);
    struct grantd_tenant *t = NULL;
    size_t n = 0, added = 0;
    grantd_rc rc = grantd_store_tenant_list(s->store, a, &t, &n);
    if (rc != GRANTD_OK) /* the next generation move (the watcher's failed turns) retries */
        grantd_log(GRANTD_LOG_WARN, "tenant_reload_failed", "{s:s}", "error",
                   grantd_strerror(rc));
    /* tenants are never deleted: as many as known means none is new */
    if (rc == GRANTD_OK && n != s->count + s->nskipped)
        for (size_t i = 0; i < n; i++)
            if (!known(s, t[i].id))
                added += (size_t)try_add(s, &t[i]);
    grantd_arena_free(a);
    if (added)
        publish(s);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Turns of GRANTD_SERVED_TICK_MS; a read when the generation moved and the last read is
 * GRANTD_SERVED_RELOAD_MS old. Writes that are not tenants move the generation too
 * (revocations, clients): the rate limit keeps their reads few, and a read finding as many
 * tenants as known costs one query. */
static void *follow_main(void *arg)
{
    struct grantd_served *s = arg;
    int64_t last = 0;
    while (!atomic_load(&s->stop)) {
        usleep(GRANTD_SERVED_TICK_MS * 1000);
        uint64_t g = grantd_store_generation(s->store);
        int64_t now = mono_ms();
        if (g == s->seen || now - last < GRANTD_SERVED_RELOAD_MS)
            continue;
        s->seen = g; /* before the read: a commit during it is read on the next turn */
        last = now;
        grantd_served_reload(s);
    }
    return NULL;
}

grantd_rc grantd_served_follow(struct grantd_served *s)
{
    if (pthread_create(&s->thread, NULL, follow_main, s) != 0)
        return GRANTD_ESTORE;
    s->following = 1;
    return GRANTD_OK;
}
