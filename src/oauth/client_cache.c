/* A process-wide map client_id -> heap copy of the client, behind a read-write lock. */
#include "oauth/client_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "http/app.h"

#define BUCKETS 1024

struct entry {
    struct entry *next;
    const struct grantd_store *store;  /* one cache serves every store (tests open several) */
    uint64_t generation;               /* the store's, read before the fetch */
    int64_t tenant;
    int64_t fetched_ms;
    struct grantd_arena *arena;        /* owns the copy's strings */
    struct grantd_client client;
};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct entry *buckets[BUCKETS];
static size_t entries;

static unsigned bucket_of(const char *id)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % BUCKETS;
}

static int64_t now_ms(void)
{
    return grantd_clock_mono_us() / 1000;
}

/* A deep copy of c with its strings in a. */
static void copy_client(struct grantd_arena *a, const struct grantd_client *c,
                        struct grantd_client *out)
{
    *out = *c;
    out->id = grantd_arena_strdup(a, c->id);
    out->name = grantd_arena_strdup(a, c->name ? c->name : "");
    out->scope = grantd_arena_strdup(a, c->scope ? c->scope : "");
    out->resources = grantd_arena_strdup(a, c->resources ? c->resources : "");
    out->post_logout_redirect_uris =
        grantd_arena_strdup(a, c->post_logout_redirect_uris ? c->post_logout_redirect_uris : "");
    out->owner = c->owner ? grantd_arena_strdup(a, c->owner) : NULL;
    out->id_token_alg = c->id_token_alg && *c->id_token_alg
                            ? grantd_arena_strdup(a, c->id_token_alg)
                            : NULL;
    const char **uris = grantd_arena_alloc(a, (c->redirect_uri_count + 1) * sizeof(*uris));
    for (size_t i = 0; i < c->redirect_uri_count; i++)
        uris[i] = grantd_arena_strdup(a, c->redirect_uris[i]);
    out->redirect_uris = uris;
}

static int lookup(const struct grantd_store *st, uint64_t generation, int64_t tenant,
                  const char *id, struct grantd_arena *a, struct grantd_client *out)
{
    int found = 0;
    int64_t now = now_ms();
    pthread_rwlock_rdlock(&lock);
    for (struct entry *e = buckets[bucket_of(id)]; e; e = e->next) {
        if (e->store == st && e->generation == generation && e->tenant == tenant &&
            strcmp(e->client.id, id) == 0 && now - e->fetched_ms < GRANTD_CLIENT_CACHE_TTL_MS) {
            copy_client(a, &e->client, out);
            found = 1;
            break;
        }
    }
    pthread_rwlock_unlock(&lock);
    return found;
}

static void free_chain(struct entry *e)
{
    while (e) {
        struct entry *next = e->next;
        grantd_arena_free(e->arena);
        free(e);
        e = next;
    }
}

/* Replaces any entry for (st, c's tenant, id) with a copy of c, read under generation. */
static void remember(const struct grantd_store *st, uint64_t generation,
                     const struct grantd_client *c)
{
    struct entry *fresh = grantd_xcalloc(1, sizeof(*fresh));
    fresh->store = st;
    fresh->generation = generation;
    fresh->tenant = c->tenant;
    fresh->fetched_ms = now_ms();
    fresh->arena = grantd_arena_new(1024);
    copy_client(fresh->arena, c, &fresh->client);
    unsigned b = bucket_of(c->id);
    pthread_rwlock_wrlock(&lock);
    if (entries >= GRANTD_CLIENT_CACHE_MAX) {
        for (unsigned i = 0; i < BUCKETS; i++) {
            free_chain(buckets[i]);
            buckets[i] = NULL;
        }
        entries = 0;
    }
    for (struct entry **p = &buckets[b]; *p; p = &(*p)->next) {
        if ((*p)->store == st && (*p)->tenant == c->tenant &&
            strcmp((*p)->client.id, c->id) == 0) {
            struct entry *old = *p;
            *p = old->next;
            old->next = NULL;
            free_chain(old);
            entries--;
            break;
        }
    }
    fresh->next = buckets[b];
    buckets[b] = fresh;
    entries++;
    pthread_rwlock_unlock(&lock);
}

grantd_rc grantd_client_cache_get(struct grantd_request *req, const char *id,
                                  struct grantd_client *out)
{
    struct grantd_store *st = req->app->store;
    /* read before the store is: a write committed during the fetch moves it past what the
     * entry records, so the entry is never used */
    uint64_t generation = grantd_store_client_generation(st);
    if (lookup(st, generation, req->iss->tenant, id, req->arena, out)) {
        grantd_metrics_count(GRANTD_METRIC_CACHE_HITS, "client");
        return GRANTD_OK;
    }
    grantd_metrics_count(GRANTD_METRIC_CACHE_MISSES, "client");
    grantd_rc rc = grantd_store_client_get(st, req->arena, req->iss->tenant, id, out);
    if (rc == GRANTD_OK)
        remember(st, generation, out);
    return rc;
}
