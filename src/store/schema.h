/* The schema version this grantd's drivers migrate to, and the rules of compatibility
 * between a database and a grantd of another version (both drivers follow them:
 * sqlite_schema.c, pg_schema.c).
 *
 * Every migration step declares, beside the version it brings the database to, the oldest
 * version whose grantd can still run on the result: its "compatible back to" number,
 * stored in the database with the version from step 18 on. An additive step (a new table,
 * a nullable or defaulted column, a new index) keeps the previous release working and
 * declares its version - 1; a step that drops, renames or changes the meaning of
 * something declares its own version, and ships one release after the code stopped using
 * what it removes (expand, then contract).
 *
 * A grantd opens a database whose version is newer than GRANTD_SCHEMA_VERSION only when
 * the database's compatible-back-to number is at most GRANTD_SCHEMA_VERSION, and then never
 * migrates it; otherwise every operation that checks (migrate, ping) answers
 * GRANTD_ESCHEMA. A database without the number (one a grantd before step 18 left, or a
 * hand edit) counts as compatible back to its own version only.
 *
 * Not here: the steps themselves, and the statements' own rule that lets an added column
 * pass unseen (every statement names its columns). */
#ifndef GRANTD_STORE_SCHEMA_H
#define GRANTD_STORE_SCHEMA_H

/* The newest schema version of both drivers (each checks its own list against it). */
#define GRANTD_SCHEMA_VERSION 19
/* The first version that stores its compatible-back-to number. */
#define GRANTD_SCHEMA_COMPAT_SINCE 18

/* Whether a grantd of schema version own may run on a database of version version whose
 * compatible-back-to number is compat (as stored; version itself when none is). */
static inline int grantd_schema_usable(int own, int version, int compat)
{
    return version <= own || compat <= own;
}

#endif
