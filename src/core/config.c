/* grantd configuration: defaults, the libconfig file, GRANTD_* environment, validation.
 *
 * Every setting the file may hold is one row of a static table (name, kind, where it lives
 * in struct grantd_config, its range or its checker), so loading, validation and the error
 * messages all come from the same place. Anything not in the table is an error: a typo must
 * not silently leave a limit at its default. This module does not know about flags (the CLI
 * applies those) nor about how the server uses the values.
 *
 * Also: config_defaults.c (the defaults), config_check.c (what a string setting may be),
 * config_text.c (reading the file), config_profile.c and config_branding.c (freeing and
 * copying a profile). */
#include "core/config.h"
#include "core/config_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "core/mem.h"
#include "core/ui_texts.h"

enum field_kind {
    FIELD_STRING,
    FIELD_INT64,
    FIELD_SIZE,
    FIELD_UINT,
    FIELD_BOOL,    /* an unsigned 0/1, written true or false */
    FIELD_GROUP,
    FIELD_SCOPES,
    FIELD_STRINGS, /* a NULL-terminated char ** from a list or array of strings */
    FIELD_TEXTS,   /* profile.branding.texts: groups per language of page texts */
};

struct field {
    const char *name;
    enum field_kind kind;
    size_t offset;                 /* into the enclosing group's struct: for a member of a
                                      group, add the group row's offset (the root's is 0,
                                      so most rows hold offsets into struct grantd_config) */
    long long min, max;            /* integer kinds */
    int allow_never;               /* the string "never" means 0 */
    const char *(*check)(const char *value); /* string kinds: NULL or why it is wrong */
    const struct field *members;   /* FIELD_GROUP */
};

#define CFG_OFF(member) offsetof(struct grantd_config, member)
#define MIB (1024LL * 1024LL)

static const struct field lifetime_fields[] = {
    {"code", FIELD_INT64, CFG_OFF(lifetimes.code), 1, 3600, 0, NULL, NULL},
    {"access_token", FIELD_INT64, CFG_OFF(lifetimes.access_token), 1, 31536000, 0, NULL, NULL},
    {"session", FIELD_INT64, CFG_OFF(lifetimes.session), 60, 31536000, 0, NULL, NULL},
    {"refresh_grace", FIELD_INT64, CFG_OFF(lifetimes.refresh_grace), 0, 300, 0, NULL, NULL},
    {"refresh_token", FIELD_INT64, CFG_OFF(lifetimes.refresh_token), 0, 315360000, 1, NULL,
     NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field limit_fields[] = {
    {"body_bytes", FIELD_SIZE, CFG_OFF(limits.body_bytes), 1024, 64 * MIB, 0, NULL, NULL},
    {"header_bytes", FIELD_SIZE, CFG_OFF(limits.header_bytes), 4096, MIB, 0, NULL, NULL},
    {"max_params", FIELD_SIZE, CFG_OFF(limits.max_params), 8, 4096, 0, NULL, NULL},
    {"max_param_name", FIELD_SIZE, CFG_OFF(limits.max_param_name), 32, 4096, 0, NULL, NULL},
    {"max_param_value", FIELD_SIZE, CFG_OFF(limits.max_param_value), 512, MIB, 0, NULL, NULL},
    {"connections", FIELD_UINT, CFG_OFF(limits.connections), 1, 100000, 0, NULL, NULL},
    {"connections_per_ip", FIELD_UINT, CFG_OFF(limits.connections_per_ip), 0, 100000, 0, NULL,
     NULL},
    {"connection_timeout", FIELD_UINT, CFG_OFF(limits.connection_timeout), 1, 3600, 0, NULL,
     NULL},
    {"header_timeout", FIELD_UINT, CFG_OFF(limits.header_timeout), 1, 3600, 0, NULL, NULL},
    {"body_timeout", FIELD_UINT, CFG_OFF(limits.body_timeout), 1, 3600, 0, NULL, NULL},
    {"threads", FIELD_UINT, CFG_OFF(limits.threads), 0, 256, 0, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

/* rate_limits: brute force and scans held off (issue 16; oauth/ratelimit.h), per issuer */
static const struct field rate_login_fields[] = {
    {"failures", FIELD_UINT, CFG_OFF(rate_limits.login.failures), 0, 1000, 0, NULL, NULL},
    {"window", FIELD_UINT, CFG_OFF(rate_limits.login.window), 1, 86400, 0, NULL, NULL},
    {"max_delay", FIELD_UINT, CFG_OFF(rate_limits.login.max_delay), 1, 3600, 0, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};
static const struct field rate_address_fields[] = {
    {"failures", FIELD_UINT, CFG_OFF(rate_limits.address.failures), 0, 1000000, 0, NULL, NULL},
    {"window", FIELD_UINT, CFG_OFF(rate_limits.address.window), 1, 86400, 0, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};
static const struct field rate_client_fields[] = {
    {"failures", FIELD_UINT, CFG_OFF(rate_limits.client.failures), 0, 1000000, 0, NULL, NULL},
    {"window", FIELD_UINT, CFG_OFF(rate_limits.client.window), 1, 86400, 0, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};
static const struct field rate_introspect_fields[] = {
    {"rate", FIELD_UINT, CFG_OFF(rate_limits.introspect.rate), 0, 10000000, 0, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};
static const struct field rate_check_fields[] = {
    {"rate", FIELD_UINT, CFG_OFF(rate_limits.check.rate), 0, 10000000, 0, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};
static const struct field rate_limit_fields[] = {
    {"login", FIELD_GROUP, 0, 0, 0, 0, NULL, rate_login_fields},
    {"address", FIELD_GROUP, 0, 0, 0, 0, NULL, rate_address_fields},
    {"client", FIELD_GROUP, 0, 0, 0, 0, NULL, rate_client_fields},
    {"introspect", FIELD_GROUP, 0, 0, 0, 0, NULL, rate_introspect_fields},
    {"check", FIELD_GROUP, 0, 0, 0, 0, NULL, rate_check_fields},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field key_fields[] = {
    {"master_key", FIELD_STRING, CFG_OFF(keys.master_key), 0, 0, 0, grantd_cfgchk_master_key, NULL},
    {"master_key_file", FIELD_STRING, CFG_OFF(keys.master_key_file), 0, 0, 0, NULL, NULL},
    {"alg", FIELD_STRING, CFG_OFF(keys.alg), 0, 0, 0, grantd_cfgchk_key_alg, NULL},
    {"publish_ahead", FIELD_INT64, CFG_OFF(keys.publish_ahead), 0, 604800, 0, NULL, NULL},
    {"reload", FIELD_INT64, CFG_OFF(keys.reload), 1, 3600, 0, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};


static const struct field password_fields[] = {
    {"min_length", FIELD_UINT, CFG_OFF(passwords.min_length), 1, 64, 0, NULL, NULL},
    {"blocklist", FIELD_STRING, CFG_OFF(passwords.blocklist), 0, 0, 0, grantd_cfgchk_path, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

/* registration: /register (RFC 7591) for this issuer. The metadata list's max is its
 * length cap (a strings field's default cap is GRANTD_PROFILE_LIST_MAX). */
static const struct field registration_fields[] = {
    {"mode", FIELD_STRING, CFG_OFF(registration.mode), 0, 0, 0, grantd_cfgchk_registration_mode,
     NULL},
    {"metadata", FIELD_STRINGS, CFG_OFF(registration.metadata), 0,
     GRANTD_REGISTRATION_MEMBERS_MAX, 0, grantd_cfgchk_registration_member, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field profile_path_fields[] = {
    {"authorize", FIELD_STRINGS, CFG_OFF(profile.paths.authorize), 0, 0, 0, grantd_config_check_path, NULL},
    {"token", FIELD_STRINGS, CFG_OFF(profile.paths.token), 0, 0, 0, grantd_config_check_path, NULL},
    {"introspect", FIELD_STRINGS, CFG_OFF(profile.paths.introspect), 0, 0, 0, grantd_config_check_path, NULL},
    {"revoke", FIELD_STRINGS, CFG_OFF(profile.paths.revoke), 0, 0, 0, grantd_config_check_path, NULL},
    {"account", FIELD_STRINGS, CFG_OFF(profile.paths.account), 0, 0, 0, grantd_config_check_path, NULL},
    {"console", FIELD_STRINGS, CFG_OFF(profile.paths.console), 0, 0, 0, grantd_config_check_path, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

/* profile.console: the developer console's re-enable rule and button texts */
static const struct field profile_console_fields[] = {
    {"reenable", FIELD_STRING, CFG_OFF(profile.console.reenable), 0, 0, 0,
     grantd_cfgchk_console_reenable, NULL},
    {"create_label", FIELD_STRING, CFG_OFF(profile.console.create_label), 0, 0, 0,
     grantd_cfgchk_console_label, NULL},
    {"revoke_label", FIELD_STRING, CFG_OFF(profile.console.revoke_label), 0, 0, 0,
     grantd_cfgchk_console_label, NULL},
    {"enable_label", FIELD_STRING, CFG_OFF(profile.console.enable_label), 0, 0, 0,
     grantd_cfgchk_console_label, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field profile_alias_fields[] = {
    {"grant_type_code", FIELD_BOOL, CFG_OFF(profile.aliases.grant_type_code), 0, 1, 0, NULL,
     NULL},
    {"redirect_url", FIELD_BOOL, CFG_OFF(profile.aliases.redirect_url), 0, 1, 0, NULL, NULL},
    {"response_type_code", FIELD_BOOL, CFG_OFF(profile.aliases.response_type_code), 0, 1, 0,
     NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

/* One reason's answer; the offsets are within struct grantd_api_error, and each reason's
 * group row below gives where its struct lies in the config. */
#define API_ERR_OFF(member) offsetof(struct grantd_api_error, member)

static const struct field api_error_fields[] = {
    {"status", FIELD_UINT, API_ERR_OFF(status), 0, 599, 0, NULL, NULL},
    {"content_type", FIELD_STRING, API_ERR_OFF(content_type), 0, 0, 0,
     grantd_cfgchk_header_value, NULL},
    {"body", FIELD_STRING, API_ERR_OFF(body), 0, 0, 0, grantd_cfgchk_api_body, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

/* profile.branding: the pages' look (issue 13 item 5) */
static const struct field profile_branding_fields[] = {
    {"product_name", FIELD_STRING, CFG_OFF(profile.branding.product_name), 0, 0, 0, grantd_cfgchk_product_name, NULL},
    {"logo_url", FIELD_STRING, CFG_OFF(profile.branding.logo_url), 0, 0, 0, grantd_config_check_logo_url, NULL},
    {"primary_color", FIELD_STRING, CFG_OFF(profile.branding.primary_color), 0, 0, 0, grantd_cfgchk_color, NULL},
    {"background_color", FIELD_STRING, CFG_OFF(profile.branding.background_color), 0, 0, 0, grantd_cfgchk_color, NULL},
    {"text_color", FIELD_STRING, CFG_OFF(profile.branding.text_color), 0, 0, 0, grantd_cfgchk_color, NULL},
    {"languages", FIELD_STRINGS, CFG_OFF(profile.branding.languages), 0, GRANTD_UI_LANGUAGE_COUNT, 0, grantd_cfgchk_language, NULL},
    {"texts", FIELD_TEXTS, 0, 0, 0, 0, NULL, NULL}, /* config_branding.c */
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

/* profile.api_errors: what the protected API answers for each refusal reason */
static const struct field profile_api_error_fields[] = {
    {"missing", FIELD_GROUP, CFG_OFF(profile.api_errors[GRANTD_CHECK_MISSING]), 0, 0, 0, NULL,
     api_error_fields},
    {"invalid", FIELD_GROUP, CFG_OFF(profile.api_errors[GRANTD_CHECK_INVALID]), 0, 0, 0, NULL,
     api_error_fields},
    {"expired", FIELD_GROUP, CFG_OFF(profile.api_errors[GRANTD_CHECK_EXPIRED]), 0, 0, 0, NULL,
     api_error_fields},
    {"revoked", FIELD_GROUP, CFG_OFF(profile.api_errors[GRANTD_CHECK_REVOKED]), 0, 0, 0, NULL,
     api_error_fields},
    {"insufficient_scope", FIELD_GROUP,
     CFG_OFF(profile.api_errors[GRANTD_CHECK_INSUFFICIENT_SCOPE]), 0, 0, 0, NULL,
     api_error_fields},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field profile_fields[] = {
    {"name", FIELD_STRING, CFG_OFF(profile.name), 0, 0, 0, grantd_cfgchk_profile_name, NULL},
    {"paths", FIELD_GROUP, 0, 0, 0, 0, NULL, profile_path_fields},
    {"token_body", FIELD_STRING, CFG_OFF(profile.token_body), 0, 0, 0, grantd_cfgchk_token_body, NULL},
    {"token_type", FIELD_STRING, CFG_OFF(profile.token_type), 0, 0, 0, grantd_cfgchk_token_type, NULL},
    {"access_token_aliases", FIELD_STRINGS, CFG_OFF(profile.access_token_aliases), 0, 0, 0,
     grantd_cfgchk_member_name, NULL},
    {"access_token_format", FIELD_STRING, CFG_OFF(profile.access_token_format), 0, 0, 0,
     grantd_cfgchk_token_format, NULL},
    {"out_of_band", FIELD_BOOL, CFG_OFF(profile.out_of_band), 0, 1, 0, NULL, NULL},
    {"aliases", FIELD_GROUP, 0, 0, 0, 0, NULL, profile_alias_fields},
    {"api_errors", FIELD_GROUP, 0, 0, 0, 0, NULL, profile_api_error_fields},
    {"branding", FIELD_GROUP, 0, 0, 0, 0, NULL, profile_branding_fields},
    {"console", FIELD_GROUP, 0, 0, 0, 0, NULL, profile_console_fields},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field root_fields[] = {
    {"listen", FIELD_STRING, CFG_OFF(listen), 0, 0, 0, grantd_cfgchk_listen, NULL},
    {"admin_listen", FIELD_STRING, CFG_OFF(admin_listen), 0, 0, 0, grantd_cfgchk_listen, NULL},
    {"issuer", FIELD_STRING, CFG_OFF(issuer), 0, 0, 0, grantd_config_check_issuer, NULL},
    {"db", FIELD_STRING, CFG_OFF(db_url), 0, 0, 0, grantd_cfgchk_db, NULL},
    {"log_level", FIELD_STRING, CFG_OFF(log_level), 0, 0, 0, grantd_cfgchk_log_level, NULL},
    {"log_file", FIELD_STRING, CFG_OFF(log_file), 0, 0, 0, grantd_cfgchk_path, NULL},
    {"audit_log", FIELD_STRING, CFG_OFF(audit_log), 0, 0, 0, grantd_cfgchk_path, NULL},
    {"audit_events", FIELD_STRING, CFG_OFF(audit_events), 0, 0, 0, grantd_cfgchk_path, NULL},
    {"lifetimes", FIELD_GROUP, 0, 0, 0, 0, NULL, lifetime_fields},
    {"limits", FIELD_GROUP, 0, 0, 0, 0, NULL, limit_fields},
    {"scopes", FIELD_SCOPES, 0, 0, 0, 0, NULL, NULL},
    {"keys", FIELD_GROUP, 0, 0, 0, 0, NULL, key_fields},
    {"account_member", FIELD_STRING, CFG_OFF(account_member), 0, 0, 0, grantd_cfgchk_member_name, NULL},
    {"token_cache", FIELD_UINT, CFG_OFF(token_cache), 0, 1, 0, NULL, NULL},
    {"revocation_feed_retention", FIELD_INT64, CFG_OFF(revocation_feed_retention), 1, 31536000,
     0, NULL, NULL},
    {"profile", FIELD_GROUP, 0, 0, 0, 0, NULL, profile_fields},
    {"registration", FIELD_GROUP, 0, 0, 0, 0, NULL, registration_fields},
    {"rate_limits", FIELD_GROUP, 0, 0, 0, 0, NULL, rate_limit_fields},
    {"passwords", FIELD_GROUP, 0, 0, 0, 0, NULL, password_fields},
    {"trusted_proxies", FIELD_STRINGS, CFG_OFF(trusted_proxies), 0, GRANTD_TRUSTED_PROXIES_MAX,
     0, grantd_cfgchk_cidr, NULL},
    {"forwarded_header", FIELD_STRING, CFG_OFF(forwarded_header), 0, 0, 0,
     grantd_cfgchk_forwarded_header, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

/* What one issuer's profile text may set (grantd tenant create --profile): everything that
 * is per issuer. The rest (listen, db, limits, the master key...) is the server's. */
static const struct field tenant_key_fields[] = {
    {"alg", FIELD_STRING, CFG_OFF(keys.alg), 0, 0, 0, grantd_cfgchk_key_alg, NULL},
    {"publish_ahead", FIELD_INT64, CFG_OFF(keys.publish_ahead), 0, 604800, 0, NULL, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field tenant_root_fields[] = {
    {"lifetimes", FIELD_GROUP, 0, 0, 0, 0, NULL, lifetime_fields},
    {"scopes", FIELD_SCOPES, 0, 0, 0, 0, NULL, NULL},
    {"keys", FIELD_GROUP, 0, 0, 0, 0, NULL, tenant_key_fields},
    {"account_member", FIELD_STRING, CFG_OFF(account_member), 0, 0, 0, grantd_cfgchk_member_name, NULL},
    {"profile", FIELD_GROUP, 0, 0, 0, 0, NULL, profile_fields},
    {"registration", FIELD_GROUP, 0, 0, 0, 0, NULL, registration_fields},
    {"rate_limits", FIELD_GROUP, 0, 0, 0, 0, NULL, rate_limit_fields},
    {NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

/* ---- defaults, copies, freeing ---- */

int grantd_config_registration(const struct grantd_config *cfg)
{
    const char *m = cfg->registration.mode;
    if (!m || strcmp(m, GRANTD_REGISTRATION_OFF) == 0)
        return 0;
    return strcmp(m, GRANTD_REGISTRATION_OPEN) == 0 ? 2 : 1;
}

void grantd_config_set(char **field, const char *value)
{
    char *copy = value ? grantd_xstrdup(value) : NULL;
    free(*field);
    *field = copy;
}

void grantd_config_free_scopes(struct grantd_config *cfg)
{
    for (size_t i = 0; i < cfg->scope_count; i++) {
        free(cfg->scopes[i].name);
        free(cfg->scopes[i].description);
    }
    free(cfg->scopes);
    cfg->scopes = NULL;
    cfg->scope_count = 0;
}

void grantd_config_free(struct grantd_config *cfg)
{
    free(cfg->listen);
    free(cfg->admin_listen);
    cfg->admin_listen = NULL;
    free(cfg->audit_log);
    cfg->audit_log = NULL;
    free(cfg->log_file);
    cfg->log_file = NULL;
    free(cfg->audit_events);
    cfg->audit_events = NULL;
    free(cfg->issuer);
    free(cfg->db_url);
    free(cfg->log_level);
    cfg->listen = cfg->issuer = cfg->db_url = cfg->log_level = NULL;
    free(cfg->keys.master_key);
    free(cfg->keys.master_key_file);
    free(cfg->keys.alg);
    free(cfg->account_member);
    cfg->keys.master_key = cfg->keys.master_key_file = cfg->keys.alg = NULL;
    cfg->account_member = NULL;
    grantd_cfg_profile_free(&cfg->profile);
    free(cfg->registration.mode);
    cfg->registration.mode = NULL;
    grantd_cfg_strings_free(&cfg->registration.metadata);
    free(cfg->passwords.blocklist);
    cfg->passwords.blocklist = NULL;
    grantd_cfg_strings_free(&cfg->trusted_proxies);
    free(cfg->forwarded_header);
    cfg->forwarded_header = NULL;
    grantd_config_free_scopes(cfg);
}

static void config_copy(struct grantd_config *dst, const struct grantd_config *src)
{
    *dst = *src;
    dst->listen = src->listen ? grantd_xstrdup(src->listen) : NULL;
    dst->admin_listen = grantd_cfg_str_copy(src->admin_listen);
    dst->audit_log = grantd_cfg_str_copy(src->audit_log);
    dst->log_file = grantd_cfg_str_copy(src->log_file);
    dst->audit_events = grantd_cfg_str_copy(src->audit_events);
    dst->issuer = src->issuer ? grantd_xstrdup(src->issuer) : NULL;
    dst->db_url = src->db_url ? grantd_xstrdup(src->db_url) : NULL;
    dst->log_level = src->log_level ? grantd_xstrdup(src->log_level) : NULL;
    dst->keys.master_key = src->keys.master_key ? grantd_xstrdup(src->keys.master_key) : NULL;
    dst->keys.master_key_file =
        src->keys.master_key_file ? grantd_xstrdup(src->keys.master_key_file) : NULL;
    dst->keys.alg = src->keys.alg ? grantd_xstrdup(src->keys.alg) : NULL;
    dst->account_member = src->account_member ? grantd_xstrdup(src->account_member) : NULL;
    grantd_cfg_profile_copy(&dst->profile, &src->profile);
    dst->registration.mode = grantd_cfg_str_copy(src->registration.mode);
    dst->registration.metadata = grantd_cfg_strings_copy(src->registration.metadata);
    dst->passwords.blocklist = grantd_cfg_str_copy(src->passwords.blocklist);
    dst->trusted_proxies = grantd_cfg_strings_copy(src->trusted_proxies);
    dst->forwarded_header = grantd_cfg_str_copy(src->forwarded_header);
    dst->scopes = src->scope_count ? grantd_xcalloc(src->scope_count, sizeof(*dst->scopes)) : NULL;
    for (size_t i = 0; i < src->scope_count; i++) {
        dst->scopes[i].name = grantd_xstrdup(src->scopes[i].name);
        dst->scopes[i].description = grantd_xstrdup(src->scopes[i].description);
    }
}

/* ---- typed access to a field of the struct ---- */

static long long field_get_int(const struct grantd_config *cfg, const struct field *f)
{
    const char *base = (const char *)cfg + f->offset;
    switch (f->kind) {
    case FIELD_INT64:
        return *(const int64_t *)(const void *)base;
    case FIELD_SIZE:
        return (long long)*(const size_t *)(const void *)base;
    default:
        return *(const unsigned *)(const void *)base;
    }
}

static void field_set_int(struct grantd_config *cfg, const struct field *f, long long v)
{
    char *base = (char *)cfg + f->offset;
    switch (f->kind) {
    case FIELD_INT64:
        *(int64_t *)(void *)base = v;
        break;
    case FIELD_SIZE:
        *(size_t *)(void *)base = (size_t)v;
        break;
    default:
        *(unsigned *)(void *)base = (unsigned)v;
        break;
    }
}

static char **field_string(struct grantd_config *cfg, const struct field *f)
{
    return (char **)(void *)((char *)cfg + f->offset);
}

/* ---- loading ---- */

struct load_ctx {
    struct grantd_config *cfg;
    const char *path;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static grantd_rc fail_at(struct load_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
    const char *file = config_setting_source_file(s);
    int n = snprintf(ctx->err, ctx->errlen, "%s:%u: ", file ? file : ctx->path,
                     (unsigned)config_setting_source_line(s));
    if (n >= 0 && (size_t)n < ctx->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->err + n, ctx->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return GRANTD_ECONFIG;
}

static void range_message(const struct field *f, char *out, size_t outlen)
{
    snprintf(out, outlen, "must be between %lld and %lld%s", f->min, f->max,
             f->allow_never ? " or \"never\"" : "");
}

static grantd_rc load_int(struct load_ctx *ctx, const config_setting_t *s, const struct field *f,
                          const char *name)
{
    char range[96];
    long long v;
    int type = config_setting_type(s);
    range_message(f, range, sizeof(range));
    if (type == CONFIG_TYPE_STRING && f->allow_never &&
        strcmp(config_setting_get_string(s), "never") == 0) {
        v = 0;
    } else if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
        v = config_setting_get_int64(s);
    } else {
        return fail_at(ctx, s, "%s must be an integer%s", name,
                       f->allow_never ? " (seconds) or \"never\"" : "");
    }
    if (v < f->min || v > f->max)
        return fail_at(ctx, s, "%s %s", name, range);
    field_set_int(ctx->cfg, f, v);
    return GRANTD_OK;
}

static grantd_rc load_group(struct load_ctx *ctx, const config_setting_t *group,
                            const struct field *fields, size_t base, const char *prefix);

/* RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ). */
static int valid_scope_token(const char *v)
{
    if (!*v || strlen(v) > 128)
        return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
            return 0;
    return 1;
}

/* One { name = "..."; description = "..."; } entry of the scopes list. */
static grantd_rc load_scope(struct load_ctx *ctx, const config_setting_t *e, size_t i)
{
    const char *name = NULL, *desc = NULL;
    if (config_setting_type(e) != CONFIG_TYPE_GROUP)
        return fail_at(ctx, e, "scopes entries must be groups: { name = \"...\"; "
                               "description = \"...\"; }");
    for (int k = 0; k < config_setting_length(e); k++) {
        const config_setting_t *m = config_setting_get_elem(e, (unsigned)k);
        const char *mname = config_setting_name(m);
        const char **slot = strcmp(mname, "name") == 0          ? &name
                            : strcmp(mname, "description") == 0 ? &desc
                                                                : NULL;
        if (!slot)
            return fail_at(ctx, m, "unknown setting 'scopes.%s'", mname);
        if (config_setting_type(m) != CONFIG_TYPE_STRING)
            return fail_at(ctx, m, "scopes.%s must be a string", mname);
        *slot = config_setting_get_string(m);
    }
    if (!name || !valid_scope_token(name))
        return fail_at(ctx, e, "scopes entries need a name of 1..128 printable ASCII "
                               "characters without spaces, quotes or backslashes");
    if (!desc || strlen(desc) > 512)
        return fail_at(ctx, e, "scope '%s' needs a description of at most 512 bytes", name);
    for (size_t j = 0; j < i; j++)
        if (strcmp(ctx->cfg->scopes[j].name, name) == 0)
            return fail_at(ctx, e, "scope '%s' is listed twice", name);
    ctx->cfg->scopes[i].name = grantd_xstrdup(name);
    ctx->cfg->scopes[i].description = grantd_xstrdup(desc);
    ctx->cfg->scope_count = i + 1;
    return GRANTD_OK;
}

static grantd_rc load_scopes(struct load_ctx *ctx, const config_setting_t *s)
{
    if (config_setting_type(s) != CONFIG_TYPE_LIST)
        return fail_at(ctx, s, "scopes must be a list: scopes = ( { name = \"...\"; "
                               "description = \"...\"; } );");
    int n = config_setting_length(s);
    if (n > GRANTD_SCOPES_MAX)
        return fail_at(ctx, s, "scopes may list at most %d entries", GRANTD_SCOPES_MAX);
    grantd_config_free_scopes(ctx->cfg);
    ctx->cfg->scopes = n ? grantd_xcalloc((size_t)n, sizeof(*ctx->cfg->scopes)) : NULL;
    for (int i = 0; i < n; i++) {
        grantd_rc rc = load_scope(ctx, config_setting_get_elem(s, (unsigned)i), (size_t)i);
        if (rc != GRANTD_OK)
            return rc;
    }
    return GRANTD_OK;
}

static grantd_rc load_bool(struct load_ctx *ctx, const config_setting_t *s,
                           const struct field *f, const char *name)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return fail_at(ctx, s, "%s must be true or false", name);
    field_set_int(ctx->cfg, f, config_setting_get_bool(s) ? 1 : 0);
    return GRANTD_OK;
}

/* A list or array of 1..max distinct strings, each passing f->check; max is f->max, or
 * GRANTD_PROFILE_LIST_MAX when that is 0. */
static grantd_rc load_strings(struct load_ctx *ctx, const config_setting_t *s,
                              const struct field *f, const char *name)
{
    int type = config_setting_type(s);
    int n = config_setting_length(s);
    int max = f->max ? (int)f->max : GRANTD_PROFILE_LIST_MAX;
    if ((type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) || n < 1 || n > max)
        return fail_at(ctx, s, "%s must be a list of 1 to %d strings: [\"...\", ...]", name,
                       max);
    char ***slot = (char ***)(void *)((char *)ctx->cfg + f->offset);
    grantd_cfg_strings_free(slot);
    *slot = grantd_xcalloc((size_t)n + 1, sizeof(**slot));
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return fail_at(ctx, e, "%s must be a list of strings", name);
        const char *v = config_setting_get_string(e);
        const char *why = f->check ? f->check(v) : NULL;
        if (why)
            return fail_at(ctx, e, "%s: '%s' %s", name, v, why);
        for (int j = 0; j < i; j++)
            if (strcmp((*slot)[j], v) == 0)
                return fail_at(ctx, e, "%s: '%s' is listed twice", name, v);
        (*slot)[i] = grantd_xstrdup(v);
    }
    return GRANTD_OK;
}

static grantd_rc load_setting(struct load_ctx *ctx, const config_setting_t *s,
                              const struct field *f, const char *name)
{
    int type = config_setting_type(s);
    if (f->kind == FIELD_SCOPES)
        return load_scopes(ctx, s);
    if (f->kind == FIELD_TEXTS) { /* errors point at the setting at fault */
        const config_setting_t *at = s;
        char msg[256];
        grantd_rc rc = grantd_cfg_load_texts(&ctx->cfg->profile, s, &at, msg, sizeof(msg));
        return rc == GRANTD_OK ? rc : fail_at(ctx, at, "%s", msg);
    }
    if (f->kind == FIELD_BOOL)
        return load_bool(ctx, s, f, name);
    if (f->kind == FIELD_STRINGS)
        return load_strings(ctx, s, f, name);
    if (f->kind == FIELD_GROUP) {
        if (type != CONFIG_TYPE_GROUP)
            return fail_at(ctx, s, "%s must be a group: %s = { ... };", name, name);
        char prefix[136];
        snprintf(prefix, sizeof(prefix), "%.127s.", name);
        return load_group(ctx, s, f->members, f->offset, prefix);
    }
    if (f->kind != FIELD_STRING)
        return load_int(ctx, s, f, name);
    if (type != CONFIG_TYPE_STRING)
        return fail_at(ctx, s, "%s must be a string", name);
    const char *v = config_setting_get_string(s);
    const char *why = f->check ? f->check(v) : NULL;
    if (why)
        return fail_at(ctx, s, "%s %s", name, why);
    grantd_config_set(field_string(ctx->cfg, f), v);
    return GRANTD_OK;
}

static const struct field *field_find(const struct field *fields, const char *name)
{
    for (const struct field *f = fields; f->name; f++)
        if (name && strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* Loads the settings of one group; base is where the group's struct lies in the config
 * (each member's offset is relative to it), so that the fields load_setting sees are
 * resolved to offsets into struct grantd_config. */
static grantd_rc load_group(struct load_ctx *ctx, const config_setting_t *group,
                            const struct field *fields, size_t base, const char *prefix)
{
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *sname = config_setting_name(s);
        char name[128];
        snprintf(name, sizeof(name), "%s%s", prefix, sname ? sname : "");
        const struct field *f = field_find(fields, sname);
        if (!f)
            return fail_at(ctx, s, "unknown setting '%s'", name);
        struct field at = *f;
        at.offset += base;
        grantd_rc rc = load_setting(ctx, s, &at, name);
        if (rc != GRANTD_OK)
            return rc;
    }
    return GRANTD_OK;
}

/* Loads text (named path in messages) over cfg through the fields of root. */
static grantd_rc load_text(struct grantd_config *cfg, const char *text, const char *path,
                           const struct field *root, char *err, size_t errlen)
{
    grantd_rc rc;
    config_t lc;
    struct grantd_config next;
    config_init(&lc);
    config_copy(&next, cfg);
    rc = grantd_cfg_check_int_literals(text, path, err, errlen);
    if (rc != GRANTD_OK)
        goto out;
    if (!config_read_string(&lc, text)) {
        const char *file = config_error_file(&lc);
        snprintf(err, errlen, "%s:%d: %s", file ? file : path, config_error_line(&lc),
                 config_error_text(&lc));
        rc = GRANTD_ECONFIG;
        goto out;
    }
    struct load_ctx ctx = {&next, path, err, errlen};
    rc = load_group(&ctx, config_root_setting(&lc), root, 0, "");
    if (rc == GRANTD_OK) {
        grantd_config_free(cfg);
        *cfg = next;
        memset(&next, 0, sizeof(next));
    }
out:
    grantd_config_free(&next);
    config_destroy(&lc);
    return rc;
}

grantd_rc grantd_config_load_file(struct grantd_config *cfg, const char *path, char *err,
                                  size_t errlen)
{
    char *text = NULL;
    grantd_rc rc = grantd_cfg_read_text(path, &text, err, errlen);
    if (rc == GRANTD_OK)
        rc = load_text(cfg, text, path, root_fields, err, errlen);
    free(text);
    return rc;
}

grantd_rc grantd_config_load_issuer(struct grantd_config *cfg, const char *text,
                                    const char *origin, char *err, size_t errlen)
{
    if (strlen(text) > GRANTD_CONFIG_FILE_MAX) {
        snprintf(err, errlen, "%s: larger than %d bytes", origin, GRANTD_CONFIG_FILE_MAX);
        return GRANTD_ECONFIG;
    }
    return load_text(cfg, text, origin, tenant_root_fields, err, errlen);
}

grantd_rc grantd_config_load_issuer_file(struct grantd_config *cfg, const char *path,
                                         char **text, char *err, size_t errlen)
{
    *text = NULL;
    grantd_rc rc = grantd_cfg_read_text(path, text, err, errlen);
    if (rc == GRANTD_OK)
        rc = load_text(cfg, *text, path, tenant_root_fields, err, errlen);
    if (rc != GRANTD_OK) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

void grantd_config_copy(struct grantd_config *dst, const struct grantd_config *src)
{
    config_copy(dst, src);
}

/* ---- environment and validation ---- */

void grantd_config_apply_env(struct grantd_config *cfg)
{
    static const struct {
        const char *var;
        size_t offset;
    } vars[] = {
        {"GRANTD_LISTEN", CFG_OFF(listen)},
        {"GRANTD_ADMIN_LISTEN", CFG_OFF(admin_listen)},
        {"GRANTD_ISSUER", CFG_OFF(issuer)},
        {"GRANTD_DB", CFG_OFF(db_url)},
        {"GRANTD_MASTER_KEY", CFG_OFF(keys.master_key)},
    };
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i].var);
        if (v && *v) /* an empty variable is absent */
            grantd_config_set((char **)(void *)((char *)cfg + vars[i].offset), v);
    }
}

static grantd_rc validate_string(const struct grantd_config *cfg, const struct field *f,
                                 char *err, size_t errlen)
{
    const char *v = *field_string((struct grantd_config *)cfg, f);
    int optional = f->offset == CFG_OFF(issuer) || f->offset == CFG_OFF(admin_listen) ||
                   f->offset == CFG_OFF(audit_log) || f->offset == CFG_OFF(log_file) ||
                   f->offset == CFG_OFF(audit_events) ||
                   f->offset == CFG_OFF(keys.master_key) ||
                   f->offset == CFG_OFF(keys.master_key_file) ||
                   f->offset == CFG_OFF(account_member) ||
                   f->offset == CFG_OFF(passwords.blocklist) ||
                   (f->offset >= CFG_OFF(profile) &&
                    f->offset < CFG_OFF(profile) + sizeof(struct grantd_profile));
    if (!v) {
        if (optional)
            return GRANTD_OK;
        snprintf(err, errlen, "%s is not set", f->name);
        return GRANTD_ECONFIG;
    }
    const char *why = f->check ? f->check(v) : NULL;
    if (!why)
        return GRANTD_OK;
    /* The database URL may carry a password and the master key is one: never echo them. */
    if (f->offset == CFG_OFF(keys.master_key))
        snprintf(err, errlen, "keys.master_key %s", why);
    else if (f->offset == CFG_OFF(db_url))
        snprintf(err, errlen, "database URL %s", why);
    else
        snprintf(err, errlen, "%s '%s' %s", f->name, v, why);
    return GRANTD_ECONFIG;
}

/* base: as for load_group. */
static grantd_rc validate_group(const struct grantd_config *cfg, const struct field *fields,
                                size_t base, const char *prefix, char *err, size_t errlen)
{
    for (const struct field *member = fields; member->name; member++) {
        grantd_rc rc = GRANTD_OK;
        struct field resolved = *member;
        resolved.offset += base;
        const struct field *f = &resolved;
        if (f->kind == FIELD_GROUP) {
            char sub[160];
            snprintf(sub, sizeof(sub), "%.127s%s.", prefix, f->name);
            rc = validate_group(cfg, f->members, f->offset, sub, err, errlen);
        } else if (f->kind == FIELD_SCOPES || f->kind == FIELD_STRINGS ||
                   f->kind == FIELD_TEXTS) {
            continue; /* checked while loading */
        } else if (f->kind == FIELD_STRING) {
            rc = validate_string(cfg, f, err, errlen);
        } else {
            long long v = field_get_int(cfg, f);
            if (v < f->min || v > f->max) {
                char range[96];
                range_message(f, range, sizeof(range));
                snprintf(err, errlen, "%s%s %s", prefix, f->name, range);
                rc = GRANTD_ECONFIG;
            }
        }
        if (rc != GRANTD_OK)
            return rc;
    }
    return GRANTD_OK;
}

grantd_rc grantd_config_validate(const struct grantd_config *cfg, char *err, size_t errlen)
{
    return validate_group(cfg, root_fields, 0, "", err, errlen);
}

const char *grantd_config_scope_description(const struct grantd_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->scope_count; i++)
        if (strcmp(cfg->scopes[i].name, name) == 0)
            return cfg->scopes[i].description;
    return NULL;
}

