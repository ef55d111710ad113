/* Direct-mapped slots, each behind its own mutex; an entry is a heap copy of the facts. */
#include "oauth/token_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "http/app.h"

struct entry {
    unsigned char key[GRANTD_SHA256_LEN]; /* the stored token's, or a self-contained one's text's */
    const char *text;             /* a self-contained token's whole text; NULL for stored */
    const struct grantd_store *store;
    uint64_t generation;          /* the store's, read before the fetch */
    int64_t fetched_us;
    struct grantd_arena *arena;   /* owns the strings of facts */
    struct grantd_token_facts facts;
};

struct slot {
    pthread_mutex_t mu;
    struct entry *e;              /* NULL when empty */
};

static struct slot slots[GRANTD_TOKEN_CACHE_SLOTS];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int enabled = 1;

static void init_slots(void)
{
    for (size_t i = 0; i < GRANTD_TOKEN_CACHE_SLOTS; i++)
        pthread_mutex_init(&slots[i].mu, NULL);
}

void grantd_token_cache_enable(int on)
{
    atomic_store(&enabled, !!on);
}

static const char *dup_or_null(struct grantd_arena *a, const char *s)
{
    return s ? grantd_arena_strdup(a, s) : NULL;
}

/* A copy of f whose strings live in a (the sealed successor is not needed here). */
static void copy_facts(struct grantd_arena *a, const struct grantd_token_facts *f,
                       struct grantd_token_facts *out)
{
    *out = *f;
    struct grantd_token *t = &out->token;
    t->client_id = dup_or_null(a, f->token.client_id);
    t->user_id = dup_or_null(a, f->token.user_id);
    t->scope = dup_or_null(a, f->token.scope);
    t->family = dup_or_null(a, f->token.family);
    t->audience = dup_or_null(a, f->token.audience);
    t->successor = NULL;
    t->successor_len = 0;
    out->username = dup_or_null(a, f->username);
    out->account = dup_or_null(a, f->account);
}

/* The slot of a key: its bytes past the 8 ordering ones are SHA-256 output. */
static struct slot *slot_of(const unsigned char key[GRANTD_SHA256_LEN])
{
    uint32_t h;
    memcpy(&h, key + 8, sizeof(h));
    return &slots[h % GRANTD_TOKEN_CACHE_SLOTS];
}

/* text NULL: a stored token's entry; else a self-contained token's with that whole text */
static int cached(struct grantd_request *req, struct slot *sl,
                  const unsigned char key[GRANTD_SHA256_LEN], const char *text,
                  uint64_t generation, struct grantd_token_facts *out)
{
    int hit = 0;
    int64_t now = grantd_clock_mono_us();
    pthread_mutex_lock(&sl->mu);
    struct entry *e = sl->e;
    if (e && e->store == req->app->store && e->generation == generation &&
        now - e->fetched_us < GRANTD_TOKEN_CACHE_TTL_MS * 1000 &&
        memcmp(e->key, key, GRANTD_SHA256_LEN) == 0 && !e->text == !text &&
        (!text || strcmp(e->text, text) == 0) && e->facts.token.tenant == req->iss->tenant) {
        copy_facts(req->arena, &e->facts, out);
        hit = 1;
    }
    pthread_mutex_unlock(&sl->mu);
    grantd_metrics_count(hit ? GRANTD_METRIC_CACHE_HITS : GRANTD_METRIC_CACHE_MISSES, "token");
    return hit;
}

static void keep(struct grantd_request *req, struct slot *sl,
                 const unsigned char key[GRANTD_SHA256_LEN], const char *text,
                 uint64_t generation, int64_t fetched_us, const struct grantd_token_facts *f)
{
    struct entry *e = grantd_xcalloc(1, sizeof(*e));
    memcpy(e->key, key, GRANTD_SHA256_LEN);
    e->store = req->app->store;
    e->generation = generation;
    e->fetched_us = fetched_us;
    e->arena = grantd_arena_new(512);
    copy_facts(e->arena, f, &e->facts);
    e->text = text ? grantd_arena_strdup(e->arena, text) : NULL;
    pthread_mutex_lock(&sl->mu);
    struct entry *old = sl->e;
    sl->e = e;
    pthread_mutex_unlock(&sl->mu);
    if (old) {
        grantd_arena_free(old->arena);
        free(old);
    }
}

/* The facts from the store. */
static grantd_rc fetch(struct grantd_request *req, const unsigned char key[GRANTD_SHA256_LEN],
                       struct grantd_token_facts *out)
{
    struct grantd_store *st = req->app->store;
    memset(out, 0, sizeof(*out));
    grantd_rc rc = grantd_store_token_get(st, req->arena, req->iss->tenant, key, &out->token);
    if (rc != GRANTD_OK)
        return rc;
    out->user_ok = 1;
    if (out->token.user_id) {
        struct grantd_user u = {0};
        rc = grantd_store_user_get(st, req->arena, req->iss->tenant, out->token.user_id, &u);
        if (rc == GRANTD_ENOTFOUND || (rc == GRANTD_OK && u.disabled)) {
            out->user_ok = 0;
        } else if (rc != GRANTD_OK) {
            return rc;
        } else {
            out->username = u.username;
            out->account = u.account;
        }
    }
    return GRANTD_OK;
}

grantd_rc grantd_token_cache_get(struct grantd_request *req,
                                 const unsigned char key[GRANTD_SHA256_LEN],
                                 struct grantd_token_facts *out)
{
    if (!atomic_load(&enabled))
        return fetch(req, key, out);
    pthread_once(&once, init_slots);
    struct slot *sl = slot_of(key);
    /* the generation is read before the store is: a write committed during the fetch moves
     * it past what the entry records, so the entry is never used */
    uint64_t generation = grantd_store_generation(req->app->store);
    if (cached(req, sl, key, NULL, generation, out))
        return GRANTD_OK;
    int64_t fetched_us = grantd_clock_mono_us();
    grantd_rc rc = fetch(req, key, out);
    /* refresh tokens are read from the store at every use: a rotation moves no generation
     * (store.h, "Changes"), so a kept one could outlive its rotation */
    if (rc == GRANTD_OK && out->token.kind != GRANTD_TOKEN_REFRESH)
        keep(req, sl, key, NULL, generation, fetched_us, out);
    return rc;
}

uint64_t grantd_token_cache_mark(struct grantd_request *req, int64_t *fetched_us)
{
    *fetched_us = grantd_clock_mono_us();
    return grantd_store_generation(req->app->store);
}

int grantd_token_cache_self_get(struct grantd_request *req, const char *text,
                                const unsigned char key[GRANTD_SHA256_LEN],
                                struct grantd_token_facts *out)
{
    if (!atomic_load(&enabled))
        return 0;
    pthread_once(&once, init_slots);
    return cached(req, slot_of(key), key, text,
                  grantd_store_generation(req->app->store), out);
}

void grantd_token_cache_self_keep(struct grantd_request *req, const char *text,
                                  const unsigned char key[GRANTD_SHA256_LEN],
                                  uint64_t generation, int64_t fetched_us,
                                  const struct grantd_token_facts *f)
{
    if (!atomic_load(&enabled))
        return;
    pthread_once(&once, init_slots);
    keep(req, slot_of(key), key, text, generation, fetched_us, f);
}
