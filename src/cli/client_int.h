/* Pieces shared by the client subcommands (client.c, client_manage.c): argument checks,
 * scope normalisation, grant names, secrets and output. Private to src/cli. */
#ifndef GRANTD_CLI_CLIENT_INT_H
#define GRANTD_CLI_CLIENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cli/admin.h"
#include "store/store.h"

#define GRANTD_CLIENT_ID_MAX 128
#define GRANTD_CLIENT_NAME_MAX 200
#define GRANTD_CLIENT_SCOPE_MAX 1024   /* the normalised scope string, in bytes */
#define GRANTD_CLIENT_SECRET_BYTES 32
#define GRANTD_CLIENT_SECRET_LEN 44     /* base64url of 32 bytes, plus room for the NUL */
/* Per-client lifetimes accept what the configuration file's `lifetimes` accept. */
#define GRANTD_CLIENT_CODE_TTL_MAX 3600
#define GRANTD_CLIENT_ACCESS_TTL_MAX 31536000
#define GRANTD_CLIENT_REFRESH_TTL_MAX 315360000

/* 1 when id is 1..128 characters of [A-Za-z0-9._~-]. */
int grantd_cli_client_id_valid(const char *id);
/* NULL when name is a usable display name (1..200 bytes of UTF-8 without control
 * characters), else why not. */
const char *grantd_cli_client_name_why(const char *name);
/* Normalises a space-separated scope list into out (single spaces, duplicates dropped,
 * order kept). NULL on success, else a static reason. */
const char *grantd_cli_scope_normalize(const char *in, char *out, size_t outlen);
/* Sets the grant bit for a grant type name; 0 when the name is unknown. */
int grantd_cli_grant_parse(const char *name, unsigned *grants);
/* The known grant type names, space-separated, for messages. */
const char *grantd_cli_grant_names(void);
/* Parses a lifetime option's value into *out: decimal seconds 1..max (a plain number: no
 * sign, spaces or leading zeros), or, when allow_never, "never" or 0 (both
 * GRANTD_TTL_NEVER, as `refresh_token = "never"` or 0 in the configuration file). 1 on
 * success, 0 when the value is not accepted. */
int grantd_cli_ttl_parse(const char *value, int64_t max, int allow_never, int64_t *out);
/* A fresh secret into secret and its keyed hash under the store's key into hash. */
GRANTD_MUST_USE grantd_rc grantd_cli_client_new_secret(struct grantd_store *s,
                                                       char secret[GRANTD_CLIENT_SECRET_LEN],
                                                       unsigned char hash[GRANTD_SHA256_LEN]);
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

#endif
