/* What a client or a user record may hold: the checks and normalisations that the CLI
 * (`grantd client create`, `grantd user create`, ...) and the admin API (src/admin/) both
 * apply, so that a record one of them accepts the other accepts too, and the secrets and ids
 * both generate. Pure functions of their input, but for the last two (randomness, the
 * store's hash key).
 *
 * The reasons returned are sentence tails without the field's name ("must not be empty"):
 * the CLI prefixes its option ("--name must not be empty"), the API its JSON member
 * ("client_name must not be empty"). Not here: redirect URI rules (oauth/redirect_uri.h),
 * password reading and hashing (cli/user_int.h, core/password.h). */
#ifndef GRANTD_ADMIN_RULES_H
#define GRANTD_ADMIN_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define GRANTD_CLIENT_ID_MAX 128
#define GRANTD_CLIENT_NAME_MAX 200
#define GRANTD_CLIENT_SCOPE_MAX 1024   /* the normalised scope string, in bytes */
#define GRANTD_CLIENT_MAX_URIS 32      /* redirect URIs per client */
#define GRANTD_CLIENT_SECRET_BYTES 32
#define GRANTD_CLIENT_SECRET_LEN 44     /* base64url of 32 bytes, plus room for the NUL */
/* Per-client lifetimes accept what the configuration file's `lifetimes` accept. */
#define GRANTD_CLIENT_CODE_TTL_MAX 3600
#define GRANTD_CLIENT_ACCESS_TTL_MAX 31536000
#define GRANTD_CLIENT_REFRESH_TTL_MAX 315360000
#define GRANTD_USERNAME_MAX 128         /* usernames and accounts */
#define GRANTD_EMAIL_MAX 254

/* 1 when id is 1..128 characters of [A-Za-z0-9._~-]. */
int grantd_rules_client_id_valid(const char *id);
/* NULL when name is a usable display name (1..200 bytes of UTF-8 without control
 * characters), else why not. */
const char *grantd_rules_name_why(const char *name);
/* Normalises a space-separated scope list into out (single spaces, duplicates dropped,
 * order kept). NULL on success, else why not. */
const char *grantd_rules_scope_normalize(const char *in, char *out, size_t outlen);
/* Sets the grant bit for a grant type name; 0 when the name is unknown. */
int grantd_rules_grant_parse(const char *name, unsigned *grants);
/* The known grant type names, comma-separated, for messages. */
const char *grantd_rules_grant_names(void);
/* The name of grant bit number i (0, 1, 2...), or NULL past the last; *bit gets the bit. */
const char *grantd_rules_grant_at(size_t i, unsigned *bit);
/* 1 when s is 1..max bytes of printable ASCII without spaces. */
int grantd_rules_is_token(const char *s, size_t max);
/* NULL when username (or an account, which follows the same rule) is usable, else why
 * not. */
const char *grantd_rules_username_why(const char *username);
/* NULL when email is usable (an address with '@', at most GRANTD_EMAIL_MAX printable
 * characters), else why not. */
const char *grantd_rules_email_why(const char *email);

/* OpenID Connect client metadata (issue 14). */
/* NULL when uri may be registered as a post-logout redirect URI (RP-Initiated Logout 1.0
 * §3.1): the registration rules of redirect URIs (oauth/redirect_uri.h, docs/redirect-uris.md;
 * insecure http on any host only with allow_insecure_http), without wildcards, and not the
 * out-of-band value; else why not. */
const char *grantd_rules_post_logout_uri_why(const char *uri, int allow_insecure_http);
/* id_token_signed_response_alg (Dynamic Client Registration 1.0 §2): "RS256" or "ES256"
 * as a static string, NULL when alg is neither (the names are case-sensitive). */
const char *grantd_rules_id_token_alg(const char *alg);
/* The id_token_alg a client means: its own, or "RS256" when it has none (NULL or ""). */
const char *grantd_rules_client_id_token_alg(const struct grantd_client *c);

/* A fresh secret into secret and its keyed hash under the store's key into hash. */
GRANTD_MUST_USE grantd_rc grantd_rules_new_secret(struct grantd_store *s,
                                                  char secret[GRANTD_CLIENT_SECRET_LEN],
                                                  unsigned char hash[GRANTD_SHA256_LEN]);
/* Bearer tokens of dynamic client registration: a prefix, then 43 base64url characters
 * (32 random bytes); only their keyed hash is stored. */
#define GRANTD_IAT_PREFIX "grantd_iat_" /* initial access tokens (RFC 7591 §3) */
#define GRANTD_RAT_PREFIX "grantd_rat_" /* registration access tokens (RFC 7592) */
#define GRANTD_REG_TOKEN_LEN 64         /* the text with its NUL, with room to spare */
/* A fresh token (prefix, then the random part) into text and its keyed hash under the
 * store's key into hash. */
GRANTD_MUST_USE grantd_rc grantd_rules_new_token(struct grantd_store *s, const char *prefix,
                                                 char text[GRANTD_REG_TOKEN_LEN],
                                                 unsigned char hash[GRANTD_SHA256_LEN]);
/* A fresh identifier (a client_id, a user id): 16 random bytes, base64url (22
 * characters), never starting with '-' or '_' (it would read as an option on a command
 * line). */
GRANTD_MUST_USE grantd_rc grantd_rules_random_id(char out[32]);

#endif
