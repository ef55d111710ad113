/* grantd configuration: defaults, then the config file (libconfig syntax, see
 * examples/grantd.conf), then GRANTD_* environment variables, then command-line flags.
 *
 * Every limit has a named default here. Loading and validation report one line naming the
 * file and line ("grantd.conf:12: limits.body_bytes must be between 1024 and 67108864"). */
#ifndef GRANTD_CORE_CONFIG_H
#define GRANTD_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/reason.h"

#define GRANTD_DEFAULT_LISTEN "127.0.0.1:8080"
#define GRANTD_DEFAULT_DB "sqlite:grantd.db"
#define GRANTD_DEFAULT_CODE_TTL 60
#define GRANTD_DEFAULT_ACCESS_TTL 3600
#define GRANTD_DEFAULT_REFRESH_TTL 0          /* 0 = never expires */
#define GRANTD_DEFAULT_SESSION_TTL (8 * 3600) /* browser login sessions */
#define GRANTD_SCOPES_MAX 256                 /* entries in the scopes list */
#define GRANTD_DEFAULT_REFRESH_GRACE 0        /* seconds; 0 = a rotated refresh token is dead */
#define GRANTD_DEFAULT_KEY_ALG "ES256"
/* Seconds a rotated key is published before it signs: an hour, so that resource servers
 * that cache the JWKS (for its max-age, half of this; or their library's own period, often
 * 5 to 10 minutes) have the new key before its first token. */
#define GRANTD_DEFAULT_KEY_PUBLISH_AHEAD 3600
#define GRANTD_DEFAULT_KEY_RELOAD 5           /* seconds between key reloads in serve */
#define GRANTD_DEFAULT_BODY_BYTES (64 * 1024)
/* A chunked body that passes the cap is discarded up to this many bytes so the client
 * still gets its 413; beyond it the connection is dropped without an answer. */
#define GRANTD_BODY_DRAIN_MAX ((size_t)16 * 1024 * 1024)
#define GRANTD_DEFAULT_HEADER_BYTES (16 * 1024) /* MHD connection memory: headers over it get 431 */
#define GRANTD_DEFAULT_CONNECTIONS 1024
/* Connections one address may hold (0 = no cap; set 0 behind a proxy, whose address every
 * client shares): a quarter of GRANTD_DEFAULT_CONNECTIONS, so no one address takes every
 * slot, and room for an office behind one NAT address (a browser opens up to 6). */
#define GRANTD_DEFAULT_CONNECTIONS_PER_IP 256
#define GRANTD_DEFAULT_PASSWORD_MIN 8 /* NIST SP 800-63B 3.1.1.2, with a blocklist checked */
#define GRANTD_TRUSTED_PROXIES_MAX 64
#define GRANTD_DEFAULT_FEED_RETENTION 86400 /* a day: above any usual access-token life */
#define GRANTD_DEFAULT_CONNECTION_TIMEOUT 30  /* seconds idle before a connection is closed */
/* Total seconds for a request's headers (from its request line) and for its body (from the
 * end of the headers), however steadily they drip; late ones get 408 (http/deadline.h). */
#define GRANTD_DEFAULT_HEADER_TIMEOUT 10
#define GRANTD_DEFAULT_BODY_TIMEOUT 30
/* Rate limits (issue 16; oauth/ratelimit.h), per issuer: `rate_limits`. */
#define GRANTD_DEFAULT_LOGIN_FAILURES 3      /* per (account, address): free tries ... */
#define GRANTD_DEFAULT_LOGIN_WINDOW 900      /* ... in this many seconds, then 1, 2, 4 s ... */
#define GRANTD_DEFAULT_LOGIN_MAX_DELAY 30    /* ... up to this many seconds between tries */
#define GRANTD_DEFAULT_ADDRESS_FAILURES 30   /* failed logins per address, every account */
#define GRANTD_DEFAULT_ADDRESS_WINDOW 300
#define GRANTD_DEFAULT_CLIENT_FAILURES 10    /* failed client authentications per (client,
                                              * address) */
#define GRANTD_DEFAULT_CLIENT_WINDOW 300
#define GRANTD_DEFAULT_INTROSPECT_RATE 1000  /* /introspect requests per second per client */
#define GRANTD_DEFAULT_CHECK_RATE 0          /* /check per caller address; 0 = off: its
                                              * callers are proxies that every API user
                                              * shares */
#define GRANTD_DEFAULT_LOG_LEVEL "info"
#define GRANTD_DEFAULT_THREADS 0              /* 0 = one I/O thread per core */
/* The same numbers as http/params.h's GRANTD_DEFAULT_MAX_* (core stays below http). */
#define GRANTD_DEFAULT_LIMIT_MAX_PARAMS 64
#define GRANTD_DEFAULT_LIMIT_MAX_PARAM_NAME 128
#define GRANTD_DEFAULT_LIMIT_MAX_PARAM_VALUE 4096
/* profile.console.reenable: Enable on a revoked application gives it a new secret, or a new
 * client_id and secret (a new client with the old one's settings; the old id is gone). */
#define GRANTD_CONSOLE_NEW_SECRET "new_secret"
#define GRANTD_CONSOLE_NEW_CLIENT_ID "new_client_id"

/* Dynamic client registration (RFC 7591) at /register: `registration.mode`. */
#define GRANTD_REGISTRATION_OFF "off"     /* the default: /register is not served */
#define GRANTD_REGISTRATION_TOKEN "token" /* an initial access token is required */
#define GRANTD_REGISTRATION_OPEN "open"   /* anyone may register (explicitly chosen) */
/* The client metadata members /register may accept (`registration.metadata` lists a
 * subset; absent: all of them), NULL-terminated initializer. */
#define GRANTD_REGISTRATION_MEMBERS                                                            \
    {"client_name", "redirect_uris", "grant_types", "response_types", "scope",                 \
     "token_endpoint_auth_method", "client_uri", "logo_uri", "contacts", "tos_uri",            \
     "policy_uri", "post_logout_redirect_uris", "id_token_signed_response_alg", NULL}
#define GRANTD_REGISTRATION_MEMBERS_MAX 13

/* What a scope means, shown on the consent page. */
struct grantd_scope_info {
    char *name;
    char *description;
};

/* A profile (docs/profiles.md): what an issuer adds to standard behaviour so that a
 * provider's documented integration runs unchanged. Every list is NULL-terminated and may be
 * NULL; every switch is off by default, so an empty profile is standard OAuth. */
#define GRANTD_PROFILE_LIST_MAX 8   /* entries in each list */

/* What the protected API answers for one reason (profile.api_errors.REASON); each member
 * unset (0, NULL) takes the default: the reason's RFC 6750 status and JSON body. */
struct grantd_api_error {
    unsigned status;
    char *content_type;
    char *body;
};

/* One page text a profile words its own way (profile.branding.texts.LANG.NAME). */
struct grantd_ui_text_override {
    char lang[8];      /* one of GRANTD_UI_LANGUAGES */
    unsigned id;       /* the text's row in core/ui_texts.h, counted from 0 */
    char *value;
};
#define GRANTD_UI_TEXT_OVERRIDES_MAX 256

struct grantd_profile {
    char *name;                      /* shown in logs; NULL: none */
    struct {
        /* extra paths served as these endpoints, besides the standard ones */
        char **authorize, **token, **introspect, **revoke;
        char **account;              /* the end user's account page (GET and POST) */
        char **console;              /* the developer console (GET and POST) */
    } paths;
    char *token_body;                /* NULL/"both" | "form" | "json": bodies /token, /introspect
                                      * and /revoke accept */
    char *token_type;                /* the token response's token_type; NULL: "Bearer" */
    char **access_token_aliases;     /* more members carrying the access token ("token") */
    char *access_token_format;       /* "jwt": every access token is a JWT; NULL: per client */
    unsigned out_of_band;            /* 1: clients without a redirect URI get the code page */
    struct {
        unsigned grant_type_code;    /* grant_type=code means authorization_code */
        unsigned redirect_url;       /* /authorize reads redirect_url when redirect_uri is
                                      * absent; a value without a scheme gets https:// */
        unsigned response_type_code; /* /authorize without response_type means code */
    } aliases;
    /* The developer console (issue 13 item 2): what Enable gives a revoked application
     * (GRANTD_CONSOLE_NEW_SECRET, the default, or GRANTD_CONSOLE_NEW_CLIENT_ID), and the
     * texts of its buttons; NULL: the generic ones. */
    struct {
        char *reenable;
        char *create_label, *revoke_label, *enable_label;
    } console;
    /* what the API behind /check answers, by enum grantd_check_reason (core/reason.h) */
    struct grantd_api_error api_errors[GRANTD_CHECK_REASON_COUNT];
    /* how the issuer's pages look (issue 13 item 5; ui/theme.h, ui/i18n.h): every member
     * NULL is grantd's own look in English */
    struct {
        char *product_name;          /* shown above every page and in <title>; NULL: none */
        char *logo_url;              /* an image shown above every page, pinned by its exact
                                      * URL in the CSP's img-src; NULL: none */
        char *primary_color;         /* "#rrggbb": buttons, links, focus ring */
        char *background_color;     /* "#rrggbb": behind the card */
        char *text_color;            /* "#rrggbb": the card's text */
        char **languages;            /* offered, of GRANTD_UI_LANGUAGES; the first is the
                                      * default; NULL: English only */
        struct grantd_ui_text_override *texts; /* profile.branding.texts.LANG.NAME */
        size_t text_count;
    } branding;
};

struct grantd_config {
    char *listen;          /* "HOST:PORT" or "[V6]:PORT" */
    char *admin_listen;    /* the admin listener (/check): "HOST:PORT"; NULL: none */
    char *issuer;          /* NULL: derived from listen as http://HOST:PORT */
    char *db_url;
    char *log_level;       /* debug | info | warn | error */
    char *log_file;        /* the file `grantd serve` logs to (JSON lines; SIGHUP reopens
                            * it); NULL: stderr */
    char *audit_log;       /* the file `grantd serve` appends the audit trail to (JSON
                            * lines, admin/audit_log.h); NULL: none */
    char *audit_events;    /* the audit events' stream (core/events.h): "stderr" or a file
                            * appended to; NULL: none */
    struct {
        int64_t code, access_token, refresh_token; /* seconds; refresh 0 = never */
        int64_t session;                           /* seconds a login lasts */
        int64_t refresh_grace;   /* seconds a replayed rotated refresh token gets its successor */
    } lifetimes;
    struct {
        char *master_key;        /* base64 of 32 bytes (or GRANTD_MASTER_KEY); NULL: key file */
        char *master_key_file;   /* must exist; NULL: "<sqlite db path>.key", created 0600 */
        char *alg;               /* ES256 | RS256: new signing keys */
        int64_t publish_ahead;
        int64_t reload;
    } keys;
    char *account_member;        /* token-response member carrying the user's account; NULL: none */
    unsigned token_cache;        /* 1: introspection answers from oauth/token_cache.c; 0: store */
    int64_t revocation_feed_retention; /* seconds the revocation feed keeps an event */
    struct grantd_profile profile; /* the issuer's profile; standard behaviour by default */
    /* Dynamic client registration (RFC 7591, RFC 7592) at /register, per issuer. */
    struct {
        char *mode;        /* GRANTD_REGISTRATION_OFF (default) | _TOKEN | _OPEN */
        char **metadata;   /* the members /register accepts; NULL: every one of
                            * GRANTD_REGISTRATION_MEMBERS */
    } registration;
    /* Rate limits (issue 16; oauth/ratelimit.h), per issuer; a failures or rate of 0 turns
     * that limit off. Windows and delays are seconds. */
    struct {
        struct { unsigned failures, window, max_delay; } login; /* per (account, address) */
        struct { unsigned failures, window; } address;          /* failed logins per address */
        struct { unsigned failures, window; } client;           /* per (client, address) */
        struct { unsigned rate; } introspect;                   /* per client, per second */
        struct { unsigned rate; } check;                        /* per caller address */
    } rate_limits;
    struct grantd_scope_info *scopes; /* from the `scopes` list; may be empty */
    size_t scope_count;
    /* What a password set by the CLI or the admin API must be (core/password_policy.h). */
    struct {
        unsigned min_length;     /* characters (Unicode code points) */
        char *blocklist;         /* a file of refused passwords, one a line, beside the built-in
                                  * list; NULL: the built-in list alone */
    } passwords;
    /* Peers whose Forwarded / X-Forwarded-For names the client (http/client_addr.h):
     * addresses or CIDR blocks; NULL: none, the peer is the client. */
    char **trusted_proxies;
    char *forwarded_header;      /* which header a trusted proxy names the client in:
                                  * "x-forwarded-for" (default) or "forwarded" (RFC 7239) */
    struct {
        size_t body_bytes, header_bytes;
        size_t max_params, max_param_name, max_param_value;
        /* threads 0 = cores */
        unsigned connections, connections_per_ip, connection_timeout, threads;
        unsigned header_timeout, body_timeout; /* total seconds: headers, then the body */
    } limits;
};

void grantd_config_defaults(struct grantd_config *cfg);
/* Reads path over cfg. GRANTD_EIO when unreadable, GRANTD_ECONFIG for syntax errors, unknown
 * settings, wrong types or out-of-range values; err gets "path:line: message". */
GRANTD_MUST_USE grantd_rc grantd_config_load_file(struct grantd_config *cfg, const char *path,
                                                  char *err, size_t errlen);

/* One issuer's settings over cfg (a copy of the server's): the text of a profile file, with
 * only per-issuer settings allowed (profile, lifetimes, scopes, account_member, keys.alg,
 * keys.publish_ahead, rate_limits); anything else is "unknown setting". origin names the text in
 * messages. The _file form reads path and hands its text back (*text, malloc'd) to store. */
GRANTD_MUST_USE grantd_rc grantd_config_load_issuer(struct grantd_config *cfg, const char *text,
                                                    const char *origin, char *err,
                                                    size_t errlen);
GRANTD_MUST_USE grantd_rc grantd_config_load_issuer_file(struct grantd_config *cfg,
                                                         const char *path, char **text,
                                                         char *err, size_t errlen);
/* NULL when v is a valid issuer URL (absolute http(s), no query, fragment or trailing
 * slash), else why not; the same for an endpoint path (a profile's, or a tenant's prefix). */
const char *grantd_config_check_issuer(const char *v);
const char *grantd_config_check_path(const char *v);
/* The same for profile.branding.logo_url: an absolute https URL (http only on 127.0.0.1 or
 * localhost) with a path and no userinfo, query or fragment, whose bytes are all valid in a
 * CSP source expression and an attribute (at most 512). */
const char *grantd_config_check_logo_url(const char *v);
/* 1 when /register is served for an issuer with these settings (registration.mode is not
 * off); 2 when it is served without an initial access token (open). */
int grantd_config_registration(const struct grantd_config *cfg);
/* A deep copy; free both with grantd_config_free. */
void grantd_config_copy(struct grantd_config *dst, const struct grantd_config *src);
/* GRANTD_LISTEN, GRANTD_ADMIN_LISTEN, GRANTD_ISSUER, GRANTD_DB and GRANTD_MASTER_KEY over
 * cfg (an empty variable is absent; GRANTD_CONFIG is read by the CLI to pick the file). */
void grantd_config_apply_env(struct grantd_config *cfg);
/* Checks cross-field rules (listen parses, with a port 0..65535 where 0 = any free port;
 * issuer is an absolute http(s) URL without query or fragment, db URL has a scheme). */
GRANTD_MUST_USE grantd_rc grantd_config_validate(const struct grantd_config *cfg, char *err,
                                                 size_t errlen);
/* Splits cfg->listen into host and port. GRANTD_EINVAL when malformed. */
GRANTD_MUST_USE grantd_rc grantd_config_listen_parse(const char *listen, char *host,
                                                     size_t hostlen, unsigned *port);
/* Replaces *field with a copy of value. */
void grantd_config_set(char **field, const char *value);
void grantd_config_free(struct grantd_config *cfg);
void grantd_config_free_scopes(struct grantd_config *cfg);
/* The configured description of scope name, or NULL. */
const char *grantd_config_scope_description(const struct grantd_config *cfg, const char *name);

#endif
