/* Process-wide metrics for the Prometheus endpoint (GET /metrics on the admin listener,
 * oauth/metrics.c): labelled counters and histograms kept in fixed tables of atomics, so
 * that counting on a request's path takes no lock (a label set seen for the first time takes
 * the insert mutex once). The text exposition format 0.0.4 is rendered here too.
 *
 * For other code (rate limits, grants, caches), one call each:
 *
 *     grantd_metrics_count(GRANTD_METRIC_RATE_LIMITED, "login");   // a limit applied
 *     grantd_metrics_count(GRANTD_METRIC_TOKENS_ISSUED, "refresh_token");
 *
 * A label must come from a bounded set (a literal, a grant type or error code from a fixed
 * table): never a user's input, an id or a path. Labels are compared by text and copied on
 * first sight; each family holds GRANTD_METRICS_SLOTS label sets, and one past that is not
 * counted but counted in grantd_metrics_overflow_total. Not here: the endpoint, the signing
 * keys' ages (oauth/metrics.c asks the keyrings at each scrape). */
#ifndef GRANTD_CORE_METRICS_H
#define GRANTD_CORE_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GRANTD_METRICS_SLOTS 256

/* The counters with one label, for grantd_metrics_count. */
enum grantd_metric {
    GRANTD_METRIC_TOKENS_ISSUED, /* grantd_tokens_issued_total{grant}: a grant answered 200 */
    GRANTD_METRIC_REFUSALS,      /* grantd_refusals_total{reason}: an OAuth error answered */
    GRANTD_METRIC_RATE_LIMITED,  /* grantd_rate_limited_total{limit}: a request held off */
    GRANTD_METRIC_CACHE_HITS,    /* grantd_cache_hits_total{cache} */
    GRANTD_METRIC_CACHE_MISSES,  /* grantd_cache_misses_total{cache} */
    GRANTD_METRIC_COUNTERS
};

/* Adds one to counter m for label (see above). */
void grantd_metrics_count(enum grantd_metric m, const char *label);

/* A request answered: route is the route table's pattern ("/token"; "unmatched" for a path
 * no row serves, "refused" for one refused before routing), admin 1 for the admin listener,
 * status the HTTP status, us its duration in microseconds. Counts
 * grantd_http_requests_total{listener,route,status} and observes
 * grantd_http_request_duration_seconds{listener,route}. */
void grantd_metrics_request(const char *route, int admin, unsigned status, int64_t us);

/* A store operation returned after us microseconds: grantd_store_operation_duration_seconds
 * {op} (op: the wrapper's operation name, store/store.c). */
void grantd_metrics_store_op(const char *op, int64_t us);

/* A group commit of n jobs by a store's writer thread ("sqlite", "postgres_tokens",
 * "postgres_codes", "postgres_rotations"): grantd_store_writer_batch_size{writer}. */
void grantd_metrics_writer_batch(const char *writer, size_t n);

/* The monotonic clock in microseconds (for the durations above). */
int64_t grantd_metrics_now_us(void);

/* Writes every family in the text exposition format 0.0.4 to out. */
void grantd_metrics_render(FILE *out);

/* Writes s as a label value: backslash, double quote and line feed escaped. */
void grantd_metrics_label_value(FILE *out, const char *s);

/* Tests only: forgets every sample. Not safe while others count. */
void grantd_metrics_reset(void);

#endif
