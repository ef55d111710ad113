/* The PostgreSQL driver's group commit: token_put_async, code_consume_async and
 * refresh_rotate_async. One writer thread per store takes every token write queued while
 * its previous batch was committing and writes them all as ONE multi-row INSERT in
 * autocommit: one round trip and one commit (one WAL flush) for the tokens of many
 * requests, where token_put costs each request a round trip and a flush.
 *
 * The family guarantee of token_put holds unchanged: every row still goes through the
 * schema's trigger (pg_schema.c, FAMILY_LOCK), which takes its family's lock shared and
 * refuses a revoked family, so no token joins a family whose revocation committed, and a
 * revocation under way waits for the batch and lists its access tokens in its feed.
 *
 * Outcomes. The statement is all or nothing. When it commits, every job of the batch
 * succeeded. When it fails with GRANTD_EBUSY (the server is down or went away, after
 * pg__tx_single's one reconnect) every job of the batch gets GRANTD_EBUSY: nothing can be
 * written now, and trying each job again would only wait out the connect timeout once per
 * job. Any other failure (a revoked family, a taken hash) belongs to one job that the
 * batch cannot name, so each job runs again alone through pg__token_put and gets its own
 * answer: a job's outcome never depends on its batchmates. Callbacks run on the writer
 * thread after the commit (or the failure), outside the queue's lock. The next batch
 * reconnects (pg__conn) if the connection is still bad.
 *
 * Code redemptions (code_consume_async) queue apart and go first: the thread takes every
 * redemption queued, up to CODES_MAX, and runs their single-use UPDATEs as ONE statement in
 * autocommit (pg__codes_redeem: one round trip, one commit, one WAL flush for the codes of
 * many /token requests; the codes are locked in key order, so batches of two instances
 * cannot deadlock). Each code it moved from unused to used is that job's GRANTD_OK; a code
 * it did not change (used already: a replay, or unknown) is read alone
 * (pg__code_consume_rest: GRANTD_EREPLAYED with its row, or GRANTD_ENOTFOUND; the grant
 * decides whether a replay revokes). The single-use guarantee is
 * the UPDATE's, as in code_consume: of two redemptions of one code, in one batch or in two
 * instances' batches, one changes the row and the other sees it used. A redemption's
 * commit is durable before its done runs, so no tokens are issued for a code whose use
 * could be lost.
 *
 * Refresh rotations (refresh_rotate_async) queue apart too and go second: every rotation
 * queued, up to ROTATIONS_MAX, runs in ONE transaction (one commit, one flush), each as
 * its one statement (pg__rotate_statement: the compare-and-swap and the new tokens), in the
 * order of the old tokens' keys so that two instances' batches cannot deadlock. A rotation
 * that changed nothing (rotated meanwhile, even by a batchmate; revoked; absent) runs again
 * alone after the commit through refresh_rotate, which says why; when the transaction fails
 * each rotation runs alone, as token writes do.
 *
 * Jobs that are not one or two plain tokens (a revoked token, which moves the change
 * sequence; a larger batch) run as a batch of their own through pg__token_put. Invalid
 * arguments never get here: the store's wrappers answer GRANTD_EINVAL first
 * (store_check.h).
 *
 * Shutdown: pg__writer_close stops taking jobs into the thread's queue, lets the thread
 * run what is queued, every callback included, and joins it; a put after that runs
 * synchronously on the caller's thread (done before it returns).
 *
 * Not here: the statements of token_put (pg_code.c), transactions and retries
 * (pg_query.c), connections (pg.c). */
#include "store/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/metrics.h"
#include "core/mem.h"

#include <jansson.h>

#define ROWS_MAX 128 /* token rows a batch statement inserts at most */

#define CODES_MAX 128 /* codes a batch statement redeems at most */
#define ROTATIONS_MAX 128 /* refresh rotations one batch transaction holds at most */

/* A token write, a code redemption (code.out set) or a refresh rotation (rot.old_hash
 * set). */
struct pg_job {
    struct pg_job *next;
    const struct grantd_token *tokens;
    size_t count;
    struct pg_redeem code;
    struct pg_rotation rot;
    int64_t now;
    void (*done)(void *arg, grantd_rc rc);
    void *arg;
    grantd_rc rc;
};

/* A queue of jobs, oldest first. */
struct pg_queue {
    struct pg_job *head, *tail;
};

struct pg_writer {
    struct pg_store *st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pg_queue puts, codes, rotations;
    pthread_t thread;
    int started, stop;
    /* the thread's buffers for one batch statement (only the thread touches them) */
    struct pg_params rows[ROWS_MAX];
    const char *values[ROWS_MAX * PG_TOKEN_COLUMNS];
    int lengths[ROWS_MAX * PG_TOKEN_COLUMNS];
    int formats[ROWS_MAX * PG_TOKEN_COLUMNS];
    char sql[sizeof(PG_TOKEN_INSERT) + ROWS_MAX * PG_TOKEN_COLUMNS * 8];
    struct pg_redeem redeems[CODES_MAX];
    struct pg_job *rotating[ROTATIONS_MAX];
    /* statistics, logged at close */
    struct pg_writer_stats puts_stats, code_stats, rotation_stats;
};

static void enqueue(struct pg_queue *q, struct pg_job *j)
{
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

/* 1 when a job can share the batch statement: one or two tokens none of which is revoked
 * (what /token issues). */
static int shareable(const struct pg_job *j)
{
    if (j->count > 2)
        return 0;
    for (size_t i = 0; i < j->count; i++)
        if (j->tokens[i].revoked)
            return 0;
    return 1;
}

/* Detaches the queue's first batch (w->mu held): shareable jobs up to ROWS_MAX rows, or one
 * job that is not shareable. *n gets the number of jobs. */
static struct pg_job *take_batch(struct pg_writer *w, size_t *n)
{
    struct pg_job *first = w->puts.head, *last = first;
    size_t k = 1, rows = first->count;
    if (shareable(first))
        while (last->next && shareable(last->next) && rows + last->next->count <= ROWS_MAX) {
            last = last->next;
            rows += last->count;
            k++;
        }
    w->puts.head = last->next;
    if (!w->puts.head)
        w->puts.tail = NULL;
    last->next = NULL;
    *n = k;
    return first;
}

/* Detaches up to max jobs from the front of q (w->mu held). */
static struct pg_job *take_up_to(struct pg_queue *q, size_t max, size_t *n)
{
    struct pg_job *first = q->head, *last = first;
    size_t k = 1;
    while (last->next && k < max) {
        last = last->next;
        k++;
    }
    q->head = last->next;
    if (!q->head)
        q->tail = NULL;
    last->next = NULL;
    *n = k;
    return first;
}

/* Runs n redemptions: their single-use UPDATEs as one statement, then code_consume's rest
 * for each code it did not change (a replay or an unknown code, each alone). When the
 * statement fails with GRANTD_EBUSY every job gets it; after any other failure each job
 * runs alone, so that no job's answer depends on its batchmates. */
static void run_codes(struct pg_writer *w, struct pg_job *first, size_t n)
{
    struct grantd_store *s = &w->st->base;
    size_t i = 0;
    for (struct pg_job *j = first; j; j = j->next)
        w->redeems[i++] = j->code;
    grantd_rc rc = pg__codes_redeem(s, w->redeems, n);
    i = 0;
    for (struct pg_job *j = first; j; j = j->next, i++) {
        struct pg_redeem *r = &j->code;
        if (rc == GRANTD_EBUSY)
            j->rc = rc;
        else if (rc != GRANTD_OK)
            j->rc = pg__code_consume(s, r->a, r->tenant, r->hash, j->now, r->out);
        else if (w->redeems[i].got)
            j->rc = GRANTD_OK;
        else
            j->rc = pg__code_consume_rest(s, r->a, r->tenant, r->hash, j->now, r->out);
    }
}

/* Rotations in the order of their old tokens' keys: two instances' batches lock the rows
 * they rotate in the same order, so they cannot deadlock. */
static int by_old_key(const void *a, const void *b)
{
    const struct pg_rotation *x = &(*(struct pg_job *const *)a)->rot;
    const struct pg_rotation *y = &(*(struct pg_job *const *)b)->rot;
    if (x->tenant != y->tenant)
        return x->tenant < y->tenant ? -1 : 1;
    return memcmp(x->old_hash, y->old_hash, GRANTD_SHA256_LEN);
}

struct rotation_batch {
    struct pg_job **jobs;
    size_t n;
};

/* Each rotation's statement in one transaction; a rotation whose old token was not live
 * changed nothing and keeps GRANTD_ENOTFOUND. Any other failure loses the transaction. */
static grantd_rc rotations_tx(struct pg_conn *c, void *arg)
{
    struct rotation_batch *b = arg;
    for (size_t i = 0; i < b->n; i++) {
        grantd_rc rc = pg__rotate_statement(c, &b->jobs[i]->rot);
        if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
            return rc;
        b->jobs[i]->rc = rc;
    }
    return GRANTD_OK;
}

/* Runs n rotations as one transaction (one commit for all), in key order. A rotation that
 * changed nothing in it then runs alone through pg__refresh_rotate, which says why (rotated
 * meanwhile, revoked, absent). GRANTD_EBUSY of the transaction goes to every job; after any
 * other failure (a family revoked under the batch, a taken hash) each job runs alone. */
static void run_rotations(struct pg_writer *w, struct pg_job *first, size_t n)
{
    struct grantd_store *s = &w->st->base;
    size_t k = 0;
    for (struct pg_job *j = first; j; j = j->next)
        w->rotating[k++] = j;
    qsort(w->rotating, n, sizeof(w->rotating[0]), by_old_key);
    struct rotation_batch b = {w->rotating, n};
    grantd_rc rc = pg__tx(s, rotations_tx, &b);
    for (struct pg_job *j = first; j; j = j->next) {
        const struct pg_rotation *r = &j->rot;
        if (rc == GRANTD_EBUSY)
            j->rc = rc;
        else if (rc != GRANTD_OK || j->rc != GRANTD_OK)
            j->rc = pg__refresh_rotate(s, r->tenant, r->old_hash, r->now, r->grace_until,
                                       r->successor, r->successor_len, r->tokens, r->count);
    }
}

/* Calls each job's done outside the lock (a callback may queue the next job) and frees
 * it. */
static void finish_jobs(struct pg_job *j)
{
    while (j) {
        struct pg_job *next = j->next;
        j->done(j->arg, j->rc);
        free(j);
        j = next;
    }
}

/* The batch statement's text for `rows` rows into w->sql. */
static void batch_sql(struct pg_writer *w, size_t rows)
{
    size_t at = (size_t)snprintf(w->sql, sizeof(w->sql), "%s", PG_TOKEN_INSERT);
    int param = 1;
    for (size_t r = 0; r < rows; r++) {
        for (int k = 0; k < PG_TOKEN_COLUMNS; k++)
            at += (size_t)snprintf(w->sql + at, sizeof(w->sql) - at, "%s$%d",
                                   k == 0 ? (r ? ", (" : "(") : ", ", param++);
        at += (size_t)snprintf(w->sql + at, sizeof(w->sql) - at, ")");
    }
}

struct batch {
    struct pg_writer *w;
    struct pg_job *first;
};

/* The batch's rows as one INSERT (pg_tx_fn, run by pg__tx_single in autocommit). */
static grantd_rc batch_insert(struct pg_conn *c, void *arg)
{
    const struct batch *b = arg;
    struct pg_writer *w = b->w;
    size_t rows = 0;
    for (const struct pg_job *j = b->first; j; j = j->next)
        for (size_t i = 0; i < j->count; i++) {
            struct pg_params *p = &w->rows[rows];
            p->n = 0;
            pg__bind_token(p, &j->tokens[i]);
            for (int k = 0; k < PG_TOKEN_COLUMNS; k++) {
                size_t at = rows * PG_TOKEN_COLUMNS + (size_t)k;
                w->values[at] = p->values[k];
                w->lengths[at] = p->lengths[k];
                w->formats[at] = p->formats[k];
            }
            rows++;
        }
    batch_sql(w, rows);
    return pg__exec_params(c, w->sql, (int)rows * PG_TOKEN_COLUMNS, w->values, w->lengths,
                           w->formats);
}

/* Runs a batch of n jobs and sets each one's rc (see the top of the file). */
static void run_batch(struct pg_writer *w, struct pg_job *first, size_t n)
{
    struct grantd_store *s = &w->st->base;
    if (n == 1 && !shareable(first)) {
        first->rc = pg__token_put(s, first->tokens, first->count);
        return;
    }
    struct batch b = {w, first};
    grantd_rc rc = pg__tx_single(s, batch_insert, &b);
    if (rc == GRANTD_OK || rc == GRANTD_EBUSY || n == 1) {
        for (struct pg_job *j = first; j; j = j->next)
            j->rc = rc;
        return;
    }
    for (struct pg_job *j = first; j; j = j->next)
        j->rc = pg__token_put(s, j->tokens, j->count);
}

/* One batch detached from its queue (w->mu held on entry and on return): run, counted, and
 * its callbacks called outside the lock (a callback may queue the next job). */
static void serve(struct pg_writer *w, struct pg_job *jobs, size_t n,
                  void (*run)(struct pg_writer *w, struct pg_job *first, size_t n),
                  struct pg_writer_stats *st, const char *metric)
{
    pthread_mutex_unlock(&w->mu);
    run(w, jobs, n);
    pthread_mutex_lock(&w->mu);
    st->batches++;
    st->jobs += (long long)n;
    if ((long long)n > st->max_batch)
        st->max_batch = (long long)n;
    pthread_mutex_unlock(&w->mu);
    grantd_metrics_writer_batch(metric, n);
    finish_jobs(jobs);
    pthread_mutex_lock(&w->mu);
}

/* The writer thread: whatever is queued, redemptions first (their requests go on to queue
 * their tokens), then rotations, then a batch of token writes, until stopped with empty
 * queues. */
static void *writer_thread(void *arg)
{
    struct pg_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        if (!w->codes.head && !w->rotations.head && !w->puts.head) {
            if (w->stop)
                break;
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        size_t n;
        if (w->codes.head) {
            struct pg_job *codes = take_up_to(&w->codes, CODES_MAX, &n);
            serve(w, codes, n, run_codes, &w->code_stats, "postgres_codes");
        }
        if (w->rotations.head) {
            struct pg_job *rotations = take_up_to(&w->rotations, ROTATIONS_MAX, &n);
            serve(w, rotations, n, run_rotations, &w->rotation_stats, "postgres_rotations");
        }
        if (w->puts.head) {
            struct pg_job *batch = take_batch(w, &n);
            serve(w, batch, n, run_batch, &w->puts_stats, "postgres_tokens");
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct pg_writer *pg__writer_new(struct pg_store *st)
{
    struct pg_writer *w = grantd_xcalloc(1, sizeof(*w));
    w->st = st;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    return w;
}

void pg__writer_close(struct pg_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    int started = w->started;
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (started)
        pthread_join(w->thread, NULL); /* after it ran every queued job */
    const struct pg_writer_stats *t = &w->puts_stats, *c = &w->code_stats,
                                 *r = &w->rotation_stats;
    if (t->batches || c->batches || r->batches)
        grantd_log(GRANTD_LOG_INFO, "store_writer_stats",
                   "{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "driver", "postgres", "batches",
                   (json_int_t)t->batches, "jobs", (json_int_t)t->jobs, "max_batch",
                   (json_int_t)t->max_batch, "code_batches", (json_int_t)c->batches,
                   "code_jobs", (json_int_t)c->jobs, "max_code_batch", (json_int_t)c->max_batch,
                   "rotation_batches", (json_int_t)r->batches, "rotation_jobs",
                   (json_int_t)r->jobs, "max_rotation_batch", (json_int_t)r->max_batch);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

struct pg_writer_stats pg__writer_stats(struct pg_writer *w, enum pg_writer_queue q)
{
    pthread_mutex_lock(&w->mu);
    struct pg_writer_stats st = q == PG_WRITER_CODES       ? w->code_stats
                                : q == PG_WRITER_ROTATIONS ? w->rotation_stats
                                                           : w->puts_stats;
    pthread_mutex_unlock(&w->mu);
    return st;
}

/* Queues job on q and wakes the thread (started on first use): 1. 0 when the writer is
 * closing or has no thread: the caller runs the job itself. */
static int submit(struct pg_writer *w, struct pg_queue *q, struct pg_job *job)
{
    pthread_mutex_lock(&w->mu);
    if (!w->started && !w->stop)
        w->started = pthread_create(&w->thread, NULL, writer_thread, w) == 0;
    int queued = w->started && !w->stop;
    if (queued) {
        enqueue(q, job);
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return queued;
}

void pg__token_put_async(struct grantd_store *s, const struct grantd_token *tokens, size_t count,
                         void (*done)(void *arg, grantd_rc rc), void *arg)
{
    struct pg_writer *w = ((struct pg_store *)s)->writer;
    struct pg_job *job = grantd_xcalloc(1, sizeof(*job));
    *job = (struct pg_job){.tokens = tokens, .count = count, .done = done, .arg = arg,
                           .rc = GRANTD_ESTORE};
    if (submit(w, &w->puts, job))
        return;
    free(job);
    done(arg, pg__token_put(s, tokens, count));
}

void pg__code_consume_async(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                            const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                            struct grantd_code *out, void (*done)(void *arg, grantd_rc rc),
                            void *arg)
{
    struct pg_writer *w = ((struct pg_store *)s)->writer;
    struct pg_job *job = grantd_xcalloc(1, sizeof(*job));
    *job = (struct pg_job){.code = {tenant, hash, a, out, 0}, .now = now, .done = done,
                           .arg = arg, .rc = GRANTD_ESTORE};
    if (submit(w, &w->codes, job))
        return;
    free(job);
    done(arg, pg__code_consume(s, a, tenant, hash, now, out));
}

void pg__refresh_rotate_async(struct grantd_store *s, int64_t tenant,
                              const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now,
                              int64_t grace_until, const unsigned char *successor,
                              size_t successor_len, const struct grantd_token *tokens,
                              size_t count, void (*done)(void *arg, grantd_rc rc), void *arg)
{
    struct pg_writer *w = ((struct pg_store *)s)->writer;
    struct pg_rotation r = {tenant, old_hash, now, grace_until, successor, successor_len, tokens,
                            count};
    if (count <= 2) { /* what /token rotates; larger ones run alone below */
        struct pg_job *job = grantd_xcalloc(1, sizeof(*job));
        *job = (struct pg_job){.rot = r, .done = done, .arg = arg, .rc = GRANTD_ESTORE};
        if (submit(w, &w->rotations, job))
            return;
        free(job);
    }
    done(arg, pg__refresh_rotate(s, tenant, old_hash, now, grace_until, successor,
                                 successor_len, tokens, count));
}
