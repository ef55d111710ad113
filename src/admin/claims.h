/* A user's OpenID Connect standard claims (Core §5.1) as the CLI (`grantd user create |
 * update --name ...`) and the admin API (the user object) both set and show them: one table
 * of the claims grantd stores, their rules, and the JSON they read as. Pure functions.
 *
 * email is not here: it predates the claims and keeps its own rule (rules.h). Not here
 * either: which scope releases which claim (oauth/userinfo.c), storage (store/). */
#ifndef GRANTD_ADMIN_CLAIMS_H
#define GRANTD_ADMIN_CLAIMS_H

#include <jansson.h>
#include <stddef.h>

#include "core/mem.h"
#include "store/store.h"

#define GRANTD_CLAIM_TEXT_MAX 200     /* name, given_name, family_name, preferred_username */
#define GRANTD_CLAIM_ADDRESS_MAX 512  /* the address's formatted text */
#define GRANTD_CLAIM_LOCALE_MAX 35    /* a BCP 47 tag */
#define GRANTD_CLAIM_COUNT 9

/* The claim number i (0 .. GRANTD_CLAIM_COUNT - 1): its JSON name ("given_name") and
 * whether it is a boolean; NULL past the last. */
const char *grantd_claim_name(size_t i, int *boolean);
/* The index of the claim whose JSON name is name, or -1. */
int grantd_claim_find(const char *name);
/* Sets claim i of u from text: "" clears it (a boolean becomes false); a boolean takes
 * "true" or "false". value is borrowed. NULL on success, else why not (a sentence tail
 * without the claim's name, as rules.h's). */
const char *grantd_claim_set(struct grantd_user *u, size_t i, const char *value);
/* Sets claim i of u from JSON v (a string, or null to clear; a boolean for the booleans);
 * strings are copied into a. NULL on success, else why not (with the member's name). */
const char *grantd_claim_set_json(struct grantd_arena *a, struct grantd_user *u, size_t i,
                                  json_t *v);
/* After an update turned before into after: an e-mail address or phone number that changed
 * is no longer verified, unless the update set its _verified claim too (email_flag,
 * phone_flag: whether it named email_verified, phone_number_verified). */
void grantd_claims_unverify_changed(const struct grantd_user *before, struct grantd_user *after,
                                    int email_flag, int phone_flag);
/* Adds every claim of u to o: strings or null, booleans. */
void grantd_claims_to_json(const struct grantd_user *u, json_t *o);

#endif
