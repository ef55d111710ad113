/* libgrantd-verify: the cache of verified JWTs, so that a token presented again costs a
 * hash and a comparison instead of a signature check. Four-way set-associative on a 64-bit
 * FNV-1a hash of the token text (direct-mapped, two hot tokens sharing a slot evicted each
 * other on every request: measured, a few collisions among 64 tokens cost 40x), the oldest
 * entry of a full set replaced; the whole token is kept and compared byte for byte (a hash
 * collision is a miss, never a wrong answer); striped locks so threads rarely meet. Only the length
 * and the last 32 characters are hashed (of a JWS: its signature, which differs from token
 * to token): a token made to collide only takes a slot from another, it is never mistaken
 * for it, and hashing all of it cost half the time of a hit.
 *
 * Only tokens whose signature and claims held are cached, with the result members they
 * produced; a hit still checks exp and nbf against the clock, so an expired token falls
 * through to the full check (which says `expired`). A key dropped from the JWKS does not
 * evict its tokens: grantd publishes a retiring key until its last token expires. The
 * revocation feed is consulted on hits too (result.c), and a feed that lost events empties
 * the cache (revoked.c). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "verify/verify_int.h"

#define STRIPES 64
#define WAYS 4

struct vslot {
    uint64_t hash;
    char *token; /* NULL: empty */
    size_t len;
    int64_t exp, nbf;
    uint64_t stamp; /* when it was stored, in puts: the oldest of a set goes first */
    char *subject, *client_id, *scope, *claims_json;
};

struct grantd_verify_vcache {
    pthread_mutex_t mu[STRIPES];
    unsigned sets;
    uint64_t puts;
    struct vslot *slots; /* sets * WAYS */
};

#define HASHED_TAIL 32

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    size_t i = n > HASHED_TAIL ? n - HASHED_TAIL : 0;
    for (; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

static char *dup(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        abort();
    return d;
}

static void slot_clear(struct vslot *s)
{
    free(s->token);
    free(s->subject);
    free(s->client_id);
    free(s->scope);
    free(s->claims_json);
    memset(s, 0, sizeof(*s));
}

struct grantd_verify_vcache *grantd_verify_vcache_new(unsigned size)
{
    struct grantd_verify_vcache *c = calloc(1, sizeof(*c));
    if (!c || size == 0)
        abort();
    c->sets = size >= WAYS ? size / WAYS : 1;
    c->slots = calloc((size_t)c->sets * WAYS, sizeof(*c->slots));
    if (!c->slots)
        abort();
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->mu[i], NULL);
    return c;
}

void grantd_verify_vcache_free(struct grantd_verify_vcache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < (size_t)c->sets * WAYS; i++)
        slot_clear(&c->slots[i]);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->mu[i]);
    free(c->slots);
    free(c);
}

void grantd_verify_vcache_clear(struct grantd_verify_vcache *c)
{
    for (unsigned i = 0; i < c->sets; i++) {
        pthread_mutex_lock(&c->mu[i % STRIPES]);
        for (int w = 0; w < WAYS; w++)
            slot_clear(&c->slots[(size_t)i * WAYS + w]);
        pthread_mutex_unlock(&c->mu[i % STRIPES]);
    }
}

int grantd_verify_vcache_get(struct grantd_verify_vcache *c, const char *token, int64_t now,
                             int64_t skew, struct grantd_verify_result *out)
{
    size_t len = strlen(token);
    uint64_t h = fnv1a(token, len);
    unsigned i = (unsigned)(h % c->sets);
    struct vslot *s = NULL, *set = &c->slots[(size_t)i * WAYS];
    int hit = 0;
    pthread_mutex_lock(&c->mu[i % STRIPES]);
    for (int w = 0; w < WAYS && !s; w++)
        if (set[w].token && set[w].hash == h && set[w].len == len &&
            memcmp(set[w].token, token, len) == 0)
            s = &set[w];
    if (s && s->exp + skew > now && s->nbf <= now + skew) {
        out->subject = dup(s->subject);
        out->client_id = dup(s->client_id);
        out->scope = dup(s->scope);
        out->claims_json = dup(s->claims_json);
        hit = 1;
    }
    pthread_mutex_unlock(&c->mu[i % STRIPES]);
    return hit;
}

/* Where n (for token) goes in set: the same token's slot (two threads verified it at
 * once), else an empty slot, else the oldest. */
static struct vslot *victim_of(struct vslot *set, const struct vslot *n, const char *token)
{
    for (int w = 0; w < WAYS; w++)
        if (set[w].token && set[w].hash == n->hash && set[w].len == n->len &&
            memcmp(set[w].token, token, n->len) == 0)
            return &set[w];
    struct vslot *victim = set;
    for (int w = 0; w < WAYS; w++) {
        if (!set[w].token)
            return &set[w];
        if (set[w].stamp < victim->stamp)
            victim = &set[w];
    }
    return victim;
}

void grantd_verify_vcache_put(struct grantd_verify_vcache *c, const char *token, int64_t exp,
                              int64_t nbf, const struct grantd_verify_result *r)
{
    struct vslot n = {.len = strlen(token), .exp = exp, .nbf = nbf};
    n.hash = fnv1a(token, n.len);
    n.token = dup(token);
    n.subject = dup(r->subject);
    n.client_id = dup(r->client_id);
    n.scope = dup(r->scope);
    n.claims_json = dup(r->claims_json);
    unsigned i = (unsigned)(n.hash % c->sets);
    pthread_mutex_lock(&c->mu[i % STRIPES]);
    struct vslot *victim = victim_of(&c->slots[(size_t)i * WAYS], &n, token);
    n.stamp = __atomic_add_fetch(&c->puts, 1, __ATOMIC_RELAXED);
    struct vslot old = *victim;
    *victim = n;
    pthread_mutex_unlock(&c->mu[i % STRIPES]);
    slot_clear(&old);
}
