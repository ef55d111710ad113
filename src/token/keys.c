/* The keyring: a tenant's signing keys in memory, which key signs, the JWKS document, reload
 * from the store, and rotation (see keys.h).
 *
 * Not here: key material and signatures (jwt_key.c), claims (jwt.c), the master key
 * (jwt_master.c), SQL (the store).
 *
 * Snapshots. Everything a request reads lives in an immutable snapshot: the published keys
 * (retire_at == 0 or later than the load time) with their active_from/retire_at and the
 * JWKS text rendered once. kr->cur is an atomic pointer to the newest snapshot; readers
 * load it (acquire) and never lock. Reload runs at most every keys.reload seconds: the first
 * request past the deadline that wins a trylock re-reads the key list, builds a new
 * snapshot when anything changed and publishes it with one atomic store; other requests
 * meanwhile carry on with the old snapshot, blocking on nothing. Old snapshots are kept
 * until grantd_keyring_free (a request may still be reading one; rotations are rare, so the
 * cost is a few hundred bytes per rotation), which is what makes swapping safe without
 * reference counts. Unsealed keys (struct grantd_jwk) are cached by kid for the keyring's
 * life, so a reload unseals only keys it has not seen.
 *
 * A change of the store (its generation moved: a key retired by `grantd key retire` in
 * another process, seen by the change watcher) also makes the next request reload, at most
 * every KEYS_CHANGE_RELOAD_MS, so a retired key is refused and unpublished within the
 * caches' bound instead of keys.reload.
 *
 * Which key signs is decided per call from `now`, not at load: the newest published key
 * whose active_from <= now, per algorithm (each alg is its own chain: access tokens are
 * signed by the chain of keys.alg, OpenID Connect ID tokens by the one the client asks
 * for). That way a key published ahead starts signing on time, between reloads.
 *
 * The first JWS of an alg the tenant has no signing key for (an RS256 ID token beside the
 * ES256 access tokens) makes one (grantd_keyring_sign_jws): under a process-wide mutex per
 * alg, so that one process never generates two at once, after re-reading the store, so
 * that a key another process stored meanwhile is used instead; the store's one current key
 * per tenant and alg settles a race between processes (key_put: GRANTD_EEXIST). */
#include "token/keys.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "token/jwt_int.h"

/* The least time between two reloads for store changes (a busy refresh grant moves the
 * store's generation all the time); under GRANTD_STORE_CHANGE_BOUND_MS. */
#define KEYS_CHANGE_RELOAD_MS 40


/* A key seen by this keyring: loaded, or known not to open (logged once). */
struct loaded {
    struct loaded *next;
    char *kid;
    struct grantd_jwk *k; /* NULL: failed to unseal or parse */
};

struct entry {
    const struct grantd_jwk *k;
    int64_t active_from, retire_at;
};

struct snap {
    struct snap *older;   /* every snapshot made, newest first */
    size_t count;
    struct entry *e;      /* store order: oldest first */
    char *jwks;
    size_t jwks_len;
    int64_t jwks_until;   /* the first retire_at ahead: the JWKS is stale from then on */
    char **retired;       /* JWS headers (base64url) of the keys retired at load */
    size_t *retired_len, retired_count;
};

struct grantd_keyring {
    struct grantd_store *store;
    const struct grantd_config *cfg;      /* lazy keyrings: what the first load needs */
    int64_t tenant, reload;
    enum grantd_jwk_alg alg;              /* keys.alg: the access tokens' chain */
    unsigned char master[GRANTD_SEAL_KEY_LEN];
    char *where;                           /* the master key's source, for messages */
    _Atomic(struct snap *) cur;
    atomic_llong next_check;              /* unix seconds of the next reload */
    atomic_uint_least64_t generation;     /* the store's when last reloaded */
    atomic_llong next_change_us;          /* real monotonic: the earliest change reload */
    pthread_mutex_t mu;                   /* one reload at a time; readers never take it */
    struct snap *snaps;                   /* under mu (and at open/free) */
    struct loaded *loaded;                /* under mu (and at open/free) */
};

/* 1 when e is newer than best: a later active_from; at equal active_from (two rotations in
 * one second) a current key (retire_at 0) over a superseded one, then the later retire_at,
 * then the later in store order. */
static int newer(const struct entry *e, const struct entry *best)
{
    if (e->active_from != best->active_from)
        return e->active_from > best->active_from;
    if ((e->retire_at == 0) != (best->retire_at == 0))
        return e->retire_at == 0;
    return e->retire_at >= best->retire_at;
}

/* The signing entry at now of the chain of alg (0: of any alg): the newest published key of
 * alg with active_from <= now. */
static const struct entry *signer(const struct snap *s, int64_t now, enum grantd_jwk_alg alg)
{
    const struct entry *best = NULL;
    for (size_t i = 0; i < s->count; i++) {
        const struct entry *e = &s->e[i];
        if (e->active_from > now || (e->retire_at != 0 && e->retire_at <= now) ||
            (alg && e->k->alg != alg))
            continue;
        if (!best || newer(e, best))
            best = e;
    }
    return best;
}

static void snap_free(struct snap *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->retired_count; i++)
        free(s->retired[i]);
    free(s->retired);
    free(s->retired_len);
    free(s->e);
    free(s->jwks);
    free(s);
}

/* Unseals and parses one stored key, checking that it is the key its kid names. */
static grantd_rc unseal_key(const struct grantd_keyring *kr, const struct grantd_key *k,
                            struct grantd_jwk **out)
{
    unsigned char *der = NULL;
    size_t n = 0;
    int alg = grantd_jwk_alg_parse(k->alg);
    *out = NULL;
    if (!alg)
        return GRANTD_EINVAL;
    grantd_rc rc = grantd_unseal(kr->master, k->kid, strlen(k->kid), k->private_sealed,
                                 k->private_sealed_len, &der, &n);
    if (rc != GRANTD_OK)
        return rc;
    rc = grantd_jwk_from_der((enum grantd_jwk_alg)alg, der, n, out);
    OPENSSL_cleanse(der, n);
    free(der);
    if (rc == GRANTD_OK && strcmp((*out)->kid, k->kid) != 0) {
        grantd_jwk_free(*out);
        *out = NULL;
        rc = GRANTD_EINVAL;
    }
    return rc;
}

/* The loaded key for k, unsealing it on first sight. NULL (with err) when it does not open;
 * a key that failed once is not tried again by this keyring. */
static const struct grantd_jwk *key_for(struct grantd_keyring *kr, const struct grantd_key *k,
                                        char *err, size_t errlen)
{
    struct loaded *l;
    for (l = kr->loaded; l; l = l->next)
        if (strcmp(l->kid, k->kid) == 0)
            break;
    grantd_rc rc = GRANTD_OK;
    if (!l) {
        l = grantd_xcalloc(1, sizeof(*l));
        l->kid = grantd_xstrdup(k->kid);
        rc = unseal_key(kr, k, &l->k);
        l->next = kr->loaded;
        kr->loaded = l;
    }
    if (l->k)
        return l->k;
    if (rc == GRANTD_ECRYPTO)
        snprintf(err, errlen, "signing key %s does not open with the %s: was the master key "
                              "changed?", k->kid, kr->where);
    else
        snprintf(err, errlen, "signing key %s is unusable (%s)", k->kid,
                 rc == GRANTD_OK ? "failed before" : grantd_strerror(rc));
    return NULL;
}

/* {"keys":[...]} of the entries published at now, malloc'd. */
static char *render_jwks(const struct snap *s, int64_t now, size_t *len)
{
    size_t cap = 16;
    for (size_t i = 0; i < s->count; i++)
        cap += strlen(s->e[i].k->public_jwk) + 1;
    char *out = grantd_xmalloc(cap);
    size_t n = 0;
    memcpy(out, "{\"keys\":[", 9);
    n = 9;
    for (size_t i = 0; i < s->count; i++) {
        const struct entry *e = &s->e[i];
        if (e->retire_at != 0 && e->retire_at <= now)
            continue;
        if (n > 9)
            out[n++] = ',';
        size_t l = strlen(e->k->public_jwk);
        memcpy(out + n, e->k->public_jwk, l);
        n += l;
    }
    memcpy(out + n, "]}", 3);
    *len = n + 2;
    return out;
}

/* A snapshot of the keys published at now. strict: a key that does not open is an error
 * (start-up); otherwise it is logged once and left out (reload). */
static grantd_rc build(struct grantd_keyring *kr, const struct grantd_key *keys, size_t n,
                       int64_t now, int strict, struct snap **out, char *err, size_t errlen)
{
    struct snap *s = grantd_xcalloc(1, sizeof(*s));
    s->e = grantd_xcalloc(n ? n : 1, sizeof(*s->e));
    s->jwks_until = INT64_MAX;
    s->retired = grantd_xcalloc(n ? n : 1, sizeof(*s->retired));
    s->retired_len = grantd_xcalloc(n ? n : 1, sizeof(*s->retired_len));
    for (size_t i = 0; i < n; i++) {
        if (!grantd_key_published(&keys[i], now)) {
            size_t *len = &s->retired_len[s->retired_count];
            s->retired[s->retired_count++] = grantd_jwt_header_b64(keys[i].alg, keys[i].kid, len);
            continue;
        }
        int seen = 0;
        for (struct loaded *l = kr->loaded; l && !seen; l = l->next)
            seen = strcmp(l->kid, keys[i].kid) == 0;
        const struct grantd_jwk *k = key_for(kr, &keys[i], err, errlen);
        if (!k && strict) {
            snap_free(s);
            return GRANTD_ECRYPTO;
        }
        if (!k) {
            if (!seen)
                grantd_log(GRANTD_LOG_ERROR, "signing_key_unusable", "{s:s,s:s}", "kid",
                           keys[i].kid, "error", err);
            continue;
        }
        s->e[s->count++] = (struct entry){k, keys[i].active_from, keys[i].retire_at};
        if (keys[i].retire_at != 0 && keys[i].retire_at < s->jwks_until)
            s->jwks_until = keys[i].retire_at;
    }
    s->jwks = render_jwks(s, now, &s->jwks_len);
    *out = s;
    return GRANTD_OK;
}

static int same(const struct snap *a, const struct snap *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (a->e[i].k != b->e[i].k || a->e[i].active_from != b->e[i].active_from ||
            a->e[i].retire_at != b->e[i].retire_at)
            return 0;
    return 1;
}

/* Re-reads the store; publishes a new snapshot when anything changed. Under kr->mu. */
static void reload_locked(struct grantd_keyring *kr, int64_t now)
{
    struct grantd_arena *a = grantd_arena_new(8 * 1024);
    struct grantd_key *keys = NULL;
    struct snap *s = NULL;
    size_t n = 0;
    char err[512];
    grantd_rc rc = grantd_store_key_list(kr->store, a, kr->tenant, &keys, &n);
    if (rc != GRANTD_OK) {
        grantd_log(GRANTD_LOG_WARN, "keys_reload_failed", "{s:s}", "error", grantd_strerror(rc));
        goto out;
    }
    if (build(kr, keys, n, now, 0, &s, err, sizeof(err)) != GRANTD_OK)
        goto out;
    struct snap *cur = atomic_load_explicit(&kr->cur, memory_order_relaxed);
    if (same(s, cur) && now < cur->jwks_until) {
        snap_free(s);
        goto out;
    }
    s->older = kr->snaps;
    kr->snaps = s;
    atomic_store_explicit(&kr->cur, s, memory_order_release);
    grantd_log(GRANTD_LOG_INFO, "keys_reloaded", "{s:i}", "published", (int)s->count);
out:
    grantd_arena_free(a);
}

static grantd_rc first_load(struct grantd_keyring *kr, const struct grantd_config *cfg,
                           int64_t now, char *err, size_t errlen);

/* A lazy keyring's first load, by whichever request needs it first; the others wait for it
 * (this once). NULL when it failed (logged; the next request tries again). */
static const struct snap *load_lazily(struct grantd_keyring *kr, int64_t now)
{
    pthread_mutex_lock(&kr->mu);
    if (!atomic_load_explicit(&kr->cur, memory_order_acquire)) {
        char err[512];
        if (first_load(kr, kr->cfg, now, err, sizeof(err)) != GRANTD_OK)
            grantd_log(GRANTD_LOG_ERROR, "keys_load_failed", "{s:i,s:s}", "tenant",
                       (int)kr->tenant, "error", err);
    }
    pthread_mutex_unlock(&kr->mu);
    return atomic_load_explicit(&kr->cur, memory_order_acquire);
}

/* 1 when the store changed since the last reload and the last one for a change is old
 * enough. */
static int changed(struct grantd_keyring *kr)
{
    return grantd_store_generation(kr->store) !=
               atomic_load_explicit(&kr->generation, memory_order_relaxed) &&
           grantd_clock_real_mono_us() >=
               atomic_load_explicit(&kr->next_change_us, memory_order_relaxed);
}

/* The current snapshot, reloading first when due (without ever waiting for another
 * thread's reload); NULL only for a lazy keyring that could not load. */
static const struct snap *current(struct grantd_keyring *kr, int64_t now)
{
    const struct snap *cur = atomic_load_explicit(&kr->cur, memory_order_acquire);
    if (!cur)
        return load_lazily(kr, now);
    if ((now >= atomic_load_explicit(&kr->next_check, memory_order_relaxed) || changed(kr)) &&
        pthread_mutex_trylock(&kr->mu) == 0) {
        uint64_t gen = grantd_store_generation(kr->store);
        if (now >= atomic_load_explicit(&kr->next_check, memory_order_relaxed) || changed(kr)) {
            atomic_store_explicit(&kr->next_check, now + kr->reload, memory_order_relaxed);
            atomic_store_explicit(&kr->next_change_us,
                                  grantd_clock_real_mono_us() + KEYS_CHANGE_RELOAD_MS * 1000,
                                  memory_order_relaxed);
            atomic_store_explicit(&kr->generation, gen, memory_order_relaxed);
            reload_locked(kr, now);
        }
        pthread_mutex_unlock(&kr->mu);
    }
    return atomic_load_explicit(&kr->cur, memory_order_acquire);
}

static int has_signer(const struct grantd_key *keys, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++)
        if (grantd_key_published(&keys[i], now) && keys[i].active_from <= now)
            return 1;
    return 0;
}

static void store_error(char *err, size_t errlen, const char *what, grantd_rc rc)
{
    snprintf(err, errlen, "%s: %s", what, grantd_strerror(rc));
}

/* ---- the public functions -------------------------------------------------------------- */

/* The key list, with a first key generated when none can sign at now. */
/* The tenant's first key, made by the server (grantd_keys__create), recorded in the audit trail as
 * key.create by "system" in the same transaction. */
static grantd_rc first_key(struct grantd_keyring *kr, enum grantd_jwk_alg alg, int64_t now,
                           struct grantd_arena *a)
{
    struct grantd_audit e = {.at = now, .actor_kind = "system", .action = "key.create"};
    return grantd_keys__create(kr->store, kr->master, kr->tenant, alg, now, now, 0, &e, a, NULL);
}

static grantd_rc open_keys(struct grantd_keyring *kr, const struct grantd_config *cfg,
                           int64_t now, struct grantd_arena *a, struct grantd_key **keys,
                           size_t *n, char *err, size_t errlen)
{
    struct grantd_store *s = kr->store;
    grantd_rc rc = grantd_store_key_list(s, a, kr->tenant, keys, n);
    if (rc != GRANTD_OK) {
        store_error(err, errlen, "cannot read the signing keys", rc);
        return rc;
    }
    if (has_signer(*keys, *n, now))
        return GRANTD_OK;
    int alg = grantd_jwk_alg_parse(cfg->keys.alg);
    rc = first_key(kr, alg ? (enum grantd_jwk_alg)alg : GRANTD_JWK_ES256, now, a);
    /* EEXIST: another server created the tenant's first key meanwhile; that one it is */
    if (rc == GRANTD_OK || rc == GRANTD_EEXIST)
        rc = grantd_store_key_list(s, a, kr->tenant, keys, n);
    if (rc != GRANTD_OK)
        store_error(err, errlen, "cannot create the first signing key", rc);
    return rc;
}

/* A keyring with its master key and no keys yet. */
static grantd_rc keyring_new(struct grantd_store *s, const struct grantd_config *cfg,
                             int64_t tenant, struct grantd_keyring **out, char *err,
                             size_t errlen)
{
    struct grantd_keyring *kr = grantd_xcalloc(1, sizeof(*kr));
    kr->store = s;
    kr->cfg = cfg;
    kr->tenant = tenant;
    kr->reload = cfg->keys.reload > 0 ? cfg->keys.reload : GRANTD_DEFAULT_KEY_RELOAD;
    int alg = grantd_jwk_alg_parse(cfg->keys.alg);
    kr->alg = alg ? (enum grantd_jwk_alg)alg : GRANTD_JWK_ES256;
    pthread_mutex_init(&kr->mu, NULL);
    atomic_init(&kr->cur, NULL);
    char where[GRANTD_MASTER_WHERE_MAX] = "";
    grantd_rc rc = grantd_master_key_load(cfg, 1, kr->master, where, sizeof(where), err, errlen);
    kr->where = grantd_xstrdup(where); /* exact size: a server may hold a thousand keyrings */
    if (rc != GRANTD_OK) {
        grantd_keyring_free(kr);
        kr = NULL;
    }
    *out = kr;
    return rc;
}

/* Reads (or creates) the keys and publishes the first snapshot. Under kr->mu, or before
 * any other thread can see kr. */
static grantd_rc first_load(struct grantd_keyring *kr, const struct grantd_config *cfg,
                           int64_t now, char *err, size_t errlen)
{
    struct grantd_arena *a = grantd_arena_new(8 * 1024);
    struct grantd_key *keys = NULL;
    struct snap *snap = NULL;
    size_t n = 0;
    uint64_t gen = grantd_store_generation(kr->store); /* before the read: never too new */
    grantd_rc rc = open_keys(kr, cfg, now, a, &keys, &n, err, errlen);
    if (rc == GRANTD_OK)
        rc = build(kr, keys, n, now, 1, &snap, err, errlen);
    if (rc == GRANTD_OK && !signer(snap, now, 0)) {
        snprintf(err, errlen, "no signing key can sign now");
        rc = GRANTD_ENOTFOUND;
    }
    grantd_arena_free(a);
    if (rc != GRANTD_OK) {
        snap_free(snap);
        return rc;
    }
    snap->older = kr->snaps;
    kr->snaps = snap;
    atomic_store_explicit(&kr->next_check, now + kr->reload, memory_order_relaxed);
    atomic_store_explicit(&kr->generation, gen, memory_order_relaxed);
    atomic_store_explicit(&kr->cur, snap, memory_order_release);
    return GRANTD_OK;
}

grantd_rc grantd_keyring_open(struct grantd_store *s, const struct grantd_config *cfg,
                              int64_t tenant, int64_t now, struct grantd_keyring **out,
                              char *err, size_t errlen)
{
    grantd_rc rc = keyring_new(s, cfg, tenant, out, err, errlen);
    if (rc == GRANTD_OK && (rc = first_load(*out, cfg, now, err, errlen)) != GRANTD_OK) {
        grantd_keyring_free(*out);
        *out = NULL;
    }
    return rc;
}

grantd_rc grantd_keyring_open_lazy(struct grantd_store *s, const struct grantd_config *cfg,
                                   int64_t tenant, struct grantd_keyring **out, char *err,
                                   size_t errlen)
{
    return keyring_new(s, cfg, tenant, out, err, errlen);
}

void grantd_keyring_free(struct grantd_keyring *kr)
{
    if (!kr)
        return;
    for (struct snap *s = kr->snaps, *older; s; s = older) {
        older = s->older;
        snap_free(s);
    }
    for (struct loaded *l = kr->loaded, *next; l; l = next) {
        next = l->next;
        grantd_jwk_free(l->k);
        free(l->kid);
        free(l);
    }
    OPENSSL_cleanse(kr->master, sizeof(kr->master));
    pthread_mutex_destroy(&kr->mu);
    free(kr->where);
    free(kr);
}

const char *grantd_keyring_jwks(struct grantd_keyring *kr, struct grantd_arena *a, int64_t now)
{
    const struct snap *s = current(kr, now);
    if (!s)
        return NULL;
    if (now < s->jwks_until)
        return grantd_arena_strndup(a, s->jwks, s->jwks_len);
    /* a key retired since the snapshot was made and no reload has replaced it (the store
     * may be failing): leave the retired key out all the same */
    size_t len = 0;
    char *text = render_jwks(s, now, &len);
    const char *copy = grantd_arena_strndup(a, text, len);
    free(text);
    return copy;
}

grantd_rc grantd_keyring_sign(struct grantd_keyring *kr, struct grantd_arena *a, int64_t now,
                              const struct grantd_jwt_claims *c, const char **out)
{
    const struct snap *s = current(kr, now);
    /* keys.alg's chain; a server whose keys.alg changed keeps signing with what it has
     * until it is rotated */
    const struct entry *e = s ? signer(s, now, kr->alg) : NULL;
    if (s && !e)
        e = signer(s, now, 0);
    *out = NULL;
    if (!s)
        return GRANTD_ESTORE;
    if (!e)
        return GRANTD_ENOTFOUND;
    return grantd_jwt_sign(e->k, a, c, out);
}

/* ---- JWS for other tokens (OpenID Connect ID tokens) ------------------------------------- */

/* One process-wide lock per alg: never two generations of a key of one alg at once. */
static pthread_mutex_t gen_mu[3] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
                                    PTHREAD_MUTEX_INITIALIZER};

/* Re-reads the store now, waiting for a reload under way. */
static const struct snap *reload_now(struct grantd_keyring *kr, int64_t now)
{
    pthread_mutex_lock(&kr->mu);
    if (atomic_load_explicit(&kr->cur, memory_order_acquire))
        reload_locked(kr, now);
    pthread_mutex_unlock(&kr->mu);
    return atomic_load_explicit(&kr->cur, memory_order_acquire);
}

/* The entry of alg that signs at now, generating and storing the tenant's first key of alg
 * (published and active from now) when there is none. */
static grantd_rc signer_of(struct grantd_keyring *kr, int64_t now, enum grantd_jwk_alg alg,
                           const struct entry **out)
{
    const struct snap *s = current(kr, now);
    if (!s)
        return GRANTD_ESTORE;
    if ((*out = signer(s, now, alg)) != NULL)
        return GRANTD_OK;
    pthread_mutex_lock(&gen_mu[alg]);
    grantd_rc rc = GRANTD_OK;
    s = reload_now(kr, now); /* a thread or process may have made it meanwhile */
    if ((*out = signer(s, now, alg)) == NULL) {
        struct grantd_arena *a = grantd_arena_new(1024);
        rc = first_key(kr, alg, now, a);
        grantd_arena_free(a);
        if (rc == GRANTD_OK)
            grantd_log(GRANTD_LOG_INFO, "key_created", "{s:i,s:s}", "tenant", (int)kr->tenant,
                       "alg", grantd_jwk_alg_name(alg));
        if (rc == GRANTD_OK || rc == GRANTD_EEXIST) /* EEXIST: another process's is stored */
            s = reload_now(kr, now);
        *out = signer(s, now, alg);
        if (rc == GRANTD_EEXIST || (rc == GRANTD_OK && !*out))
            rc = *out ? GRANTD_OK : GRANTD_ENOTFOUND;
    }
    pthread_mutex_unlock(&gen_mu[alg]);
    return rc;
}

grantd_rc grantd_keyring__signer(struct grantd_keyring *kr, int64_t now, enum grantd_jwk_alg alg,
                                 const struct grantd_jwk **out)
{
    const struct entry *e = NULL;
    grantd_rc rc = signer_of(kr, now, alg, &e);
    *out = rc == GRANTD_OK ? e->k : NULL;
    return rc;
}

/* The published entry at now whose kid is kid, or NULL. */
static const struct entry *by_kid(const struct snap *s, int64_t now, const char *kid)
{
    for (size_t i = 0; i < s->count; i++) {
        const struct entry *e = &s->e[i];
        if ((e->retire_at == 0 || e->retire_at > now) && strcmp(e->k->kid, kid) == 0)
            return e;
    }
    return NULL;
}

grantd_rc grantd_keyring__published(struct grantd_keyring *kr, int64_t now, const char *kid,
                                    const struct grantd_jwk **out)
{
    const struct snap *s = current(kr, now);
    const struct entry *e = s ? by_kid(s, now, kid) : NULL;
    *out = e ? e->k : NULL;
    return !s ? GRANTD_ESTORE : e ? GRANTD_OK : GRANTD_ENOTFOUND;
}

int grantd_keyring_header_live(struct grantd_keyring *kr, int64_t now, const char *jws)
{
    const struct snap *s = current(kr, now);
    const char *dot = strchr(jws, '.');
    size_t h = dot ? (size_t)(dot - jws) : 0;
    if (!s || !dot)
        return 1;
    for (size_t i = 0; i < s->count; i++) {
        const struct entry *e = &s->e[i];
        if (e->k->header_b64_len == h && memcmp(e->k->header_b64, jws, h) == 0)
            return e->retire_at == 0 || e->retire_at > now;
    }
    for (size_t i = 0; i < s->retired_count; i++)
        if (s->retired_len[i] == h && memcmp(s->retired[i], jws, h) == 0)
            return 0;
    return 1; /* a key this snapshot does not know (a rotation not reloaded yet): the row decides */
}

grantd_rc grantd_keyring_verify(struct grantd_keyring *kr, struct grantd_arena *a, int64_t now,
                                const char *jws, struct grantd_jwt_claims *out)
{
    const struct snap *s = current(kr, now);
    const char *dot = strchr(jws, '.');
    size_t h = dot ? (size_t)(dot - jws) : 0;
    memset(out, 0, sizeof(*out));
    if (!s)
        return GRANTD_ESTORE;
    for (size_t i = 0; dot && i < s->count; i++) {
        const struct entry *e = &s->e[i];
        if (e->retire_at != 0 && e->retire_at <= now)
            continue;
        if (e->k->header_b64_len != h || memcmp(e->k->header_b64, jws, h) != 0)
            continue;
        grantd_rc rc = grantd_jwt_verify(e->k, a, jws, out);
        if (rc == GRANTD_OK &&
            (out->iat > now + GRANTD_JWT_SKEW_S || out->nbf > now + GRANTD_JWT_SKEW_S)) {
            memset(out, 0, sizeof(*out));
            rc = GRANTD_EINVAL;
        }
        return rc;
    }
    return GRANTD_EINVAL;
}

uint64_t grantd_keyring_generation(struct grantd_keyring *kr)
{
    return atomic_load_explicit(&kr->generation, memory_order_relaxed);
}
