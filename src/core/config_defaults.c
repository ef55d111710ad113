/* The defaults of every setting (grantd_config_defaults, core/config.h): what a grantd
 * without a configuration file runs with. The values are the GRANTD_DEFAULT_* constants of
 * core/config.h, documented there and in examples/grantd.conf. */
#include "core/config.h"

#include <string.h>

#include "core/mem.h"

void grantd_config_defaults(struct grantd_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->listen = grantd_xstrdup(GRANTD_DEFAULT_LISTEN);
    cfg->db_url = grantd_xstrdup(GRANTD_DEFAULT_DB);
    cfg->log_level = grantd_xstrdup(GRANTD_DEFAULT_LOG_LEVEL);
    cfg->lifetimes.code = GRANTD_DEFAULT_CODE_TTL;
    cfg->lifetimes.access_token = GRANTD_DEFAULT_ACCESS_TTL;
    cfg->lifetimes.refresh_token = GRANTD_DEFAULT_REFRESH_TTL;
    cfg->lifetimes.session = GRANTD_DEFAULT_SESSION_TTL;
    cfg->lifetimes.refresh_grace = GRANTD_DEFAULT_REFRESH_GRACE;
    cfg->rate_limits.login.failures = GRANTD_DEFAULT_LOGIN_FAILURES;
    cfg->rate_limits.login.window = GRANTD_DEFAULT_LOGIN_WINDOW;
    cfg->rate_limits.login.max_delay = GRANTD_DEFAULT_LOGIN_MAX_DELAY;
    cfg->rate_limits.address.failures = GRANTD_DEFAULT_ADDRESS_FAILURES;
    cfg->rate_limits.address.window = GRANTD_DEFAULT_ADDRESS_WINDOW;
    cfg->rate_limits.client.failures = GRANTD_DEFAULT_CLIENT_FAILURES;
    cfg->rate_limits.client.window = GRANTD_DEFAULT_CLIENT_WINDOW;
    cfg->rate_limits.introspect.rate = GRANTD_DEFAULT_INTROSPECT_RATE;
    cfg->rate_limits.check.rate = GRANTD_DEFAULT_CHECK_RATE;
    cfg->keys.alg = grantd_xstrdup(GRANTD_DEFAULT_KEY_ALG);
    cfg->keys.publish_ahead = GRANTD_DEFAULT_KEY_PUBLISH_AHEAD;
    cfg->keys.reload = GRANTD_DEFAULT_KEY_RELOAD;
    cfg->limits.body_bytes = GRANTD_DEFAULT_BODY_BYTES;
    cfg->limits.header_bytes = GRANTD_DEFAULT_HEADER_BYTES;
    cfg->limits.max_params = GRANTD_DEFAULT_LIMIT_MAX_PARAMS;
    cfg->limits.max_param_name = GRANTD_DEFAULT_LIMIT_MAX_PARAM_NAME;
    cfg->limits.max_param_value = GRANTD_DEFAULT_LIMIT_MAX_PARAM_VALUE;
    cfg->limits.connections = GRANTD_DEFAULT_CONNECTIONS;
    cfg->limits.connections_per_ip = GRANTD_DEFAULT_CONNECTIONS_PER_IP;
    cfg->limits.connection_timeout = GRANTD_DEFAULT_CONNECTION_TIMEOUT;
    cfg->limits.header_timeout = GRANTD_DEFAULT_HEADER_TIMEOUT;
    cfg->limits.body_timeout = GRANTD_DEFAULT_BODY_TIMEOUT;
    cfg->limits.threads = GRANTD_DEFAULT_THREADS;
    cfg->token_cache = 1;
    cfg->passwords.min_length = GRANTD_DEFAULT_PASSWORD_MIN;
    cfg->forwarded_header = grantd_xstrdup("x-forwarded-for");
    cfg->revocation_feed_retention = GRANTD_DEFAULT_FEED_RETENTION;
    cfg->profile.out_of_band = 1; /* what grantd has always done; a profile may turn it off */
    cfg->registration.mode = grantd_xstrdup(GRANTD_REGISTRATION_OFF);
}
