/* The parts of the command line every command shares (cli.h): building the configuration,
 * opening the store, usage errors, redacting database URLs. */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/events.h"
#include "store/schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void grantd_cli_vprint_error(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "grantd %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int grantd_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    grantd_cli_vprint_error(cmd, fmt, ap);
    va_end(ap);
    return GRANTD_EXIT_USAGE;
}

void grantd_cli_redact_url(const char *url, char *out, size_t outlen)
{
    const char *auth = strstr(url, "://");
    if (!auth) {
        snprintf(out, outlen, "%s", url);
        return;
    }
    auth += 3;
    size_t auth_len = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', auth_len);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (!colon) {
        snprintf(out, outlen, "%s", url);
        return;
    }
    snprintf(out, outlen, "%.*s***%s", (int)(colon + 1 - url), url, at);
}

int grantd_cli_config(struct grantd_config *cfg, const char *config_path, const char *listen,
                      const char *db, const char *issuer)
{
    char err[512];
    grantd_config_defaults(cfg);
    const char *path = config_path;
    if (!path) {
        const char *env = getenv("GRANTD_CONFIG");
        path = env && *env ? env : NULL;
    }
    if (path && grantd_config_load_file(cfg, path, err, sizeof(err)) != GRANTD_OK) {
        fprintf(stderr, "grantd: %s\n", err);
        return GRANTD_EXIT_USAGE;
    }
    grantd_config_apply_env(cfg);
    if (listen)
        grantd_config_set(&cfg->listen, listen);
    if (db)
        grantd_config_set(&cfg->db_url, db);
    if (issuer)
        grantd_config_set(&cfg->issuer, issuer);
    if (grantd_config_validate(cfg, err, sizeof(err)) != GRANTD_OK) {
        fprintf(stderr, "grantd: %s\n", err);
        return GRANTD_EXIT_USAGE;
    }
    return GRANTD_EXIT_OK;
}

void grantd_cli_schema_refusal(int version, int compat, char *out, size_t outlen)
{
    snprintf(out, outlen,
             "its schema version %d needs a grantd of schema version %d or newer, and this "
             "grantd's is %d: run a newer grantd on it",
             version, compat, GRANTD_SCHEMA_VERSION);
}

int grantd_cli_open_store(const struct grantd_config *cfg, struct grantd_store **out)
{
    char err[512], url[512];
    int from = 0, to = 0;
    struct grantd_store *s = NULL;
    grantd_cli_redact_url(cfg->db_url, url, sizeof(url));
    *out = NULL;
    /* the audit events of every change this command or server makes (core/events.h) */
    if (cfg->audit_events &&
        grantd_events_open(cfg->audit_events, err, sizeof(err)) != GRANTD_OK) {
        fprintf(stderr, "grantd: %s\n", err);
        return GRANTD_EXIT_FAIL;
    }
    if (grantd_store_open(cfg->db_url, &s, err, sizeof(err)) != GRANTD_OK) {
        /* the driver's reason names the database already (without a password) */
        fprintf(stderr, "grantd: %s\n", err);
        return GRANTD_EXIT_FAIL;
    }
    grantd_rc rc = grantd_store_migrate(s, grantd_clock_now(), &from, &to);
    if (rc == GRANTD_ESCHEMA) {
        char why[256];
        grantd_cli_schema_refusal(from, to, why, sizeof(why));
        fprintf(stderr, "grantd: cannot use database %s: %s\n", url, why);
        grantd_store_close(s);
        return GRANTD_EXIT_FAIL;
    }
    if (rc != GRANTD_OK) {
        fprintf(stderr, "grantd: cannot migrate database %s: %s\n", url, grantd_strerror(rc));
        grantd_store_close(s);
        return GRANTD_EXIT_FAIL;
    }
    *out = s;
    return GRANTD_EXIT_OK;
}
