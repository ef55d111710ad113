/* Pieces shared by the client subcommands (client.c, client_manage.c): lifetimes and
 * output. The record rules (ids, names, scopes, grants, secrets) are admin/rules.h, shared
 * with the admin API. Private to src/cli. */
#ifndef GRANTD_CLI_CLIENT_INT_H
#define GRANTD_CLI_CLIENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "admin/rules.h"
#include "cli/admin.h"
#include "store/store.h"

/* Parses a lifetime option's value into *out: decimal seconds 1..max (a plain number: no
 * sign, spaces or leading zeros), or, when allow_never, "never" or 0 (both
 * GRANTD_TTL_NEVER, as `refresh_token = "never"` or 0 in the configuration file). 1 on
 * success, 0 when the value is not accepted. */
int grantd_cli_ttl_parse(const char *value, int64_t max, int allow_never, int64_t *out);
/* The client as a JSON object; secret (may be NULL) is included when given. The flags are
 * the booleans "redirect_uri_wildcard", "allow_plain_pkce", "always_consent" and
 * "introspect_any", plus "access_token_format" ("opaque" or "jwt"); the lifetimes
 * "code_ttl", "access_ttl" and "refresh_ttl" are null for the server's default, else
 * seconds ("refresh_ttl" may be "never"). */
json_t *grantd_cli_client_json(const struct grantd_client *c, const char *secret);
/* Prints the client as "key: value" lines, with the secret and its shown-once note when
 * secret is not NULL. */
void grantd_cli_client_print(const struct grantd_client *c, const char *secret);
/* The client's flags as a comma-separated list of short names ("wildcard,plain-pkce,jwt"),
 * or "-" when none is set, for tables; GRANTD_CLIENT_FLAGS_BRIEF_MAX bytes are always
 * enough. */
#define GRANTD_CLIENT_FLAGS_BRIEF_MAX 96
void grantd_cli_client_flags_brief(unsigned flags, char *out, size_t outlen);
/* The client's lifetimes for tables: "-" when all are the server's defaults, else e.g.
 * "code=600,refresh=never"; GRANTD_CLIENT_TTLS_BRIEF_MAX bytes are always enough. */
#define GRANTD_CLIENT_TTLS_BRIEF_MAX 80
void grantd_cli_client_ttls_brief(const struct grantd_client *c, char *out, size_t outlen);
/* Prints the note that goes with a secret. */
void grantd_cli_client_secret_note(void);

/* The subcommands in client_manage.c; argv[0] is the subcommand's name. */
int grantd_cli_client_list(int argc, char **argv);
int grantd_cli_client_show(int argc, char **argv);
int grantd_cli_client_disable(int argc, char **argv);
int grantd_cli_client_enable(int argc, char **argv);
int grantd_cli_client_rotate(int argc, char **argv);
int grantd_cli_client_delete(int argc, char **argv);
/* In client_update.c. */
int grantd_cli_client_update(int argc, char **argv);

#endif
