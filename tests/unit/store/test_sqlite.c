/* What the SQLite driver promises beyond the conformance suite (tests/store/): file mode
 * 0600, WAL, open errors that name the path, busy → GRANTD_EBUSY, connections of exited
 * threads reused, private in-memory stores, hashes stored as 32-byte blobs, lookups served
 * by primary keys, the group-commit writer (jobs queued behind a running batch commit
 * together, a failing job fails alone, a lost batch is re-run job by job), the background
 * checkpoint, and purge forgetting old revoked families only after copying their revocation
 * onto their tokens, and backup's copy (one snapshot, never waiting for a writer).
 * Looks inside the driver (sqlite_int.h) and at the database with libsqlite3 directly; the
 * schema and its migrations are test_sqlite_schema.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_fixture.h"

static void test_file_mode_and_wal(void **state)
{
    struct fx *f = *state;
    mode_t old = umask(022);
    struct grantd_store *s = open_migrated(f->url);
    umask(old);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char wal[700];
    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    assert_int_equal(stat(wal, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    sqlite3_close(db);
    grantd_store_close(s);
}

static void test_open_errors_name_the_path(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = NULL;
    char err[512] = "";
    char url[800];
    snprintf(url, sizeof(url), "sqlite:%s/no/such/dir/x.db", f->dir);
    assert_int_not_equal(grantd_store_open(url, &s, err, sizeof(err)), GRANTD_OK);
    assert_non_null(strstr(err, "/no/such/dir/x.db"));
    assert_non_null(strstr(err, "/no/such/dir does not exist")); /* the folder, in words */

    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database. ", fp);
    fclose(fp);
    err[0] = '\0';
    assert_int_equal(grantd_store_open(f->url, &s, err, sizeof(err)), GRANTD_ESTORE);
    assert_non_null(strstr(err, f->path));
    assert_non_null(strstr(err, "not a database"));

    assert_int_equal(grantd_store_open("sqlite:", &s, err, sizeof(err)), GRANTD_EINVAL);
}

static void test_busy(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    struct grantd_client c = {.created_at = T0, .tokens_after = T0 * 1000000, .tenant = 1,
                              .id = "c1", .name = "n", .is_public = 1};
    assert_int_equal(grantd_store_client_put(s, &c), GRANTD_OK);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    /* readers go on in WAL mode; a writer waits out the busy timeout, then EBUSY */
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(s, a, 1, "c1", &got), GRANTD_OK);
    assert_int_equal(grantd_store_client_set_disabled(s, 1, "c1", 1, T0 * 1000000), GRANTD_EBUSY);
    struct grantd_client c2 = {.created_at = T0, .tokens_after = T0 * 1000000, .tenant = 1,
                               .id = "c2", .name = "n", .is_public = 1};
    assert_int_equal(grantd_store_client_put(s, &c2), GRANTD_EBUSY);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(grantd_store_client_put(s, &c2), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(s, a, 1, "c1", &got), GRANTD_OK);
    assert_false(got.disabled);
    grantd_arena_free(a);
    grantd_store_close(s);
}

static void *ping_thread(void *p)
{
    struct grantd_store *s = p;
    return (void *)(intptr_t)grantd_store_ping(s);
}

static void test_exited_threads_connections_reused(void **state)
{
    (void)state;
    struct grantd_store *s = open_migrated("sqlite::memory:");
    for (int i = 0; i < 20; i++) {
        pthread_t t;
        void *rc;
        assert_int_equal(pthread_create(&t, NULL, ping_thread, s), 0);
        pthread_join(t, &rc);
        assert_int_equal((intptr_t)rc, GRANTD_OK);
    }
    size_t n = 0;
    for (struct sq_conn *c = ((struct sq_store *)s)->conns; c; c = c->next)
        n++;
    assert_true(n <= 2); /* this thread's and one passed from thread to thread */
    grantd_store_close(s);
}

static void test_memory_stores_are_private(void **state)
{
    (void)state;
    struct grantd_store *s1 = open_migrated("sqlite::memory:");
    struct grantd_store *s2 = open_migrated("sqlite::memory:");
    struct grantd_client c = {.created_at = T0, .tokens_after = T0 * 1000000, .tenant = 1,
                              .id = "only-in-s1", .name = "n", .is_public = 1};
    assert_int_equal(grantd_store_client_put(s1, &c), GRANTD_OK);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(s1, a, 1, c.id, &got), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(s2, a, 1, c.id, &got), GRANTD_ENOTFOUND);
    grantd_arena_free(a);
    grantd_store_close(s1);
    grantd_store_close(s2);
}

/* ---- schema version 2 ------------------------------------------------------------------- */

static void test_flow_tables_layout(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    struct grantd_session sess = {
        .created_at = T0, .tenant = 1, .id_hash = {1, 2, 3}, .expires_at = 2000000000};
    struct grantd_code k = {.created_at = T0, .tenant = 1, .hash = {4, 5}, .client_id = "c",
                            .user_id = "u", .family = "fam", .expires_at = 2000000000};
    struct grantd_token t = {.created_at = T0, .tenant = 1, .hash = {6},
                             .kind = GRANTD_TOKEN_ACCESS, .client_id = "c", .family = "fam"};
    assert_int_equal(grantd_store_session_put(s, &sess), GRANTD_OK);
    assert_int_equal(grantd_store_code_put(s, &k), GRANTD_OK);
    assert_int_equal(grantd_store_token_put(s, &t, 1), GRANTD_OK);
    grantd_store_close(s);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    static const char *const blobs[] = {
        "SELECT count(*) FROM sessions WHERE typeof(id_hash) = 'blob' AND length(id_hash) = 32",
        "SELECT count(*) FROM codes WHERE typeof(hash) = 'blob' AND length(hash) = 32",
        "SELECT count(*) FROM tokens WHERE typeof(hash) = 'blob' AND length(hash) = 32",
    };
    for (size_t i = 0; i < sizeof(blobs) / sizeof(blobs[0]); i++)
        assert_int_equal(raw_int(db, blobs[i]), 1);
    /* a hash of another length is refused by the table itself */
    assert_int_not_equal(sqlite3_exec(db, "INSERT INTO tokens (tenant_id, hash, kind, client_id,"
                                          " family, created_at) VALUES (1, x'00', 1, 'c', 'f', 0)",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    static const char *const fk[] = {"sessions", "consents", "codes", "tokens"};
    for (size_t i = 0; i < sizeof(fk) / sizeof(fk[0]); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM pragma_foreign_key_list('%s') WHERE \"table\" = 'tenants'",
                 fk[i]);
        assert_int_equal(raw_int(db, sql), 1);
    }
    sqlite3_close(db);
}

/* The query plan of the statement id as the driver prepared it (it must have run already,
 * on this thread's connection or on the writer's) mentions want. */
static void assert_plan(struct grantd_store *s, enum sq_stmt_id id, const char *want)
{
    struct sq_conn *c = ((struct sq_store *)s)->writer.conn;
    if (!c || !c->stmts[id])
        assert_int_equal(sqlite__conn(s, &c), GRANTD_OK);
    if (!c->stmts[id])
        print_error("statement %d was not prepared\n", (int)id);
    assert_non_null(c->stmts[id]);
    char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(c->stmts[id]));
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(c->db, eqp, -1, &q, NULL), SQLITE_OK);
    char plan[512] = "";
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t len = strlen(plan);
        snprintf(plan + len, sizeof(plan) - len, "%s; ", (const char *)sqlite3_column_text(q, 3));
    }
    sqlite3_finalize(q);
    sqlite3_free(eqp);
    if (!strstr(plan, want))
        print_error("statement %d: plan '%s' lacks '%s'\n", (int)id, plan, want);
    assert_non_null(strstr(plan, want));
}

/* Every hash lookup is one primary-key search, the family checks too; purge walks keys in
 * primary-key order. */
static void test_flow_query_plans(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_session sess = {
        .created_at = T0, .tenant = 1, .id_hash = {1}, .expires_at = 2000000000};
    struct grantd_code k = {.created_at = T0, .tenant = 1, .hash = {2}, .client_id = "c",
                            .user_id = "u", .family = "fam"};
    struct grantd_token t[2] = {{.created_at = T0, .tenant = 1, .hash = {3},
                                 .kind = GRANTD_TOKEN_REFRESH, .client_id = "c", .family = "fam"},
                                {.created_at = T0, .tenant = 1, .hash = {4},
                                 .kind = GRANTD_TOKEN_REFRESH, .client_id = "c", .family = "fam"}};
    struct grantd_session sg;
    struct grantd_code kg;
    struct grantd_token tg;
    size_t n;
    assert_int_equal(grantd_store_session_put(s, &sess), GRANTD_OK);
    assert_int_equal(grantd_store_session_get(s, a, 1, sess.id_hash, 0, &sg), GRANTD_OK);
    assert_int_equal(grantd_store_code_put(s, &k), GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(s, a, 1, k.hash, T0, &kg), GRANTD_OK);
    assert_int_equal(grantd_store_token_put(s, &t[0], 1), GRANTD_OK);
    assert_int_equal(grantd_store_token_get(s, a, 1, t[0].hash, &tg), GRANTD_OK);
    assert_int_equal(grantd_store_refresh_rotate(s, 1, t[0].hash, 5, 0, NULL, 0, &t[1], 1),
                     GRANTD_OK);
    assert_int_equal(grantd_store_refresh_rotate(s, 1, t[0].hash, 5, 0, NULL, 0, &t[1], 1),
                     GRANTD_ECONFLICT);
    assert_int_equal(grantd_store_token_revoke(s, 1, t[1].hash, 1000), GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(s, a, 1, k.hash, T0, &kg), GRANTD_EREPLAYED);
    struct grantd_token expired = {.created_at = T0, .tenant = 1, .hash = {5},
                                   .kind = GRANTD_TOKEN_ACCESS, .client_id = "c", .family = "other",
                                   .expires_at = 5};
    assert_int_equal(grantd_store_token_put(s, &expired, 1), GRANTD_OK);
    assert_int_equal(grantd_store_purge_expired(s, 10, T0, &n), GRANTD_OK);
    assert_int_equal(n, 1);
    /* a family revoked two days before the purge's now: this pass sweeps (sqlite_purge.c) */
    assert_int_equal(grantd_store_token_revoke_family(s, 1, "swept", T0 - 2 * 86400), GRANTD_OK);
    assert_int_equal(grantd_store_purge_expired(s, 10, T0, &n), GRANTD_OK);
    assert_plan(s, SQ_SESSION_GET, "PRIMARY KEY (tenant_id=? AND id_hash=?)");
    assert_plan(s, SQ_CODE_GET, "PRIMARY KEY (tenant_id=? AND hash=?)");
    assert_plan(s, SQ_CODE_USE, "PRIMARY KEY (tenant_id=? AND hash=?)");
    assert_plan(s, SQ_TOKEN_GET, "PRIMARY KEY (tenant_id=? AND hash=?)");
    assert_plan(s, SQ_TOKEN_GET, "SEARCH r USING PRIMARY KEY (tenant_id=? AND family=?)");
    assert_plan(s, SQ_TOKEN_ROTATE, "PRIMARY KEY (tenant_id=? AND hash=?)");
    assert_plan(s, SQ_TOKEN_ROTATE, "SEARCH r USING PRIMARY KEY (tenant_id=? AND family=?)");
    assert_plan(s, SQ_TOKEN_LIVE, "PRIMARY KEY (tenant_id=? AND hash=?)");
    assert_plan(s, SQ_TOKEN_REVOKE, "PRIMARY KEY (tenant_id=? AND hash=?)");
    assert_plan(s, SQ_FAMILY_REVOKED, "PRIMARY KEY (tenant_id=? AND family=?)");
    assert_plan(s, SQ_PURGE_TOKENS_EXPIRED,
                "INDEX tokens_by_expiry (expires_at>? AND expires_at<?)");
    assert_plan(s, SQ_PURGE_TOKENS_SCAN, "PRIMARY KEY ((tenant_id,hash)>(?,?))");
    assert_plan(s, SQ_PURGE_CODES_SCAN, "PRIMARY KEY ((tenant_id,hash)>(?,?))");
    assert_plan(s, SQ_PURGE_SESSIONS_SCAN, "PRIMARY KEY ((tenant_id,id_hash)>(?,?))");
    assert_plan(s, SQ_PURGE_TOKEN_DELETE, "PRIMARY KEY (tenant_id=? AND hash=?)");
    /* the revocation_family trigger's lookup of the family's access tokens (schema v19) */
    struct sq_conn *c = ((struct sq_store *)s)->writer.conn;
    assert_non_null(c);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(c->db,
                                        "EXPLAIN QUERY PLAN SELECT hash FROM tokens "
                                        "WHERE tenant_id = 1 AND family = 'f' AND kind = 1 "
                                        "AND revoked = 0 AND expires_at > 5 ORDER BY hash",
                                        -1, &q, NULL),
                     SQLITE_OK);
    char plan[512] = "";
    while (sqlite3_step(q) == SQLITE_ROW) {
        size_t len = strlen(plan);
        snprintf(plan + len, sizeof(plan) - len, "%s; ", (const char *)sqlite3_column_text(q, 3));
    }
    sqlite3_finalize(q);
    if (!strstr(plan, "INDEX tokens_access_by_family (family=? AND tenant_id=?)"))
        print_error("revocation_family's lookup: plan '%s'\n", plan);
    assert_non_null(strstr(plan, "INDEX tokens_access_by_family (family=? AND tenant_id=?)"));
    grantd_arena_free(a);
    grantd_store_close(s);
}

/* ---- the writer ------------------------------------------------------------------------- */

struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int entered, open;
};

/* A write job that holds the writer until the gate opens. */
static grantd_rc gate_job(struct sq_conn *c, void *arg)
{
    struct gate *g = arg;
    pthread_mutex_lock(&g->mu);
    g->entered = 1;
    pthread_cond_broadcast(&g->cv);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    return GRANTD_OK;
}

/* A write job that throws its whole transaction away behind the writer's back. */
static grantd_rc rogue_job(struct sq_conn *c, void *arg)
{
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return GRANTD_OK;
}

struct gated {
    struct grantd_store *s;
    struct gate *gate;                 /* for the thread that holds the writer */
    struct grantd_token token;         /* else: token_put of this one */
    int rogue;                         /* else: rogue_job */
    grantd_rc rc;
};

static void *gated_thread(void *p)
{
    struct gated *g = p;
    if (g->gate)
        g->rc = sqlite__write(g->s, gate_job, g->gate);
    else if (g->rogue)
        g->rc = sqlite__write(g->s, rogue_job, NULL);
    else
        g->rc = grantd_store_token_put(g->s, &g->token, 1);
    return NULL;
}

static size_t queued(struct sq_writer *w)
{
    size_t n = 0;
    pthread_mutex_lock(&w->mu);
    for (struct sq_job *j = w->head; j; j = j->next)
        n++;
    pthread_mutex_unlock(&w->mu);
    return n;
}

#define GATED 9

/* Holds the writer with a gate job, queues GATED - 1 more writes behind it (the rogue one
 * when with_rogue), opens the gate and checks that they ran as one batch. */
static void gated_batch(struct fx *f, int with_rogue, struct gated *g)
{
    struct grantd_store *s = open_migrated(f->url);
    struct sq_writer *w = &((struct sq_store *)s)->writer;
    struct gate gate = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t tid[GATED];
    const char *family = "fam-ok";
    assert_int_equal(grantd_store_token_revoke_family(s, 1, "fam-revoked", T0), GRANTD_OK);
    for (int i = 0; i < GATED; i++) {
        g[i] = (struct gated){.s = s, .gate = i == 0 ? &gate : NULL, .rogue = with_rogue && i == 4};
        g[i].token = (struct grantd_token){.created_at = T0, .tenant = 1,
                                           .hash = {(unsigned char)i}, .kind = GRANTD_TOKEN_ACCESS,
                                           .client_id = "c",
                                           .family = i == 3 ? "fam-revoked" : family};
        if (i == 2)
            g[i].token.hash[0] = 1; /* the same hash as thread 1's: one of them gets EEXIST */
        assert_int_equal(pthread_create(&tid[i], NULL, gated_thread, &g[i]), 0);
        if (i == 0) {
            pthread_mutex_lock(&gate.mu);
            while (!gate.entered)
                pthread_cond_wait(&gate.cv, &gate.mu);
            pthread_mutex_unlock(&gate.mu);
        }
    }
    while (queued(w) < GATED - 1)
        usleep(1000);
    pthread_mutex_lock(&gate.mu);
    gate.open = 1;
    pthread_cond_broadcast(&gate.cv);
    pthread_mutex_unlock(&gate.mu);
    for (int i = 0; i < GATED; i++)
        pthread_join(tid[i], NULL);
    assert_int_equal(w->max_batch, GATED - 1);
    assert_int_equal(g[0].rc, GRANTD_OK);
    struct grantd_arena *a = grantd_arena_new(1024);
    for (int i = 1; i < GATED; i++) {
        struct grantd_token got;
        grantd_rc rc = grantd_store_token_get(s, a, 1, g[i].token.hash, &got);
        if (g[i].rogue)
            continue;
        if (i == 3) {
            assert_int_equal(g[i].rc, GRANTD_ECONFLICT);
            assert_int_equal(rc, GRANTD_ENOTFOUND);
        } else if (i != 1 && i != 2) {
            assert_int_equal(g[i].rc, GRANTD_OK);
            assert_int_equal(rc, GRANTD_OK);
        }
    }
    /* of the two with one hash exactly one went in */
    assert_true((g[1].rc == GRANTD_OK) + (g[2].rc == GRANTD_OK) == 1);
    assert_true(g[1].rc == GRANTD_EEXIST || g[2].rc == GRANTD_EEXIST);
    grantd_arena_free(a);
    grantd_store_close(s);
}

static void test_writes_queued_behind_a_batch_commit_together(void **state)
{
    struct gated g[GATED];
    gated_batch(*state, 0, g);
}

/* A job that loses the batch's transaction makes the writer run every job of the batch
 * again on its own: the others still commit, the rogue one alone fails. */
static void test_lost_batch_is_rerun_job_by_job(void **state)
{
    struct gated g[GATED];
    gated_batch(*state, 1, g);
    assert_int_equal(g[4].rc, GRANTD_ESTORE);
}

static int checkpoint_started(struct sq_writer *w)
{
    pthread_mutex_lock(&w->ck_mu);
    int started = w->ck_started;
    pthread_mutex_unlock(&w->ck_mu);
    return started;
}

/* Past the soft WAL limit the writer wakes the checkpoint thread, which copies the WAL into
 * the database while writes go on. */
static void test_background_checkpoint(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    struct sq_writer *w = &((struct sq_store *)s)->writer;
    struct grantd_token t[20];
    for (int i = 0; i < 5000 && !checkpoint_started(w); i++) {
        for (int j = 0; j < 20; j++) {
            t[j] = (struct grantd_token){.created_at = T0, .tenant = 1, .kind = GRANTD_TOKEN_ACCESS,
                                         .client_id = "c", .family = "fam"};
            assert_int_equal(grantd_random_bytes(t[j].hash, sizeof(t[j].hash)), GRANTD_OK);
        }
        assert_int_equal(grantd_store_token_put(s, t, 20), GRANTD_OK);
    }
    assert_true(checkpoint_started(w));
    /* the thread's checkpoint leaves nothing for a later one to copy */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    int log = -1, done = -2;
    for (int i = 0; i < 500 && log != done; i++) {
        usleep(10000);
        int r = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        if (r == SQLITE_BUSY) {
            /* the thread's checkpoint is still running (one runs at a time), and SQLite
             * may have set both counts to -1, which must not end the loop: ask again */
            log = -1;
            done = -2;
            continue;
        }
        assert_int_equal(r, SQLITE_OK);
    }
    assert_int_equal(log, done);
    sqlite3_close(db);
    grantd_store_close(s);
}

/* ---- purge and revoked families ---------------------------------------------------------- */

/* A revoked family is forgotten only once it is a day old and no code of it is left; its
 * surviving tokens keep their revocation (purge copied it onto them). */
static void test_purge_forgets_old_revoked_families(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    struct grantd_token t = {.created_at = T0, .tenant = 1, .hash = {1},
                             .kind = GRANTD_TOKEN_REFRESH, .client_id = "c", .family = "old"};
    struct grantd_code k = {.created_at = T0, .tenant = 1, .hash = {2}, .client_id = "c",
                            .user_id = "u", .family = "old-with-code", .expires_at = 4000000000};
    assert_int_equal(grantd_store_token_put(s, &t, 1), GRANTD_OK);
    assert_int_equal(grantd_store_code_put(s, &k), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(s, 1, "old", T0), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(s, 1, "old-with-code", T0), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(s, 1, "recent", T0), GRANTD_OK);
    raw_exec(f->path, "UPDATE revoked_families SET revoked_at = revoked_at - 2 * 86400 "
                      "WHERE family != 'recent'");
    size_t n = 9;
    assert_int_equal(grantd_store_purge_expired(s, 100, T0, &n), GRANTD_OK);
    assert_int_equal(n, 0);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM revoked_families WHERE family IN "
                                 "('recent', 'old-with-code')"),
                     2);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM revoked_families"), 2);
    assert_int_equal(raw_int(db, "SELECT revoked FROM tokens WHERE family = 'old'"), 1);
    sqlite3_close(db);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(s, a, 1, t.hash, &got), GRANTD_OK);
    assert_true(got.revoked);
    struct grantd_token u = {.created_at = T0, .tenant = 1, .hash = {3},
                             .kind = GRANTD_TOKEN_ACCESS, .client_id = "c",
                             .family = "old-with-code"};
    assert_int_equal(grantd_store_token_put(s, &u, 1), GRANTD_ECONFLICT);
    grantd_arena_free(a);
    grantd_store_close(s);
}

/* ---- the audit trail ------------------------------------------------------------------- */

/* "The events of one client, newest first" (the console) and a tenant's page are each one
 * index range; the table refuses UPDATE and DELETE whoever asks. */
static void test_audit_plans_and_append_only(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_audit e = {.tenant = 1, .at = T0, .actor_kind = "cli", .action = "client.create",
                             .target_kind = "client", .target_id = "c"};
    struct grantd_audit *list = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_audit_begin(s), GRANTD_OK);
    assert_int_equal(grantd_store_audit_end(s, &e, GRANTD_OK), GRANTD_OK);
    struct grantd_audit_query one = {.tenant = 1, .target_kind = "client", .target_id = "c",
                                     .newest_first = 1, .limit = 20};
    struct grantd_audit_query page = {.tenant = 1, .after = 0, .limit = 20};
    assert_int_equal(grantd_store_audit_list(s, a, &one, &list, &n), GRANTD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(grantd_store_audit_list(s, a, &page, &list, &n), GRANTD_OK);
    assert_plan(s, SQ_AUDIT_TARGET_DESC,
                "USING INDEX audit_target (tenant_id=? AND target_kind=? AND target_id=? AND "
                "seq<?)");
    assert_plan(s, SQ_AUDIT_TENANT, "USING INDEX audit_tenant (tenant_id=? AND seq>?)");
    grantd_store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET action = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM audit WHERE action = 'client.create'"),
                     1);
    sqlite3_close(db);
    grantd_arena_free(a);
}

/* A developer's console list is one range of the clients_by_owner index (schema 14). */
static void test_console_list_plan(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_client c = {.tenant = 1, .id = "mine", .name = "Mine", .owner = "dev",
                              .created_at = T0, .tokens_after = 1}, *list = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_client_put(s, &c), GRANTD_OK);
    assert_int_equal(grantd_store_client_list_owned(s, a, 1, "dev", &list, &n), GRANTD_OK);
    assert_int_equal(n, 1);
    assert_plan(s, SQ_CLIENT_LIST_OWNED, "USING INDEX clients_by_owner (tenant_id=? AND owner=?)");
    grantd_store_close(s);
    grantd_arena_free(a);
}

/* 1 when the database file at path has a table called name. */
static int has_table(const char *path, const char *name)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

/* backup (grantd backup) is one snapshot taken without waiting for a writer: with another
 * connection holding the write lock over an uncommitted change, it returns at once with the
 * committed state only; after the commit a second copy has the change. The copy opens as a
 * store of the same schema version; a target that is not empty is refused unchanged. */
static void test_backup_is_a_snapshot_beside_a_writer(void **state)
{
    struct fx *f = *state;
    struct grantd_store *s = open_migrated(f->url);
    char copy[700], copy2[700], err[512] = "";
    snprintf(copy, sizeof(copy), "%s/copy.db", f->dir);
    snprintf(copy2, sizeof(copy2), "%s/copy2.db", f->dir);

    sqlite3 *w = NULL;
    assert_int_equal(sqlite3_open(f->path, &w), SQLITE_OK);
    assert_int_equal(sqlite3_exec(w, "BEGIN IMMEDIATE; CREATE TABLE pending(x);", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    assert_int_equal(grantd_store_backup(s, copy, err, sizeof(err)), GRANTD_OK);
    assert_int_equal(sqlite3_exec(w, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(w);
    assert_int_equal(has_table(copy, "pending"), 0);
    assert_int_equal(has_table(copy, "clients"), 1);
    assert_int_equal(grantd_store_backup(s, copy2, err, sizeof(err)), GRANTD_OK);
    assert_int_equal(has_table(copy2, "pending"), 1);

    /* not over a file that holds something */
    err[0] = '\0';
    assert_int_equal(grantd_store_backup(s, copy, err, sizeof(err)), GRANTD_ESTORE);
    assert_non_null(strstr(err, copy));
    assert_int_equal(has_table(copy, "pending"), 0);
    grantd_store_close(s);

    char url[800];
    snprintf(url, sizeof(url), "sqlite:%s", copy);
    struct grantd_store *restored = open_ok(url);
    assert_int_equal(grantd_store_ping(restored), GRANTD_OK); /* migrated, this version */
    grantd_store_close(restored);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char p[800];
        snprintf(p, sizeof(p), "%s%s", copy, suffixes[i]);
        unlink(p);
        snprintf(p, sizeof(p), "%s%s", copy2, suffixes[i]);
        unlink(p);
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_file_mode_and_wal),
        T(test_open_errors_name_the_path),
        T(test_busy),
        cmocka_unit_test(test_exited_threads_connections_reused),
        cmocka_unit_test(test_memory_stores_are_private),
        T(test_flow_tables_layout),
        T(test_flow_query_plans),
        T(test_writes_queued_behind_a_batch_commit_together),
        T(test_lost_batch_is_rerun_job_by_job),
        T(test_background_checkpoint),
        T(test_purge_forgets_old_revoked_families),
        T(test_audit_plans_and_append_only),
        T(test_console_list_plan),
        T(test_backup_is_a_snapshot_beside_a_writer),
    };
    return cmocka_run_group_tests_name("sqlite driver", tests, NULL, NULL);
}
