/* The metric families and their tables (core/metrics.h). A family is an open-addressed table
 * of GRANTD_METRICS_SLOTS slots keyed by up to two label texts and a number (the HTTP status);
 * a slot's key is written once under the insert mutex and published by the release store
 * of its first label, after which every count is a relaxed atomic add. Histograms keep one
 * counter per bucket (not cumulative) and the sum; the scrape adds them up, so _count is
 * always the +Inf bucket. Not here: what is counted where (the callers), the endpoint. */
#include "core/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

#define MAX_BOUNDS 15

/* Each thread counts in a shard of its own (threads take shards in turn), each shard on
 * cache lines of its own: two I/O threads counting the same route never bounce a line. */
#define SHARDS 4
#define LINE 64

struct shard {
    _Alignas(LINE) atomic_uint_least64_t n;      /* counters */
    atomic_uint_least64_t sum;                   /* histograms: in the family's unit */
    atomic_uint_least64_t bucket[MAX_BOUNDS + 1]; /* histograms: the last is above every bound */
};

struct slot {
    _Atomic(const char *) a; /* NULL: free; set last, with release */
    const char *b;
    unsigned code;
    struct shard shard[SHARDS];
};

struct family {
    const char *name, *help;
    int histogram;
    const char *label_a, *label_b, *label_code; /* label names; NULL: not used */
    const uint64_t *bounds;                     /* histograms: upper bounds, as observed */
    size_t bound_count;
    double unit;                                /* what one of sum/observed values is worth */
    struct slot slots[GRANTD_METRICS_SLOTS];
};

/* Request and store latencies, observed in microseconds, shown in seconds (100 µs to 10 s);
 * integers, so that an observation is compared without a conversion. */
static const uint64_t latency_bounds[] = {100,    250,    500,     1000,    2500,
                                          5000,   10000,  25000,   50000,   100000,
                                          250000, 500000, 1000000, 2500000, 10000000};
static const uint64_t batch_bounds[] = {1, 2, 4, 8, 16, 32, 64, 128};

#define COUNTER1(name_, help_, label_)                                                          \
    {.name = name_, .help = help_, .label_a = label_}
#define NBOUNDS(b) (sizeof(b) / sizeof((b)[0]))

enum { FAM_REQUESTS = GRANTD_METRIC_COUNTERS, FAM_DURATION, FAM_STORE, FAM_BATCH, FAM_COUNT };

static struct family families[FAM_COUNT] = {
    [GRANTD_METRIC_TOKENS_ISSUED] = COUNTER1("grantd_tokens_issued_total",
                                             "Token responses answered 200, by grant type.",
                                             "grant"),
    [GRANTD_METRIC_REFUSALS] = COUNTER1("grantd_refusals_total",
                                        "Protocol refusals answered, by OAuth error code or "
                                        "reason.",
                                        "reason"),
    [GRANTD_METRIC_RATE_LIMITED] = COUNTER1("grantd_rate_limited_total",
                                            "Requests held off by a rate limit, by limit.",
                                            "limit"),
    [GRANTD_METRIC_CACHE_HITS] = COUNTER1("grantd_cache_hits_total",
                                          "Cache lookups answered from the cache.", "cache"),
    [GRANTD_METRIC_CACHE_MISSES] = COUNTER1("grantd_cache_misses_total",
                                            "Cache lookups that went to the store.", "cache"),
    [FAM_REQUESTS] = {.name = "grantd_http_requests_total",
                      .help = "HTTP requests answered, by listener, route pattern and status.",
                      .label_a = "route", .label_b = "listener", .label_code = "status"},
    [FAM_DURATION] = {.name = "grantd_http_request_duration_seconds",
                      .help = "Time from a request's first byte to its answer being queued.",
                      .histogram = 1, .label_a = "route", .label_b = "listener",
                      .bounds = latency_bounds, .bound_count = NBOUNDS(latency_bounds),
                      .unit = 1e-6},
    [FAM_STORE] = {.name = "grantd_store_operation_duration_seconds",
                   .help = "Time a store operation took in its driver, by operation.",
                   .histogram = 1, .label_a = "op", .bounds = latency_bounds,
                   .bound_count = NBOUNDS(latency_bounds), .unit = 1e-6},
    [FAM_BATCH] = {.name = "grantd_store_writer_batch_size",
                   .help = "Jobs committed together by a store writer thread (group commit).",
                   .histogram = 1, .label_a = "writer", .bounds = batch_bounds,
                   .bound_count = NBOUNDS(batch_bounds), .unit = 1},
};

static pthread_mutex_t insert_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_least64_t overflow;
static atomic_uint next_shard;
static _Thread_local int my_shard = -1;

static struct shard *shard_of(struct slot *s)
{
    if (my_shard < 0)
        my_shard = (int)(atomic_fetch_add(&next_shard, 1) % SHARDS);
    return &s->shard[my_shard];
}

/* The sum over the shards of one counter (member at offset off of struct shard). */
static uint64_t total(const struct slot *s, size_t off)
{
    uint64_t t = 0;
    for (int i = 0; i < SHARDS; i++)
        t += atomic_load_explicit(
            (const atomic_uint_least64_t *)(const void *)((const char *)&s->shard[i] + off),
            memory_order_relaxed);
    return t;
}

static uint64_t hash(const char *a, const char *b, unsigned code)
{
    uint64_t h = 1469598103934665603ULL ^ code;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (const char *p = b ? b : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static int same(const struct slot *s, const char *sa, const char *a, const char *b,
                unsigned code)
{
    if (s->code != code || (sa != a && strcmp(sa, a) != 0))
        return 0;
    return s->b == b || (s->b && b && strcmp(s->b, b) == 0);
}

/* Writes the key into a free slot under the mutex (another thread may have meanwhile). */
static struct slot *insert(struct family *f, uint64_t h, const char *a, const char *b,
                           unsigned code)
{
    struct slot *found = NULL;
    pthread_mutex_lock(&insert_mu);
    for (size_t i = 0; i < GRANTD_METRICS_SLOTS && !found; i++) {
        struct slot *s = &f->slots[(h + i) % GRANTD_METRICS_SLOTS];
        const char *sa = atomic_load_explicit(&s->a, memory_order_acquire);
        if (sa && same(s, sa, a, b, code)) {
            found = s;
        } else if (!sa) {
            s->b = b ? grantd_xstrdup(b) : NULL;
            s->code = code;
            atomic_store_explicit(&s->a, grantd_xstrdup(a), memory_order_release);
            found = s;
        }
    }
    pthread_mutex_unlock(&insert_mu);
    return found;
}

/* The slot of a label set: lock-free once it exists. NULL when the family is full. */
static struct slot *lookup(struct family *f, const char *a, const char *b, unsigned code)
{
    uint64_t h = hash(a, b, code);
    for (size_t i = 0; i < GRANTD_METRICS_SLOTS; i++) {
        struct slot *s = &f->slots[(h + i) % GRANTD_METRICS_SLOTS];
        const char *sa = atomic_load_explicit(&s->a, memory_order_acquire);
        if (!sa)
            return insert(f, h, a, b, code);
        if (same(s, sa, a, b, code))
            return s;
    }
    atomic_fetch_add_explicit(&overflow, 1, memory_order_relaxed);
    return NULL;
}

static void add(struct family *f, const char *a, const char *b, unsigned code)
{
    struct slot *s = lookup(f, a ? a : "", b, code);
    if (s)
        atomic_fetch_add_explicit(&shard_of(s)->n, 1, memory_order_relaxed);
}

static void observe(struct family *f, const char *a, const char *b, uint64_t v)
{
    struct slot *s = lookup(f, a ? a : "", b, 0);
    if (!s)
        return;
    size_t i = 0;
    while (i < f->bound_count && v > f->bounds[i])
        i++;
    struct shard *sh = shard_of(s);
    atomic_fetch_add_explicit(&sh->bucket[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sh->sum, v, memory_order_relaxed);
}

void grantd_metrics_count(enum grantd_metric m, const char *label)
{
    if ((unsigned)m < GRANTD_METRIC_COUNTERS)
        add(&families[m], label, NULL, 0);
}

void grantd_metrics_request(const char *route, int admin, unsigned status, int64_t us)
{
    const char *listener = admin ? "admin" : "public";
    add(&families[FAM_REQUESTS], route, listener, status);
    observe(&families[FAM_DURATION], route, listener, us > 0 ? (uint64_t)us : 0);
}

void grantd_metrics_store_op(const char *op, int64_t us)
{
    observe(&families[FAM_STORE], op, NULL, us > 0 ? (uint64_t)us : 0);
}

void grantd_metrics_writer_batch(const char *writer, size_t n)
{
    observe(&families[FAM_BATCH], writer, NULL, n);
}

int64_t grantd_metrics_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- the text exposition format ------------------------------------------------------ */

void grantd_metrics_label_value(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", out);
        else if (*s == '"')
            fputs("\\\"", out);
        else if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

/* {a="..",b="..",status="..."[,le="..."]}; le NULL: none */
static void labels(FILE *out, const struct family *f, const struct slot *s, const char *sa,
                   const char *le)
{
    fprintf(out, "{%s=", f->label_a);
    grantd_metrics_label_value(out, sa);
    if (f->label_b && s->b) {
        fprintf(out, ",%s=", f->label_b);
        grantd_metrics_label_value(out, s->b);
    }
    if (f->label_code)
        fprintf(out, ",%s=\"%u\"", f->label_code, s->code);
    if (le)
        fprintf(out, ",le=\"%s\"", le);
    fputc('}', out);
}

static void render_histogram(FILE *out, const struct family *f, const struct slot *s,
                             const char *sa)
{
    uint64_t cumulative = 0;
    char le[32];
    for (size_t i = 0; i <= f->bound_count; i++) {
        cumulative += total(s, offsetof(struct shard, bucket) + i * sizeof(s->shard[0].bucket[0]));
        if (i < f->bound_count)
            snprintf(le, sizeof(le), "%g", (double)f->bounds[i] * f->unit);
        else
            snprintf(le, sizeof(le), "+Inf");
        fprintf(out, "%s_bucket", f->name);
        labels(out, f, s, sa, le);
        fprintf(out, " %llu\n", (unsigned long long)cumulative);
    }
    double sum = (double)total(s, offsetof(struct shard, sum)) * f->unit;
    fprintf(out, "%s_sum", f->name);
    labels(out, f, s, sa, NULL);
    fprintf(out, " %.6f\n%s_count", sum, f->name);
    labels(out, f, s, sa, NULL);
    fprintf(out, " %llu\n", (unsigned long long)cumulative);
}

static void render_family(FILE *out, const struct family *f)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
            f->histogram ? "histogram" : "counter");
    for (size_t i = 0; i < GRANTD_METRICS_SLOTS; i++) {
        const struct slot *s = &f->slots[i];
        const char *sa = atomic_load_explicit(&s->a, memory_order_acquire);
        if (!sa)
            continue;
        if (f->histogram) {
            render_histogram(out, f, s, sa);
            continue;
        }
        fputs(f->name, out);
        labels(out, f, s, sa, NULL);
        fprintf(out, " %llu\n", (unsigned long long)total(s, offsetof(struct shard, n)));
    }
}

void grantd_metrics_render(FILE *out)
{
    for (size_t i = 0; i < FAM_COUNT; i++)
        render_family(out, &families[i]);
    fprintf(out,
            "# HELP grantd_metrics_overflow_total Samples not counted: their family had no "
            "free label set.\n# TYPE grantd_metrics_overflow_total counter\n"
            "grantd_metrics_overflow_total %llu\n",
            (unsigned long long)atomic_load(&overflow));
}

void grantd_metrics_reset(void)
{
    pthread_mutex_lock(&insert_mu);
    for (size_t i = 0; i < FAM_COUNT; i++)
        for (size_t j = 0; j < GRANTD_METRICS_SLOTS; j++) {
            struct slot *s = &families[i].slots[j];
            const char *sa = atomic_exchange(&s->a, NULL);
            free((void *)sa);
            free((void *)s->b);
            memset((void *)s, 0, sizeof(*s));
        }
    atomic_store(&overflow, 0);
    pthread_mutex_unlock(&insert_mu);
}
