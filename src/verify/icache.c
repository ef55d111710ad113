/* libgrantd-verify: the bounded cache of introspection answers, direct-mapped on the SHA-256
 * of the token (the token itself is never kept). A slot holds the answer's JSON text until
 * its deadline: min(exp, now + ttl) for an active answer, now + negative ttl otherwise (the
 * caller computes it). A colliding token simply replaces the slot: the size bound is hard. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "verify/verify_int.h"

struct slot {
    unsigned char hash[GRANTD_SHA256_LEN];
    int64_t until;
    char *answer; /* NULL: empty */
};

struct grantd_verify_icache {
    pthread_mutex_t mu;
    unsigned size;
    struct slot *slots;
};

struct grantd_verify_icache *grantd_verify_icache_new(unsigned size)
{
    struct grantd_verify_icache *c = calloc(1, sizeof(*c));
    if (!c || size == 0)
        abort();
    c->size = size;
    c->slots = calloc(size, sizeof(*c->slots));
    if (!c->slots)
        abort();
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void grantd_verify_icache_free(struct grantd_verify_icache *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->size; i++)
        free(c->slots[i].answer);
    free(c->slots);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static struct slot *slot_of(struct grantd_verify_icache *c, const char *token,
                            unsigned char hash[GRANTD_SHA256_LEN])
{
    grantd_sha256(token, strlen(token), hash);
    uint32_t h;
    memcpy(&h, hash, sizeof(h));
    return &c->slots[h % c->size];
}

int grantd_verify_icache_get(struct grantd_verify_icache *c, const char *token, int64_t now,
                             char **answer)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    *answer = NULL;
    pthread_mutex_lock(&c->mu);
    struct slot *s = slot_of(c, token, hash);
    if (s->answer && s->until > now && memcmp(s->hash, hash, sizeof(hash)) == 0)
        *answer = strdup(s->answer);
    pthread_mutex_unlock(&c->mu);
    return *answer != NULL;
}

void grantd_verify_icache_clear(struct grantd_verify_icache *c)
{
    pthread_mutex_lock(&c->mu);
    for (unsigned i = 0; i < c->size; i++) {
        free(c->slots[i].answer);
        c->slots[i].answer = NULL;
    }
    pthread_mutex_unlock(&c->mu);
}

void grantd_verify_icache_put(struct grantd_verify_icache *c, const char *token,
                              const char *answer, int64_t until)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    char *copy = strdup(answer);
    if (!copy)
        abort();
    pthread_mutex_lock(&c->mu);
    struct slot *s = slot_of(c, token, hash);
    free(s->answer);
    memcpy(s->hash, hash, sizeof(hash));
    s->answer = copy;
    s->until = until;
    pthread_mutex_unlock(&c->mu);
}
