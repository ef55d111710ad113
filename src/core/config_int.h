/* Private to src/core/config*.c: the checkers of string settings (config_check.c) and
 * reading the file's text (config_text.c). A checker answers NULL when the value is fine,
 * else why not ("must be ES256 or RS256"), ready to follow the setting's name. */
#ifndef GRANTD_CORE_CONFIG_INT_H
#define GRANTD_CORE_CONFIG_INT_H

#include <stddef.h>

#include "core/error.h"

#define GRANTD_CONFIG_FILE_MAX (1024 * 1024)

const char *grantd_cfgchk_listen(const char *v);
const char *grantd_cfgchk_db(const char *v);
const char *grantd_cfgchk_path(const char *v);
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
/* (issuer and path are public: grantd_config_check_issuer, grantd_config_check_path) */

/* Reads path into a NUL-terminated heap buffer (at most GRANTD_CONFIG_FILE_MAX bytes);
 * err gets "path: reason" on failure (GRANTD_EIO). */
GRANTD_MUST_USE grantd_rc grantd_cfg_read_text(const char *path, char **out, char *err,
                                               size_t errlen);
/* GRANTD_ECONFIG ("path:line: integer out of range") for an integer literal libconfig would
 * silently wrap (see config_text.c). */
GRANTD_MUST_USE grantd_rc grantd_cfg_check_int_literals(const char *text, const char *path,
                                                        char *err, size_t errlen);

#endif
