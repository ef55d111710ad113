/* The SQLite driver's write path: one writer connection per store, group commit, and the
 * WAL checkpoint on a thread of its own.
 *
 * Why: with a connection per thread, every commit of one connection makes every other
 * connection of the process drop its page cache and re-read pages, every write transaction
 * takes and releases the WAL's locks (six fcntl system calls, ~1.3 us each on the
 * development VM), and two threads that write at once meet on SQLite's write lock and sleep
 * in its busy handler.
 *
 * Measured on the 2-core development VM (bench/run, wrk -t2 -c64, medians): client
 * credentials 11,300 req/s with per-thread write connections, 14,000 with this file;
 * code exchanges 4,100 before the version-3 schema and this file, 6,600 after. The server
 * answers 39,000 client-credentials requests/s when token_put stores nothing, and one thread
 * alone inserts at most ~27,000 single-token transactions/s here: a commit with a random
 * primary-key leaf costs ~30 us of system calls, page copies and checkpoint work. With the
 * server's two I/O threads each blocked on its own write, batches rarely hold more than one
 * job; they grow with the number of threads that write at once (1.8 jobs a batch with 16).
 *
 * How: every write operation is a function (sq_write_fn) handed to
 * sqlite__write (the caller waits) or sqlite__write_async (a callback), which
 * queue it. A thread that finds no batch running becomes the leader: it takes every queued
 * job (up to BATCH_MAX) and runs them on the writer connection in ONE transaction (see
 * run_batch: first straight, and if a job fails, again with each job inside its own
 * SAVEPOINT, so a failing job fails alone and the others commit), commits, marks the jobs
 * done and wakes their threads (or calls their callbacks); the next waiting thread leads the
 * next batch. An uncontended synchronous write runs on the caller's own thread, and threads
 * that arrive while a batch commits share the next commit. Asynchronous jobs have nobody
 * waiting to lead them: the writer thread (writer_thread) does, and since it is busy
 * committing while requests keep arriving, their jobs pile up into large batches (~15 jobs
 * a batch under wrk -c64). A job completes only after the transaction holding it committed.
 * A batch of one job runs without a savepoint.
 *
 * If the batch transaction is lost as a whole (a statement error that made SQLite roll back
 * the transaction, or a failed COMMIT), nothing of it was written, so each of its jobs is
 * run again in a transaction of its own: a job's outcome never depends on its batchmates.
 * Jobs must not rely on data they read in a previous job of the same batch being committed
 * (they cannot tell), and their functions must not call sqlite__write themselves.
 *
 * Checkpoints: SQLite's automatic checkpoint runs inside the commit that crosses 1000 WAL
 * pages, copying them into the database and syncing both files (two fdatasync, ~0.3 ms each
 * here, far more on a loaded disk) while every writer waits. The writer connection replaces
 * it with a WAL hook (wal_hook below): past CKPT_SOFT pages it wakes a checkpoint thread,
 * which copies the WAL into the database with a PASSIVE checkpoint on a connection of its
 * own, never blocking writers. Under steady writes such a checkpoint never quite catches up
 * (frames keep arriving while it copies), and the WAL only starts over from its beginning
 * once a checkpoint has copied every frame, so once the thread is done and at most
 * CKPT_CATCHUP frames are left, the committing leader copies those itself, after which its
 * next transaction restarts the WAL. Past CKPT_HARD pages (the thread cannot keep up) the
 * leader checkpoints inline, as SQLite would. Other processes (the CLI) keep SQLite's
 * default automatic checkpoint. Locking stays NORMAL throughout, so other processes can read
 * and write the database meanwhile: a batch takes the write lock with BEGIN IMMEDIATE and
 * waits in the busy handler like any writer.
 *
 * Units (sqlite__unit_begin/_end, below sqlite__write): one thread's several writes and an
 * audit entry in one transaction, with that thread as the leader meanwhile.
 *
 * Not here: what the jobs do (the record files), read connections (sqlite.c). */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/metrics.h"
#include "core/mem.h"

#include <jansson.h>

#define BATCH_MAX 64
#define CKPT_SOFT 8000       /* WAL pages (4 KiB each) before the checkpoint thread runs */
#define CKPT_CATCHUP 500     /* frames the leader copies itself so that the WAL can restart */
#define CKPT_HARD 64000      /* WAL pages before the leader checkpoints whatever the thread does */
#define WRITER_CACHE "-1024" /* KiB of page cache for the writer connection: inserts append
                               * (ordered keys), so the rightmost path is what stays hot */
#define ERR_LEN 256

void sqlite__writer_init(struct sq_writer *w)
{
    memset(w, 0, sizeof(*w));
    w->ck_done = -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_mutex_init(&w->ck_mu, NULL);
    pthread_cond_init(&w->ck_cv, NULL);
}

void sqlite__writer_close(struct sq_writer *w)
{
    pthread_mutex_lock(&w->mu);
    int thread = w->thread_started;
    w->thread_stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (thread)
        pthread_join(w->thread, NULL); /* after it ran every queued job */
    if (w->batches)
        grantd_log(GRANTD_LOG_INFO, "store_writer_stats", "{s:s,s:I,s:I,s:I}", "driver",
                   "sqlite", "batches", (json_int_t)w->batches, "jobs", (json_int_t)w->jobs,
                   "max_batch", (json_int_t)w->max_batch);
    pthread_mutex_lock(&w->ck_mu);
    int started = w->ck_started;
    w->ck_stop = 1;
    pthread_cond_signal(&w->ck_cv);
    pthread_mutex_unlock(&w->ck_mu);
    if (started)
        pthread_join(w->ck_thread, NULL);
    sqlite__conn_free(w->ck_conn);
    sqlite__conn_free(w->conn);
    w->ck_conn = w->conn = NULL;
    pthread_cond_destroy(&w->ck_cv);
    pthread_mutex_destroy(&w->ck_mu);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
}

/* ---- checkpoints ---------------------------------------------------------------------- */

/* A PASSIVE checkpoint on c; the number of frames it left copied, or -1. */
static int checkpoint(struct sq_conn *c, const char *why)
{
    int log = 0, done = 0;
    int r = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (r == SQLITE_OK)
        return done;
    if ((r & 0xff) != SQLITE_BUSY)
        grantd_log(GRANTD_LOG_WARN, "store_checkpoint_failed", "{s:s,s:s,s:s}", "driver",
                   "sqlite", "by", why, "message", sqlite3_errmsg(c->db));
    return -1;
}

static void *checkpoint_thread(void *arg)
{
    struct sq_store *st = arg;
    struct sq_writer *w = &st->writer;
    pthread_mutex_lock(&w->ck_mu);
    for (;;) {
        while (!w->ck_wanted && !w->ck_stop)
            pthread_cond_wait(&w->ck_cv, &w->ck_mu);
        if (w->ck_stop)
            break;
        w->ck_wanted = 0;
        w->ck_running = 1;
        pthread_mutex_unlock(&w->ck_mu);
        char err[ERR_LEN];
        int done = -1;
        if (!w->ck_conn && sqlite__conn_open(st, &w->ck_conn, err, sizeof(err)) != GRANTD_OK)
            grantd_log(GRANTD_LOG_WARN, "store_checkpoint_failed", "{s:s,s:s}", "driver",
                       "sqlite", "message", err);
        if (w->ck_conn)
            done = checkpoint(w->ck_conn, "thread");
        pthread_mutex_lock(&w->ck_mu);
        w->ck_running = 0;
        w->ck_done = done;
        w->ck_thread_runs++;
    }
    pthread_mutex_unlock(&w->ck_mu);
    return NULL;
}

/* What the leader does about a WAL of `pages` frames after its commit (see the top of this
 * file): 1 = checkpoint inline now, 0 = nothing (the thread was woken if needed). */
static int checkpoint_plan(struct sq_store *st, int pages)
{
    struct sq_writer *w = &st->writer;
    int inline_now = 0;
    pthread_mutex_lock(&w->ck_mu);
    if (pages >= CKPT_HARD) {
        inline_now = 1;
    } else if (!w->ck_running && w->ck_done >= 0 && w->ck_done <= pages &&
               pages - w->ck_done <= CKPT_CATCHUP) {
        inline_now = 1; /* the thread's copy is nearly complete: finish it */
    } else if (!w->ck_running && !w->ck_stop) {
        if (!w->ck_started)
            w->ck_started = pthread_create(&w->ck_thread, NULL, checkpoint_thread, st) == 0;
        w->ck_wanted = 1;
        pthread_cond_signal(&w->ck_cv);
        inline_now = !w->ck_started;
    }
    if (inline_now) {
        w->ck_done = -1; /* the WAL restarts after this: the thread's count is stale */
        w->ck_inline_runs++;
    }
    pthread_mutex_unlock(&w->ck_mu);
    return inline_now;
}

/* Called by SQLite after each commit of the writer connection (on the leader's thread) with
 * the number of frames in the WAL. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct sq_store *st = arg;
    if (pages >= CKPT_SOFT && checkpoint_plan(st, pages))
        (void)checkpoint(st->writer.conn, "writer");
    return SQLITE_OK;
}

/* The writer connection, opened on first use (only the leader calls this). */
static grantd_rc writer_conn(struct sq_store *st, struct sq_conn **out)
{
    struct sq_writer *w = &st->writer;
    if (w->conn) {
        *out = w->conn;
        return GRANTD_OK;
    }
    char err[ERR_LEN];
    grantd_rc rc = sqlite__conn_open(st, &w->conn, err, sizeof(err));
    if (rc != GRANTD_OK) {
        grantd_log(GRANTD_LOG_ERROR, "store_error", "{s:s,s:s}", "driver", "sqlite", "message",
                   err);
        return rc;
    }
    /* a larger cache: this connection's pages stay valid between its own commits */
    if (sqlite3_exec(w->conn->db, "PRAGMA cache_size = " WRITER_CACHE, NULL, NULL, NULL) !=
        SQLITE_OK)
        grantd_log(GRANTD_LOG_WARN, "store_pragma_failed", "{s:s,s:s}", "driver", "sqlite",
                   "message", sqlite3_errmsg(w->conn->db));
    sqlite3_wal_hook(w->conn->db, wal_hook, st);
    *out = w->conn;
    return GRANTD_OK;
}

/* ---- batches -------------------------------------------------------------------------- */

/* One job in a transaction of its own. */
static grantd_rc run_alone(struct sq_conn *c, struct sq_job *j)
{
    grantd_rc rc = sqlite__begin(c, 1);
    if (rc != GRANTD_OK)
        return rc;
    return sqlite__end(c, j->fn(c, j->arg));
}

static const struct sq_query savepoint = {SQ_SAVEPOINT, "SAVEPOINT job", NULL, NULL, 0};
static const struct sq_query rollback_to = {SQ_ROLLBACK_TO, "ROLLBACK TO job", NULL, NULL, 0};
static const struct sq_query release = {SQ_RELEASE, "RELEASE job", NULL, NULL, 0};

/* One job inside the open batch transaction, in a savepoint. Returns 0 when the batch
 * transaction is still usable afterwards, -1 when it is lost. */
static int run_in_batch(struct sq_conn *c, struct sq_job *j)
{
    if (sqlite__run(c, &savepoint, NULL) != GRANTD_OK)
        return -1;
    j->rc = j->fn(c, j->arg);
    if (sqlite3_get_autocommit(c->db))
        return -1; /* SQLite rolled the whole transaction back */
    if (j->rc != GRANTD_OK && sqlite__run(c, &rollback_to, NULL) != GRANTD_OK)
        return -1;
    return sqlite__run(c, &release, NULL) == GRANTD_OK ? 0 : -1;
}

/* The optimistic pass: every job straight in one transaction, no savepoints. Returns 1 when
 * all of them succeeded and the transaction committed; 0 when one failed (or the
 * transaction was lost): then nothing of the batch was written and the caller runs the
 * careful pass. */
static int run_straight(struct sq_conn *c, struct sq_job *first, size_t n)
{
    if (sqlite__begin(c, 1) != GRANTD_OK)
        return 0;
    int ok = 1;
    struct sq_job *j = first;
    for (size_t i = 0; i < n && ok; i++, j = j->next) {
        j->rc = j->fn(c, j->arg);
        ok = j->rc == GRANTD_OK && !sqlite3_get_autocommit(c->db);
    }
    return sqlite__end(c, ok ? GRANTD_OK : GRANTD_ESTORE) == GRANTD_OK && ok;
}

/* Runs n > 0 jobs linked from first and sets each one's rc.
 *
 * Two passes. Most batches are token inserts that all succeed, so the first pass runs the
 * jobs one after the other in one transaction without savepoints (three statements fewer
 * per job on the one thread every write goes through). If any job fails, that pass is
 * rolled back whole and the careful pass runs: each job inside its own savepoint, so that a
 * failing job (a lost refresh race, a replayed code) fails alone and the others commit. */
static void run_batch(struct sq_store *st, struct sq_job *first, size_t n)
{
    struct sq_conn *c;
    grantd_rc rc = writer_conn(st, &c);
    if (rc == GRANTD_OK && n == 1) {
        first->rc = run_alone(c, first);
        return;
    }
    if (rc == GRANTD_OK && run_straight(c, first, n))
        return;
    if (rc == GRANTD_OK)
        rc = sqlite__begin(c, 1);
    if (rc != GRANTD_OK) {
        for (struct sq_job *j = first; n--; j = j->next)
            j->rc = rc; /* no transaction (busy past the timeout, or no connection) */
        return;
    }
    int lost = 0;
    struct sq_job *j = first;
    for (size_t i = 0; i < n && !lost; i++, j = j->next)
        lost = run_in_batch(c, j) != 0;
    /* COMMIT, or ROLLBACK what is left of a lost batch (end rolls back on failure too) */
    if (sqlite__end(c, lost ? GRANTD_ESTORE : GRANTD_OK) == GRANTD_OK)
        return;
    grantd_log(GRANTD_LOG_WARN, "store_batch_retried", "{s:s,s:i}", "driver", "sqlite", "jobs",
               (int)n);
    j = first;
    for (size_t i = 0; i < n; i++, j = j->next)
        j->rc = run_alone(c, j);
}

/* Detaches up to BATCH_MAX jobs from the head of the queue; *n gets their number. */
static struct sq_job *take_batch(struct sq_writer *w, size_t *n)
{
    struct sq_job *first = w->head, *last = first;
    size_t k = 1;
    while (k < BATCH_MAX && last->next) {
        last = last->next;
        k++;
    }
    w->head = last->next;
    if (!w->head)
        w->tail = NULL;
    *n = k;
    return first;
}

/* Runs the queue's first batch as the leader (called and returning with w->mu held). */
static void lead(struct sq_store *st)
{
    struct sq_writer *w = &st->writer;
    w->leading = 1;
    size_t n;
    struct sq_job *batch = take_batch(w, &n);
    pthread_mutex_unlock(&w->mu);
    run_batch(st, batch, n);
    /* asynchronous jobs are ours: their callbacks run once the mutex is released */
    struct sq_job *async = NULL, **async_tail = &async;
    pthread_mutex_lock(&w->mu);
    /* a waiting job's owner returns (and its job vanishes) once it sees done after we
     * release the mutex: nothing here touches such a job after marking it */
    for (size_t i = 0; i < n; i++) {
        struct sq_job *next = batch->next;
        if (batch->on_done) {
            batch->next = NULL;
            *async_tail = batch;
            async_tail = &batch->next;
        } else {
            batch->done = 1;
        }
        batch = next;
    }
    w->batches++;
    w->jobs += n;
    grantd_metrics_writer_batch("sqlite", n);
    if (n > w->max_batch)
        w->max_batch = n;
    w->leading = 0;
    if (w->sleepers)
        pthread_cond_broadcast(&w->cv);
    if (!async)
        return;
    pthread_mutex_unlock(&w->mu);
    while (async) {
        struct sq_job *next = async->next;
        async->on_done(async->done_arg, async->rc);
        free(async);
        async = next;
    }
    pthread_mutex_lock(&w->mu);
}

static void enqueue(struct sq_writer *w, struct sq_job *job)
{
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
}

/* ---- units: the writes of one thread in one transaction ---------------------------------
 *
 * A unit (sqlite__unit_begin ... sqlite__unit_end: the driver's audit_begin and audit_end)
 * makes the calling thread the leader for its whole length and opens a write transaction on
 * the writer connection; every sqlite__write of that thread meanwhile runs its job at once
 * inside it, in a savepoint of its own, so a failed job leaves nothing and its caller sees
 * its result as ever. Other threads' jobs queue until the unit ends, as behind a batch. */

static _Thread_local struct {
    struct sq_store *st;  /* the store whose unit this thread runs, or NULL */
    struct sq_conn *c;    /* its writer connection */
    grantd_rc lost;       /* GRANTD_ESTORE once SQLite rolled the transaction back */
} unit;

static const struct sq_query unit_savepoint = {SQ_UNIT_SAVEPOINT, "SAVEPOINT unit_job", NULL,
                                               NULL, 0};
static const struct sq_query unit_rollback_to = {SQ_UNIT_ROLLBACK_TO, "ROLLBACK TO unit_job",
                                                 NULL, NULL, 0};
static const struct sq_query unit_release = {SQ_UNIT_RELEASE, "RELEASE unit_job", NULL, NULL,
                                             0};

/* One job of the thread's unit, in a savepoint. */
static grantd_rc unit_run(sq_write_fn fn, void *arg)
{
    struct sq_conn *c = unit.c;
    grantd_rc rc = unit.lost;
    if (rc == GRANTD_OK)
        rc = sqlite__run(c, &unit_savepoint, NULL);
    if (rc != GRANTD_OK)
        return rc;
    rc = fn(c, arg);
    if (sqlite3_get_autocommit(c->db)) {
        unit.lost = GRANTD_ESTORE;
        return rc == GRANTD_OK ? GRANTD_ESTORE : rc;
    }
    if (rc != GRANTD_OK && sqlite__run(c, &unit_rollback_to, NULL) != GRANTD_OK)
        unit.lost = GRANTD_ESTORE;
    if (sqlite__run(c, &unit_release, NULL) != GRANTD_OK)
        unit.lost = GRANTD_ESTORE;
    return rc;
}

/* Gives the leader's place back and wakes whoever waits for it. */
static void unit_release_lead(struct sq_writer *w)
{
    pthread_mutex_lock(&w->mu);
    w->leading = 0;
    if (w->sleepers)
        pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

grantd_rc sqlite__unit_begin(struct grantd_store *s)
{
    struct sq_store *st = (struct sq_store *)s;
    struct sq_writer *w = &st->writer;
    if (unit.st)
        return GRANTD_EINVAL; /* units do not nest */
    pthread_mutex_lock(&w->mu);
    while (w->leading) {
        w->sleepers++;
        pthread_cond_wait(&w->cv, &w->mu);
        w->sleepers--;
    }
    w->leading = 1;
    pthread_mutex_unlock(&w->mu);
    struct sq_conn *c;
    grantd_rc rc = writer_conn(st, &c);
    if (rc == GRANTD_OK)
        rc = sqlite__begin(c, 1);
    if (rc != GRANTD_OK) {
        unit_release_lead(w);
        return rc;
    }
    unit.st = st;
    unit.c = c;
    unit.lost = GRANTD_OK;
    return GRANTD_OK;
}

grantd_rc sqlite__unit_end(struct grantd_store *s, sq_write_fn last, void *arg, grantd_rc rc)
{
    struct sq_store *st = (struct sq_store *)s;
    if (unit.st != st)
        return GRANTD_EINVAL;
    struct sq_conn *c = unit.c;
    if (rc == GRANTD_OK)
        rc = unit.lost;
    if (rc == GRANTD_OK && last)
        rc = last(c, arg);
    rc = sqlite__end(c, rc);
    unit.st = NULL;
    unit.c = NULL;
    unit_release_lead(&st->writer);
    return rc;
}

grantd_rc sqlite__write(struct grantd_store *s, sq_write_fn fn, void *arg)
{
    struct sq_store *st = (struct sq_store *)s;
    struct sq_writer *w = &st->writer;
    if (unit.st == st)
        return unit_run(fn, arg);
    struct sq_job job = {.fn = fn, .arg = arg, .rc = GRANTD_ESTORE};
    pthread_mutex_lock(&w->mu);
    enqueue(w, &job);
    while (!job.done) {
        if (!w->leading) {
            lead(st);
        } else {
            w->sleepers++;
            pthread_cond_wait(&w->cv, &w->mu);
            w->sleepers--;
        }
    }
    pthread_mutex_unlock(&w->mu);
    return job.rc;
}

/* The writer thread: leads whenever jobs wait and nobody leads. Nobody waits to lead an
 * asynchronous job, so the jobs queued while one batch commits make the next batch: under
 * load a batch holds roughly the requests that arrived during one commit. Before stopping
 * it drains the queue, so every callback runs. */
static void *writer_thread(void *arg)
{
    struct sq_store *st = arg;
    struct sq_writer *w = &st->writer;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        if (w->head && !w->leading) {
            lead(st);
            continue;
        }
        if (w->thread_stop && !w->head)
            break;
        w->sleepers++;
        pthread_cond_wait(&w->cv, &w->mu);
        w->sleepers--;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

void sqlite__write_async(struct grantd_store *s, sq_write_fn fn, void *arg,
                               void (*on_done)(void *done_arg, grantd_rc rc), void *done_arg)
{
    struct sq_store *st = (struct sq_store *)s;
    struct sq_writer *w = &st->writer;
    struct sq_job *job = grantd_xcalloc(1, sizeof(*job));
    *job = (struct sq_job){.fn = fn, .arg = arg, .rc = GRANTD_ESTORE, .on_done = on_done,
                           .done_arg = done_arg};
    pthread_mutex_lock(&w->mu);
    if (!w->thread_started && !w->thread_stop)
        w->thread_started = pthread_create(&w->thread, NULL, writer_thread, st) == 0;
    if (!w->thread_started || w->thread_stop) { /* no thread to lead it: closing, or none */
        pthread_mutex_unlock(&w->mu);
        free(job);
        on_done(done_arg, sqlite__write(s, fn, arg));
        return;
    }
    enqueue(w, job);
    /* the writer thread sleeps on cv with the waiting callers; any of them that wakes
     * while nobody leads will lead, so one signal is enough */
    if (!w->leading && w->sleepers)
        pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}
