/* The SQLite driver's schema: an ordered list of migration steps and the loop that applies
 * them. The version is SQLite's `PRAGMA user_version`; step i brings a database from
 * version i to i + 1, and each step runs in its own BEGIN IMMEDIATE transaction that
 * re-reads the version under the write lock, so two processes migrating at once both
 * succeed (the second finds the work done). Steps are append-only: a released step is never
 * edited, a change is a new step.
 *
 * Compatibility (src/store/schema.h): each step declares the oldest version whose grantd can
 * still run on its result. From step 18 on the loop stores it in meta beside the version
 * (rows schema_version and schema_compat, written with PRAGMA user_version in the step's
 * transaction); the number counts only while schema_version equals user_version. The rules
 * for writing a step: expand/contract. An additive step (new tables, nullable or defaulted
 * columns, new indexes) declares its version - 1, so the release before keeps running on
 * it during a rolling upgrade; a step that drops, renames or changes the meaning of
 * something declares its own version (every instance stops for it) and ships one release
 * after the code stopped using what it removes. Every statement of the driver names its
 * columns (no SELECT * read by position, no INSERT without a column list), so a column a
 * newer step added passes an older grantd by.
 *
 * Not here: record operations (sqlite_client.c, sqlite_user.c, sqlite_session.c,
 * sqlite_code.c) and connection handling (sqlite.c). */
#include "store/sqlite_int.h"

#include <stdio.h>

#include "store/schema.h"

/* Version 1: tenants, the store's secret-hash key, clients with ordered redirect URIs,
 * users. Every record table is keyed by tenant. */
static const char schema_v1[] =
    "CREATE TABLE tenants ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  issuer TEXT,"
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value BLOB NOT NULL);"
    "CREATE TABLE clients ("
    "  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
    "  id TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  is_public INTEGER NOT NULL,"
    "  secret_hash BLOB,"
    "  scope TEXT NOT NULL DEFAULT '',"
    "  grants INTEGER NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (tenant_id, id));"
    "CREATE INDEX clients_by_created ON clients(tenant_id, created_at, id);"
    "CREATE TABLE client_redirect_uris ("
    "  tenant_id INTEGER NOT NULL,"
    "  client_id TEXT NOT NULL,"
    "  position INTEGER NOT NULL,"
    "  uri TEXT NOT NULL,"
    "  PRIMARY KEY (tenant_id, client_id, position),"
    "  FOREIGN KEY (tenant_id, client_id) REFERENCES clients(tenant_id, id)"
    "    ON DELETE CASCADE);"
    "CREATE TABLE users ("
    "  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
    "  id TEXT NOT NULL,"
    "  username TEXT NOT NULL,"
    "  account TEXT,"
    "  email TEXT,"
    "  password_hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (tenant_id, id),"
    "  UNIQUE (tenant_id, username));";

/* Version 2: the authorization-code flow. Client options (flags); browser sessions,
 * remembered consents, authorization codes and opaque tokens. Codes, tokens and sessions
 * are found by the SHA-256 of a random value, so they are WITHOUT ROWID tables keyed by
 * (tenant, hash): one b-tree lookup, no separate key index. A code row stays after
 * redemption (used = 1) so that a replay is recognised. The family indexes serve "revoke
 * every token of this authorization" and "was a code of this family replayed"; both must
 * cover their statement's WHERE clause, because without statistics SQLite prefers a range
 * of the primary key (every row of the tenant) to a secondary index that needs a lookup
 * per row (tests/unit/store/test_sqlite.c checks the plans). */
static const char schema_v2[] =
    "ALTER TABLE clients ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE sessions ("
    "  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
    "  id_hash BLOB NOT NULL CHECK (length(id_hash) = 32),"
    "  user_id TEXT,"
    "  auth_time INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  PRIMARY KEY (tenant_id, id_hash)) WITHOUT ROWID;"
    "CREATE TABLE consents ("
    "  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
    "  user_id TEXT NOT NULL,"
    "  client_id TEXT NOT NULL,"
    "  scope TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (tenant_id, user_id, client_id)) WITHOUT ROWID;"
    "CREATE TABLE codes ("
    "  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32),"
    "  client_id TEXT NOT NULL,"
    "  user_id TEXT NOT NULL,"
    "  redirect_uri TEXT,"
    "  scope TEXT NOT NULL DEFAULT '',"
    "  code_challenge TEXT,"
    "  code_challenge_method TEXT,"
    "  family TEXT NOT NULL,"
    "  auth_time INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  used INTEGER NOT NULL DEFAULT 0,"
    "  revoked INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (tenant_id, hash)) WITHOUT ROWID;"
    "CREATE INDEX codes_by_family ON codes(tenant_id, family, revoked);"
    "CREATE TABLE tokens ("
    "  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32),"
    "  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
    "  client_id TEXT NOT NULL,"
    "  user_id TEXT,"
    "  scope TEXT NOT NULL DEFAULT '',"
    "  family TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL DEFAULT 0,"
    "  revoked INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (tenant_id, hash)) WITHOUT ROWID;"
    "CREATE INDEX tokens_by_family ON tokens(tenant_id, family);";

/* Version 3: the token lifecycle.
 *
 * - clients: per-client lifetimes (0 = the server's default; refresh_ttl -1 = never).
 * - tokens: rotation state of refresh tokens (rotated_at, grace_until, the sealed successor).
 * - revoked_families: one row per revoked family (a replayed code, a reused refresh token,
 *   token_revoke_family, disabling a client). It is the one place revocation of a family is
 *   recorded: token_put and refresh_rotate refuse a family found here, and token_get reports
 *   every token of such a family as revoked (a primary-key probe per read), so revoking a
 *   family is one insert, whatever the number of its tokens. Filled here from the codes a
 *   version-2 grantd marked replayed (it revoked their tokens' rows, which stay revoked).
 * - tokens_by_family and codes_by_family go: nothing looks tokens or codes up by family any
 *   more, and each index on tokens costs a page write per token written (measured: the
 *   insert rate of single-token transactions drops by a third per index). Maintenance that
 *   needs other orders (disabling a client, purge_expired) scans instead: see sqlite_purge.c.
 * - keys: signing keys per tenant, the private part sealed by src/token/keys.c. */
static const char schema_v3[] =
    "ALTER TABLE clients ADD COLUMN code_ttl INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE clients ADD COLUMN access_ttl INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE clients ADD COLUMN refresh_ttl INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tokens ADD COLUMN rotated_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tokens ADD COLUMN grace_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tokens ADD COLUMN successor BLOB;"
    "CREATE TABLE revoked_families ("
    "  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
    "  family TEXT NOT NULL,"
    "  revoked_at INTEGER NOT NULL,"
    "  PRIMARY KEY (tenant_id, family)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO revoked_families (tenant_id, family, revoked_at)"
    "  SELECT tenant_id, family, CAST(strftime('%s', 'now') AS INTEGER) FROM codes"
    "  WHERE revoked = 1;"
    "DROP INDEX tokens_by_family;"
    "DROP INDEX codes_by_family;"
    "CREATE TABLE keys ("
    "  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
    "  kid TEXT NOT NULL,"
    "  alg TEXT NOT NULL,"
    "  public_jwk TEXT NOT NULL,"
    "  private_sealed BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  active_from INTEGER NOT NULL,"
    "  retire_at INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (tenant_id, kid));";

/* Version 4:
 * - clients.tokens_after (unix microseconds): client-credentials JWTs are self-contained
 *   (stored nowhere, src/oauth/token_issue.c), so disabling a client cannot revoke their
 *   rows; introspection refuses any issued before this time instead. Creating, disabling and
 *   enabling a client set it, so neither a re-enabled client nor a deleted and re-created
 *   one with the same id inherits live tokens. Existing clients start at their creation. */
static const char schema_v4[] =
    "ALTER TABLE clients ADD COLUMN tokens_after INTEGER NOT NULL DEFAULT 0;"
    "UPDATE clients SET tokens_after = created_at * 1000000;";

/* Version 5: tenants.profile, the configuration text a tenant's issuer applies over the
 * server's (`grantd tenant create --profile FILE`); NULL for none. */
static const char schema_v5[] = "ALTER TABLE tenants ADD COLUMN profile TEXT;";

/* Version 6: at most one current signing key (retire_at 0) per tenant, held by the database:
 * key rotation is one transaction (key_rotate), and of two processes creating a tenant's
 * first key at once only one succeeds. An earlier grantd rotated with an insert and then
 * separate updates, so two rotations at once could leave two current keys: before the index
 * goes in, every current key but the newest (by active_from, created_at, kid: the one the
 * keyring signs with) becomes a retiring key, still published for a year after the upgrade
 * (v6_retire_extra_keys), the longest an access token it may have signed can live
 * (lifetimes are capped at 31536000 s). */
static const char schema_v6[] =
    "CREATE UNIQUE INDEX keys_one_current ON keys(tenant_id) WHERE retire_at = 0;";

#define LONGEST_ACCESS_TTL 31536000

/* Version 7: the change sequence (store.h, "Changes"; sqlite_change.c), one row that every
 * write that may change a stored record updates in its own transaction, so that other
 * processes (servers' cache watchers) learn of the change by polling it. */
static const char schema_v7[] =
    "CREATE TABLE changes ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  seq INTEGER NOT NULL);"
    "INSERT INTO changes (id, seq) VALUES (1, 0);";

/* Version 8: the revocation feed (store.h, revocations_since; sqlite_feed.c). An append-only
 * log of revocations whose id is the feed's cursor (AUTOINCREMENT: an id is never reused,
 * even after the newest rows were purged, so a cursor only grows). Triggers write it, so
 * every path that revokes (token_revoke, a revoked JWT's row, token_revoke_family, a replayed
 * code, a reused refresh token, client_set_disabled, user_set_disabled) appends its event in
 * the revocation's own transaction, and a write that fails or changes nothing appends none:
 * - a family: a new revoked_families row (INSERT OR IGNORE of a revoked one fires nothing),
 *   followed by a token event for each of its access tokens still alive then (a verifier
 *   knows no family: it recognises a JWT of the code flow by its token_hash);
 * - a token: revoked going 0 -> 1, or a row inserted revoked (a revoked JWT), unless its
 *   family is revoked (purge_expired copies a family's revocation onto its tokens: not news);
 *   the subject is the hex of bytes 9..32 of the storage key, the first 24 bytes of the
 *   SHA-256 of the token's text (src/token/opaque.h), which a verifier can compute;
 * - a client or a user: disabled going 0 -> 1; the subject is the client id / the user id. */
static const char schema_v8[] =
    "CREATE TABLE revocation_events ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  tenant_id INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('token', 'family', 'client', 'user', 'key')),"
    "  subject TEXT NOT NULL,"
    "  at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX revocation_events_by_tenant ON revocation_events(tenant_id, id);"
    "CREATE TRIGGER revocation_family AFTER INSERT ON revoked_families BEGIN "
    "  INSERT INTO revocation_events (tenant_id, kind, subject, at) "
    "  VALUES (new.tenant_id, 'family', new.family, new.revoked_at);"
    "  INSERT INTO revocation_events (tenant_id, kind, subject, at) "
    "  SELECT tenant_id, 'token', lower(hex(substr(hash, 9))), new.revoked_at FROM tokens "
    "  WHERE tenant_id = new.tenant_id AND family = new.family AND kind = 1 AND revoked = 0 "
    "  AND expires_at > new.revoked_at ORDER BY hash; END;"
    "CREATE TRIGGER revocation_token AFTER UPDATE OF revoked ON tokens "
    "  WHEN new.revoked <> 0 AND old.revoked = 0 AND NOT EXISTS (SELECT 1 FROM "
    "  revoked_families r WHERE r.tenant_id = new.tenant_id AND r.family = new.family) BEGIN "
    "  INSERT INTO revocation_events (tenant_id, kind, subject) "
    "  VALUES (new.tenant_id, 'token', lower(hex(substr(new.hash, 9)))); END;"
    "CREATE TRIGGER revocation_token_row AFTER INSERT ON tokens WHEN new.revoked <> 0 BEGIN "
    "  INSERT INTO revocation_events (tenant_id, kind, subject, at) "
    "  VALUES (new.tenant_id, 'token', lower(hex(substr(new.hash, 9))), new.created_at); END;"
    "CREATE TRIGGER revocation_client AFTER UPDATE OF disabled ON clients "
    "  WHEN new.disabled <> 0 AND old.disabled = 0 BEGIN "
    "  INSERT INTO revocation_events (tenant_id, kind, subject, at) "
    "  VALUES (new.tenant_id, 'client', new.id, new.updated_at); END;"
    "CREATE TRIGGER revocation_user AFTER UPDATE OF disabled ON users "
    "  WHEN new.disabled <> 0 AND old.disabled = 0 BEGIN "
    "  INSERT INTO revocation_events (tenant_id, kind, subject, at) "
    "  VALUES (new.tenant_id, 'user', new.id, new.updated_at); END;";

/* Version 9: resource indicators (RFC 8707). clients.resources, the APIs a client may ask
 * tokens for; codes.resources, those its authorization request named; tokens.audience, the
 * APIs an access token is for (a refresh token: the granted set). Each is space-separated
 * absolute URIs, '' for none: a token for the issuer alone, as before this version. */
static const char schema_v9[] =
    "ALTER TABLE clients ADD COLUMN resources TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE codes ADD COLUMN resources TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE tokens ADD COLUMN audience TEXT NOT NULL DEFAULT '';";

/* Version 10: the revocation feed's remainder.
 * - revocation_key: a key's retire_at moving to an earlier non-zero time (key_retire, a
 *   compromised key retired now; key_rotate's scheduled retirement, whose at lies ahead)
 *   appends a "key" event with at = the new retire_at, in the same transaction.
 * - revocation_feed_floor: one row, the cursor at or below which every event has been
 *   purged (revocations_purge); a reader asking after a cursor below it gets told so. */
static const char schema_v10[] =
    "CREATE TRIGGER revocation_key AFTER UPDATE OF retire_at ON keys "
    "  WHEN new.retire_at <> 0 AND (old.retire_at = 0 OR new.retire_at < old.retire_at) BEGIN "
    "  INSERT INTO revocation_events (tenant_id, kind, subject, at) "
    "  VALUES (new.tenant_id, 'key', new.kid, new.retire_at); END;"
    "CREATE TABLE revocation_feed_floor ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  upto INTEGER NOT NULL);"
    "INSERT INTO revocation_feed_floor (id, upto) VALUES (1, 0);";

/* Version 11: the admin API.
 * - admin_keys: the keys of `Authorization: Bearer` on /v1/tenants (grantd admin-key),
 *   only their keyed hashes (as client secrets), each for one tenant or (tenant_id NULL)
 *   every tenant; revoked_at 0 while live. Found by hash at every admin request.
 * - clients.prev_secret_hash / prev_secret_until: a secret rotated with an overlap keeps
 *   authenticating until prev_secret_until (client_rotate_secret); 0 when there is none. */
static const char schema_v11[] =
    "CREATE TABLE admin_keys ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  tenant_id INTEGER REFERENCES tenants(id),"
    "  hash BLOB NOT NULL UNIQUE,"
    "  created_at INTEGER NOT NULL,"
    "  revoked_at INTEGER NOT NULL DEFAULT 0);"
    "ALTER TABLE clients ADD COLUMN prev_secret_hash BLOB;"
    "ALTER TABLE clients ADD COLUMN prev_secret_until INTEGER NOT NULL DEFAULT 0;";

/* Version 12: dynamic client registration (issue 13 item 3; sqlite_register.c).
 * - registrations: a client registered at /register (RFC 7591), with the keyed hash of its
 *   current registration access token (RFC 7592), rotated on every use, and the
 *   informational metadata it registered (a JSON object's text); gone with its client.
 * - registration_tokens: initial access tokens (grantd registration-token create), their
 *   keyed hashes, each for one tenant, with an expiry (0: never) and a count of the
 *   registrations it may still make (NULL: no limit). */
static const char schema_v12[] =
    "CREATE TABLE registrations ("
    "  tenant_id INTEGER NOT NULL,"
    "  client_id TEXT NOT NULL,"
    "  token_hash BLOB NOT NULL UNIQUE,"
    "  metadata TEXT NOT NULL DEFAULT '{}',"
    "  PRIMARY KEY (tenant_id, client_id),"
    "  FOREIGN KEY (tenant_id, client_id) REFERENCES clients(tenant_id, id)"
    "    ON DELETE CASCADE);"
    "CREATE TABLE registration_tokens ("
    "  id TEXT PRIMARY KEY,"
    "  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
    "  hash BLOB NOT NULL UNIQUE,"
    "  expires_at INTEGER NOT NULL DEFAULT 0,"
    "  uses_left INTEGER,"
    "  created_at INTEGER NOT NULL);";

/* Version 13: the audit trail (issue 13 item 6). seq is the rowid with AUTOINCREMENT, so a
 * seq is never handed out twice; the triggers make the table append-only for every writer.
 * audit_target serves "the events of one client, newest first" (the console) as one index
 * range; audit_tenant a tenant's trail in seq order (the admin API's pages). tenant_id has
 * no foreign key: 0 stands for admin keys of every tenant. */
static const char schema_v13[] =
    "CREATE TABLE audit ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  tenant_id INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  actor_kind TEXT NOT NULL,"
    "  actor_id TEXT,"
    "  actor_name TEXT,"
    "  action TEXT NOT NULL,"
    "  target_kind TEXT NOT NULL,"
    "  target_id TEXT NOT NULL,"
    "  details TEXT);"
    "CREATE INDEX audit_target ON audit (tenant_id, target_kind, target_id, seq);"
    "CREATE INDEX audit_tenant ON audit (tenant_id, seq);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;";

/* Version 14: the developer console (issue 13 item 2; oauth/console.c).
 * - users.developer: 1 when the user may register applications in the console.
 * - clients.owner: the user id of the developer who created the client in the console;
 *   NULL for clients made anywhere else (CLI, admin API, /register), which are in nobody's
 *   console. The index serves a developer's list. */
static const char schema_v14[] =
    "ALTER TABLE users ADD COLUMN developer INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE clients ADD COLUMN owner TEXT;"
    "CREATE INDEX clients_by_owner ON clients(tenant_id, owner, created_at, id) "
    "  WHERE owner IS NOT NULL;";

/* v15: the OpenID Connect standard claims of users (issue 14). */
static const char schema_v15[] =
    "ALTER TABLE users ADD COLUMN name TEXT;"
    "ALTER TABLE users ADD COLUMN given_name TEXT;"
    "ALTER TABLE users ADD COLUMN family_name TEXT;"
    "ALTER TABLE users ADD COLUMN preferred_username TEXT;"
    "ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN phone_number TEXT;"
    "ALTER TABLE users ADD COLUMN phone_number_verified INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN locale TEXT;"
    "ALTER TABLE users ADD COLUMN address TEXT;";

/* Version 16: OpenID Connect (issue 14).
 * - keys: one current key per tenant and algorithm (token/keys.c keeps a chain per alg: an
 *   issuer signs access tokens with ES256 and OpenID Connect ID tokens with RS256).
 * - codes.nonce: the authorization request's nonce, which the code's ID token repeats.
 * - tokens.auth_time: when the user signed in for the grant a refresh token carries on, so
 *   an ID token minted on refresh says the time of the original sign-in.
 * - sessions.login_for: the SHA-256 of the authorization request a login answered; a
 *   request that demands a fresh login (prompt=login, max_age) is satisfied by the login
 *   made for it and by no other. */
static const char schema_v16[] =
    "DROP INDEX keys_one_current;"
    "CREATE UNIQUE INDEX keys_one_current ON keys(tenant_id, alg) WHERE retire_at = 0;"
    "ALTER TABLE codes ADD COLUMN nonce TEXT;"
    "ALTER TABLE tokens ADD COLUMN auth_time INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sessions ADD COLUMN login_for BLOB;";

/* v17: OpenID Connect client metadata (issue 14). post_logout_redirect_uris: where
 * RP-Initiated Logout may send the user back, space-separated absolute URIs, '' for none;
 * id_token_alg: id_token_signed_response_alg, NULL for the default (RS256). */
static const char schema_v17[] =
    "ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE clients ADD COLUMN id_token_alg TEXT;";

/* v18: the compatible-back-to number (src/store/schema.h). No DDL: the rows schema_version
 * and schema_compat of meta are written by the loop (set_version) for this step and every
 * later one. Additive: a version-17 grantd would run on it (it refuses any newer version,
 * having no notion of the number; the number serves the upgrades after this one). */
static const char schema_v18[] = "";

/* v19, additive (compatible back to 18):
 * - tokens_by_expiry: the janitor finds expired tokens through it (issue 15,
 *   sqlite_purge.c) instead of reading every token each minute. Partial: tokens that never
 *   expire (0) are not in it.
 * - tokens_access_by_family: the revocation_family trigger lists a revoked family's access
 *   tokens through it, where it read the whole table under the write lock (seconds at ten
 *   million tokens). Partial: the feed lists access tokens only. On family alone (its
 *   entries end with the primary key, tenant_id and hash): on (tenant_id, family) the
 *   planner, without statistics, prefers the primary key's tenant_id range, which is the
 *   whole table for one tenant. */
static const char schema_v19[] =
    "CREATE INDEX tokens_by_expiry ON tokens(expires_at) WHERE expires_at > 0;"
    "CREATE INDEX tokens_access_by_family ON tokens(family) WHERE kind = 1;";

/* Runs one statement of a step whose only parameter ?1 is the blob, or the integer n when
 * blob is NULL (one-off, so prepared and finalized here rather than cached). */
static grantd_rc seed(struct sq_conn *c, const char *sql, int64_t n, const void *blob,
                      int blob_len)
{
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
    if (r == SQLITE_OK)
        r = blob ? sqlite3_bind_blob(st, 1, blob, blob_len, SQLITE_STATIC)
                 : sqlite3_bind_int64(st, 1, n);
    if (r == SQLITE_OK)
        r = sqlite3_step(st);
    grantd_rc rc = sqlite__rc(c, r);
    sqlite3_finalize(st);
    return rc;
}

static grantd_rc seed_v1(struct sq_conn *c, int64_t now)
{
    unsigned char key[GRANTD_SHA256_LEN];
    grantd_rc rc = grantd_random_bytes(key, sizeof(key));
    if (rc != GRANTD_OK)
        return rc;
    rc = seed(c, "INSERT INTO tenants (id, name, issuer, created_at) "
                 "VALUES (1, 'default', NULL, ?1)",
              now, NULL, 0);
    if (rc == GRANTD_OK)
        rc = seed(c, "INSERT INTO meta (key, value) VALUES ('hash_key', ?1)", 0, key,
                  (int)sizeof(key));
    return rc;
}

static grantd_rc v6_retire_extra_keys(struct sq_conn *c, int64_t now)
{
    return seed(c,
                "UPDATE keys SET retire_at = ?1 WHERE retire_at = 0 AND EXISTS ("
                "SELECT 1 FROM keys n WHERE n.tenant_id = keys.tenant_id AND n.retire_at = 0 "
                "AND (n.active_from, n.created_at, n.kid) > "
                "(keys.active_from, keys.created_at, keys.kid))",
                now + LONGEST_ACCESS_TTL, NULL, 0);
}

/* A migration step: prepare (may be NULL) fixes data up for the DDL, the DDL runs, then
 * seed (may be NULL) fills what the DDL created. Both are stamped with the migration's now. */
struct step {
    grantd_rc (*prepare)(struct sq_conn *c, int64_t now);
    const char *ddl;
    grantd_rc (*seed)(struct sq_conn *c, int64_t now);
    int compat; /* oldest version that runs on the result; 0 before 18 (not stored) */
};

/* steps[i] brings version i to i + 1. Append only. */
static const struct step steps[] = {
    {NULL, schema_v1, seed_v1, 0},
    {NULL, schema_v2, NULL, 0},
    {NULL, schema_v3, NULL, 0},
    {NULL, schema_v4, NULL, 0},
    {NULL, schema_v5, NULL, 0},
    {v6_retire_extra_keys, schema_v6, NULL, 0},
    {NULL, schema_v7, NULL, 0},
    {NULL, schema_v8, NULL, 0},
    {NULL, schema_v9, NULL, 0},
    {NULL, schema_v10, NULL, 0},
    {NULL, schema_v11, NULL, 0},
    {NULL, schema_v12, NULL, 0},
    {NULL, schema_v13, NULL, 0},
    {NULL, schema_v14, NULL, 0},
    {NULL, schema_v15, NULL, 0},
    {NULL, schema_v16, NULL, 0},
    {NULL, schema_v17, NULL, 0},
    {NULL, schema_v18, NULL, 17},
    {NULL, schema_v19, NULL, 18},
};

#define NEWEST ((int)(sizeof(steps) / sizeof(steps[0])))
_Static_assert(NEWEST == GRANTD_SCHEMA_VERSION, "src/store/schema.h names another version");

int sqlite__schema_newest(void)
{
    return NEWEST;
}

static const struct sq_query user_version = {SQ_USER_VERSION, "PRAGMA user_version", NULL,
                                             sqlite__row_int64, 0};

grantd_rc sqlite__schema_version(struct sq_conn *c, int *version)
{
    int64_t v = 0;
    grantd_rc rc = sqlite__get(c, &user_version, NULL, NULL, &v);
    if (rc == GRANTD_OK)
        *version = (int)v;
    return rc == GRANTD_ENOTFOUND ? GRANTD_ESTORE : rc;
}

/* Sets user_version inside the step's transaction, and from GRANTD_SCHEMA_COMPAT_SINCE on
 * the meta rows that say which version the compatible-back-to number belongs to and the
 * number. A PRAGMA takes no parameters; the values are small integers from our own table,
 * formatted, never input. */
static grantd_rc set_version(struct sq_conn *c, int version, int compat)
{
    char sql[320];
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
    grantd_rc rc = sqlite__rc(c, sqlite3_exec(c->db, sql, NULL, NULL, NULL));
    if (rc != GRANTD_OK || version < GRANTD_SCHEMA_COMPAT_SINCE)
        return rc;
    snprintf(sql, sizeof(sql),
             "INSERT INTO meta (key, value) VALUES ('schema_version', %d), "
             "('schema_compat', %d) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
             version, compat);
    return sqlite__rc(c, sqlite3_exec(c->db, sql, NULL, NULL, NULL));
}

static int bind_compat_keys(sqlite3_stmt *st, const void *arg)
{
    int r = sqlite__bind_text(st, 1, "schema_version");
    return r != SQLITE_OK ? r : sqlite__bind_text(st, 2, "schema_compat");
}

static void compat_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    int *v = out;
    v[0] = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 0);
    v[1] = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 1);
}

static const struct sq_query compat_rows = {
    SQ_SCHEMA_COMPAT,
    "SELECT (SELECT value FROM meta WHERE key = ?1), (SELECT value FROM meta WHERE key = ?2)",
    bind_compat_keys, compat_row, 0};

grantd_rc sqlite__schema_state(struct sq_conn *c, int *version, int *compat)
{
    grantd_rc rc = sqlite__schema_version(c, version);
    *compat = *version;
    if (rc != GRANTD_OK || *version <= NEWEST) /* the number decides nothing then */
        return rc;
    int v[2] = {-1, -1};
    rc = sqlite__get(c, &compat_rows, NULL, NULL, v);
    if (rc == GRANTD_OK && v[0] == *version && v[1] >= 0)
        *compat = v[1]; /* else: a number left by another version counts for nothing */
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

/* One step under the write lock: re-reads the version (another process may have migrated
 * meanwhile) and applies the step that version needs to get closer to target, if any; what
 * it seeds is stamped with now. *version gets the result. */
static grantd_rc apply_next(struct sq_conn *c, int target, int64_t now, int *version)
{
    grantd_rc rc = sqlite__begin(c, 1);
    if (rc != GRANTD_OK)
        return rc;
    int cur = 0;
    rc = sqlite__schema_version(c, &cur); /* newer than NEWEST: the caller decides */
    if (rc == GRANTD_OK && cur < target) {
        const struct step *s = &steps[cur];
        if (s->prepare)
            rc = s->prepare(c, now);
        if (rc == GRANTD_OK)
            rc = sqlite__rc(c, sqlite3_exec(c->db, s->ddl, NULL, NULL, NULL));
        if (rc == GRANTD_OK && s->seed)
            rc = s->seed(c, now);
        if (rc == GRANTD_OK)
            rc = set_version(c, cur + 1, s->compat);
    }
    rc = sqlite__end(c, rc);
    if (rc == GRANTD_OK)
        rc = sqlite__schema_version(c, version);
    return rc;
}

/* A database newer than this grantd: GRANTD_OK when it may run on it (*to = the version),
 * else GRANTD_ESCHEMA with *to = the compatible-back-to number (the version it needs). */
static grantd_rc newer(struct sq_conn *c, int *to)
{
    int version = 0, compat = 0;
    grantd_rc rc = sqlite__schema_state(c, &version, &compat);
    if (rc != GRANTD_OK)
        return rc;
    int usable = grantd_schema_usable(NEWEST, version, compat);
    *to = usable ? version : compat;
    return usable ? GRANTD_OK : GRANTD_ESCHEMA;
}

grantd_rc sqlite__schema_migrate_to(struct sq_conn *c, int target, int64_t now, int *from,
                                   int *to)
{
    if (target < 0 || target > NEWEST)
        return GRANTD_EINVAL;
    int version = 0;
    grantd_rc rc = sqlite__schema_version(c, &version);
    if (rc != GRANTD_OK)
        return rc;
    *from = version;
    *to = version;
    while (rc == GRANTD_OK && version < target)
        rc = apply_next(c, target, now, &version);
    if (rc == GRANTD_OK && version > NEWEST) /* never migrated by this grantd */
        return newer(c, to);
    if (rc == GRANTD_OK)
        *to = version;
    return rc;
}

grantd_rc sqlite__schema_migrate(struct sq_conn *c, int64_t now, int *from, int *to)
{
    return sqlite__schema_migrate_to(c, NEWEST, now, from, to);
}
