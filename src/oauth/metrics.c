/* GET /metrics on the admin listener: the process's counters and histograms (core/metrics.c)
 * in the Prometheus text exposition format 0.0.4, and at each scrape the age of every
 * issuer's signing key per algorithm, read from the store. Not here: the counting (its
 * callers), the format of the families (core/metrics.c). The public listener has no such
 * route: its table (oauth/routes.c) never names this handler. */
#include "oauth/endpoints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "http/app.h"
#include "store/store.h"
#include "token/keys.h"

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* grantd_signing_key_age_seconds{issuer,alg}: seconds since the key that signs now for that
 * alg started signing (its active_from). An issuer whose keys cannot be read is left out. */
static void key_ages(struct grantd_request *req, FILE *out)
{
    const struct grantd_app *app = req->app;
    int64_t now = app->now();
    fputs("# HELP grantd_signing_key_age_seconds Seconds since the signing key in use per "
          "issuer and algorithm started signing.\n"
          "# TYPE grantd_signing_key_age_seconds gauge\n", out);
    size_t issuers = 0;
    const struct grantd_issuer *all = grantd_app_issuers(app, &issuers);
    for (size_t i = 0; i < issuers; i++) {
        const struct grantd_issuer *iss = &all[i];
        struct grantd_key *list = NULL;
        size_t n = 0;
        if (grantd_store_key_list(app->store, req->arena, iss->tenant, &list, &n) != GRANTD_OK)
            continue;
        for (size_t k = 0; k < n; k++) {
            if (strcmp(grantd_keys_state(list, n, k, now), "active") != 0)
                continue;
            fputs("grantd_signing_key_age_seconds{issuer=", out);
            grantd_metrics_label_value(out, iss->url);
            fputs(",alg=", out);
            grantd_metrics_label_value(out, list[k].alg);
            fprintf(out, "} %lld\n", (long long)(now - list[k].active_from));
        }
    }
}

void grantd_metrics_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out) {
        grantd_response_internal(req, resp, GRANTD_EIO);
        return;
    }
    grantd_metrics_render(out);
    key_ages(req, out);
    fclose(out);
    char *body = grantd_arena_alloc(req->arena, len + 1);
    memcpy(body, text, len + 1);
    free(text);
    grantd_response_body(resp, 200, METRICS_TYPE, body, len);
}
