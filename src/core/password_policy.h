/* What a new password must be (NIST SP 800-63B §3.1.1.2): at least passwords.min_length
 * characters (Unicode code points; 8 by default), at most GRANTD_PASSWORD_MAX bytes (1024:
 * well above the 64 characters NIST asks to allow), not the username, not a run of one
 * character or of consecutive ones ("aaaaaaaa", "12345678", "zyxwvuts"), and not on the
 * blocklist: a built-in list of the most common passwords (password_common.c; also with
 * trailing digits and punctuation removed, so "password123!" is refused) and, when
 * passwords.blocklist names a file, every line of it (e.g. a Debian word list such as
 * /usr/share/dict/words, or a breached-password list), compared without regard to ASCII
 * case. No composition rules (NIST: SHALL NOT) and no expiry. Applied wherever a password is
 * set: `grantd user create` / `user passwd` and the admin API (the pages only check one).
 * Not here: hashing (core/password.h). */
#ifndef GRANTD_CORE_PASSWORD_POLICY_H
#define GRANTD_CORE_PASSWORD_POLICY_H

#include <stddef.h>

#include "core/config.h"
#include "core/error.h"

/* NULL when password may be set for username (may be NULL) under cfg's passwords settings;
 * else why not, as a sentence fragment that follows "password " ("is too short: at least 8
 * characters"), in why[whylen]. Reads passwords.blocklist once per process (later calls
 * reuse it; thread-safe); when it cannot be read, every password is refused with a reason
 * naming the file, so a typo in the setting is not a silent weakening. */
const char *grantd_password_policy_check(const struct grantd_config *cfg, const char *username,
                                         const char *password, char *why, size_t whylen);

/* The built-in list (password_common.c): lowercase, sorted (strcmp), count entries. */
extern const char *const grantd_password_common[];
extern const size_t grantd_password_common_count;

#endif
