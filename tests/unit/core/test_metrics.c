/* Unit tests of core/metrics.c: counts by label text (not by pointer), histograms rendered
 * cumulative with +Inf equal to _count, label values escaped, counts from several threads
 * summed exactly, and a family past its label sets counted in the overflow counter rather
 * than growing. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/metrics.h"

/* The whole exposition text (caller frees). */
static char *render(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    grantd_metrics_render(out);
    fclose(out);
    return text;
}

static void assert_line(const char *text, const char *line)
{
    char *want = malloc(strlen(line) + 3);
    sprintf(want, "\n%s\n", line);
    if (!strstr(text, want))
        fail_msg("missing line %s in:\n%s", line, text);
    free(want);
}

static int reset(void **state)
{
    grantd_metrics_reset();
    return 0;
}

static void test_counts_by_label_text(void **state)
{
    char label[16];
    strcpy(label, "login");
    grantd_metrics_count(GRANTD_METRIC_RATE_LIMITED, "login");
    grantd_metrics_count(GRANTD_METRIC_RATE_LIMITED, label); /* another pointer, same text */
    grantd_metrics_count(GRANTD_METRIC_RATE_LIMITED, "introspect");
    grantd_metrics_count(GRANTD_METRIC_TOKENS_ISSUED, "client_credentials");
    char *text = render();
    assert_line(text, "grantd_rate_limited_total{limit=\"login\"} 2");
    assert_line(text, "grantd_rate_limited_total{limit=\"introspect\"} 1");
    assert_line(text, "grantd_tokens_issued_total{grant=\"client_credentials\"} 1");
    assert_line(text, "# TYPE grantd_rate_limited_total counter");
    free(text);
}

static void test_requests_and_histogram(void **state)
{
    grantd_metrics_request("/token", 0, 200, 300);     /* 0.3 ms */
    grantd_metrics_request("/token", 0, 200, 3000000); /* 3 s */
    grantd_metrics_request("/token", 0, 401, 50);
    grantd_metrics_request("/check", 1, 200, 100);
    char *text = render();
    const char *r = "grantd_http_requests_total";
    char line[256];
    snprintf(line, sizeof(line), "%s{route=\"/token\",listener=\"public\",status=\"200\"} 2", r);
    assert_line(text, line);
    snprintf(line, sizeof(line), "%s{route=\"/token\",listener=\"public\",status=\"401\"} 1", r);
    assert_line(text, line);
    snprintf(line, sizeof(line), "%s{route=\"/check\",listener=\"admin\",status=\"200\"} 1", r);
    assert_line(text, line);
    const char *d = "grantd_http_request_duration_seconds";
    snprintf(line, sizeof(line), "%s_bucket{route=\"/token\",listener=\"public\",le=\"0.0001\"} 1",
             d);
    assert_line(text, line);
    snprintf(line, sizeof(line), "%s_bucket{route=\"/token\",listener=\"public\",le=\"0.0005\"} 2",
             d);
    assert_line(text, line);
    snprintf(line, sizeof(line), "%s_bucket{route=\"/token\",listener=\"public\",le=\"2.5\"} 2", d);
    assert_line(text, line);
    snprintf(line, sizeof(line), "%s_bucket{route=\"/token\",listener=\"public\",le=\"10\"} 3", d);
    assert_line(text, line);
    snprintf(line, sizeof(line), "%s_bucket{route=\"/token\",listener=\"public\",le=\"+Inf\"} 3",
             d);
    assert_line(text, line);
    snprintf(line, sizeof(line), "%s_count{route=\"/token\",listener=\"public\"} 3", d);
    assert_line(text, line);
    snprintf(line, sizeof(line), "%s_sum{route=\"/token\",listener=\"public\"} 3.000350", d);
    assert_line(text, line);
    free(text);
}

static void test_label_values_are_escaped(void **state)
{
    grantd_metrics_count(GRANTD_METRIC_REFUSALS, "a\"b\\c\nd");
    char *text = render();
    assert_line(text, "grantd_refusals_total{reason=\"a\\\"b\\\\c\\nd\"} 1");
    free(text);
}

static void test_overflow_is_counted_not_grown(void **state)
{
    char label[32];
    for (int i = 0; i < GRANTD_METRICS_SLOTS + 10; i++) {
        snprintf(label, sizeof(label), "l%d", i);
        grantd_metrics_count(GRANTD_METRIC_CACHE_HITS, label);
    }
    grantd_metrics_count(GRANTD_METRIC_CACHE_HITS, "l0"); /* an existing one still counts */
    char *text = render();
    assert_line(text, "grantd_metrics_overflow_total 10");
    assert_line(text, "grantd_cache_hits_total{cache=\"l0\"} 2");
    free(text);
}

#define THREADS 4
#define PER_THREAD 100000

static void *counter_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        grantd_metrics_count(GRANTD_METRIC_TOKENS_ISSUED, "refresh_token");
        grantd_metrics_store_op("token_get", 7);
    }
    return NULL;
}

static void test_threads_sum_exactly(void **state)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, counter_thread, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    char *text = render();
    assert_line(text, "grantd_tokens_issued_total{grant=\"refresh_token\"} 400000");
    assert_line(text, "grantd_store_operation_duration_seconds_count{op=\"token_get\"} 400000");
    assert_line(text, "grantd_store_operation_duration_seconds_sum{op=\"token_get\"} 2.800000");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_counts_by_label_text, reset),
        cmocka_unit_test_setup(test_requests_and_histogram, reset),
        cmocka_unit_test_setup(test_label_values_are_escaped, reset),
        cmocka_unit_test_setup(test_overflow_is_counted_not_grown, reset),
        cmocka_unit_test_setup(test_threads_sum_exactly, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
