/* Private to src/core/config*.c: the checkers of string settings (config_check.c),
 * reading the file's text (config_text.c) and the profile's storage (config_profile.c,
 * config_branding.c). A checker answers NULL when the value is fine,
 * else why not ("must be ES256 or RS256"), ready to follow the setting's name. */
#ifndef GRANTD_CORE_CONFIG_INT_H
#define GRANTD_CORE_CONFIG_INT_H

#include <stddef.h>

#include "core/error.h"

#define GRANTD_CONFIG_FILE_MAX (1024 * 1024)

struct grantd_profile;

const char *grantd_cfgchk_listen(const char *v);
const char *grantd_cfgchk_db(const char *v);
const char *grantd_cfgchk_path(const char *v);
/* trusted_proxies: an IPv4 or IPv6 address, or a CIDR block of one (core/cidr.h). */
const char *grantd_cfgchk_cidr(const char *v);
const char *grantd_cfgchk_forwarded_header(const char *v);
const char *grantd_cfgchk_log_level(const char *v);
const char *grantd_cfgchk_key_alg(const char *v);
const char *grantd_cfgchk_master_key(const char *v); /* never echoes the value */
const char *grantd_cfgchk_member_name(const char *v);
const char *grantd_cfgchk_profile_name(const char *v);
const char *grantd_cfgchk_token_body(const char *v);
const char *grantd_cfgchk_token_type(const char *v);
const char *grantd_cfgchk_token_format(const char *v);
const char *grantd_cfgchk_header_value(const char *v); /* printable ASCII, one line */
const char *grantd_cfgchk_api_body(const char *v);     /* at most 4096 bytes */
const char *grantd_cfgchk_console_reenable(const char *v);    /* new_secret | new_client_id */
const char *grantd_cfgchk_console_label(const char *v);       /* a console button's text */
const char *grantd_cfgchk_registration_mode(const char *v);   /* off | token | open */
const char *grantd_cfgchk_registration_member(const char *v); /* GRANTD_REGISTRATION_MEMBERS */
/* profile.branding (issue 13 item 5) */
const char *grantd_cfgchk_product_name(const char *v); /* 1..64 bytes, no control chars */
const char *grantd_cfgchk_color(const char *v);        /* exactly #rrggbb */
const char *grantd_cfgchk_language(const char *v);     /* one of GRANTD_UI_LANGUAGES */
/* (issuer and path are public: grantd_config_check_issuer, grantd_config_check_path) */

/* Storage (config_profile.c): a NULL-terminated list of strings freed (*list NULL after)
 * or deep-copied (NULL stays NULL); a string copied (NULL stays NULL); a profile freed
 * (its pointers NULL after) or deep-copied over dst (which it does not free). */
void grantd_cfg_strings_free(char ***list);
char **grantd_cfg_strings_copy(char *const *list);
char *grantd_cfg_str_copy(const char *s);
void grantd_cfg_profile_free(struct grantd_profile *p);
void grantd_cfg_profile_copy(struct grantd_profile *dst, const struct grantd_profile *src);

/* profile.branding's storage (config_branding.c). _free leaves p->branding zeroed; _copy
 * deep-copies src's branding over dst's (which it does not free). grantd_cfg_load_texts
 * replaces p's texts with those of the group s (profile.branding.texts); on failure
 * (GRANTD_ECONFIG) *where is the setting at fault and msg says why. */
struct config_setting_t;
void grantd_cfg_branding_free(struct grantd_profile *p);
void grantd_cfg_branding_copy(struct grantd_profile *dst, const struct grantd_profile *src);
GRANTD_MUST_USE grantd_rc grantd_cfg_load_texts(struct grantd_profile *p,
                                                const struct config_setting_t *s,
                                                const struct config_setting_t **where,
                                                char *msg, size_t msglen);

/* Reads path into a NUL-terminated heap buffer (at most GRANTD_CONFIG_FILE_MAX bytes);
 * err gets "path: reason" on failure (GRANTD_EIO). */
GRANTD_MUST_USE grantd_rc grantd_cfg_read_text(const char *path, char **out, char *err,
                                               size_t errlen);
/* GRANTD_ECONFIG ("path:line: integer out of range") for an integer literal libconfig would
 * silently wrap (see config_text.c). */
GRANTD_MUST_USE grantd_rc grantd_cfg_check_int_literals(const char *text, const char *path,
                                                        char *err, size_t errlen);

#endif
