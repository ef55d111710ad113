/* Health probes. Readiness asks the store; liveness asks nothing. */
#include "oauth/endpoints.h"

#include "core/log.h"
#include "http/app.h"
#include "store/store.h"

void grantd_health_live(struct grantd_request *req, struct grantd_response *resp)
{
    grantd_response_json(req, resp, 200, json_pack("{s:s}", "status", "ok"));
}

void grantd_health_ready(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_store *store = req->app->store;
    grantd_rc rc = grantd_store_ping(store);
    if (rc != GRANTD_OK) {
        grantd_log(GRANTD_LOG_WARN, "not_ready", "{s:s,s:s}", "request_id", req->request_id,
                   "reason", grantd_strerror(rc));
        grantd_response_json(req, resp, 503,
                             json_pack("{s:s,s:s}", "status", "unavailable", "database",
                                       grantd_strerror(rc)));
        return;
    }
    grantd_response_json(req, resp, 200, json_pack("{s:s,s:s}", "status", "ok", "database", "ok"));
}
