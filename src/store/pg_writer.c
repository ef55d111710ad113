/* The PostgreSQL driver's group commit: token_put_async. One writer thread per store takes
 * every token write queued while its previous batch was committing and writes them all as
 * ONE multi-row INSERT in autocommit: one round trip and one commit (one WAL flush) for the
 * tokens of many requests, where token_put costs each request a round trip and a flush.
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
 * Jobs that are not one or two plain tokens (a revoked token, which moves the change
 * sequence; a larger batch) run as a batch of their own through pg__token_put. Invalid
 * batches are answered GRANTD_EINVAL on the caller's thread before anything is queued.
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
#include "core/mem.h"

#include <jansson.h>

#define ROWS_MAX 128 /* token rows a batch statement inserts at most */

struct pg_job {
    struct pg_job *next;
    const struct grantd_token *tokens;
    size_t count;
    void (*done)(void *arg, grantd_rc rc);
    void *arg;
    grantd_rc rc;
};

struct pg_writer {
    struct pg_store *st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pg_job *head, *tail;
    pthread_t thread;
    int started, stop;
    /* the thread's buffers for one batch statement (only the thread touches them) */
    struct pg_params rows[ROWS_MAX];
    const char *values[ROWS_MAX * PG_TOKEN_COLUMNS];
    int lengths[ROWS_MAX * PG_TOKEN_COLUMNS];
    int formats[ROWS_MAX * PG_TOKEN_COLUMNS];
    char sql[sizeof(PG_TOKEN_INSERT) + ROWS_MAX * PG_TOKEN_COLUMNS * 8];
    /* statistics, logged at close */
    long long batches, jobs, max_batch;
};

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
    struct pg_job *first = w->head, *last = first;
    size_t k = 1, rows = first->count;
    if (shareable(first))
        while (last->next && shareable(last->next) && rows + last->next->count <= ROWS_MAX) {
            last = last->next;
            rows += last->count;
            k++;
        }
    w->head = last->next;
    if (!w->head)
        w->tail = NULL;
    last->next = NULL;
    *n = k;
    return first;
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

/* The writer thread: batches whatever is queued, until stopped with an empty queue. */
static void *writer_thread(void *arg)
{
    struct pg_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        if (!w->head) {
            if (w->stop)
                break;
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        size_t n;
        struct pg_job *batch = take_batch(w, &n);
        pthread_mutex_unlock(&w->mu);
        run_batch(w, batch, n);
        pthread_mutex_lock(&w->mu);
        w->batches++;
        w->jobs += (long long)n;
        if ((long long)n > w->max_batch)
            w->max_batch = (long long)n;
        pthread_mutex_unlock(&w->mu);
        while (batch) { /* outside the lock: a callback may queue the next put */
            struct pg_job *next = batch->next;
            batch->done(batch->arg, batch->rc);
            free(batch);
            batch = next;
        }
        pthread_mutex_lock(&w->mu);
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
    if (w->batches)
        grantd_log(GRANTD_LOG_INFO, "store_writer_stats", "{s:s,s:I,s:I,s:I}", "driver",
                   "postgres", "batches", (json_int_t)w->batches, "jobs", (json_int_t)w->jobs,
                   "max_batch", (json_int_t)w->max_batch);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

void pg__writer_stats(struct pg_writer *w, long long *batches, long long *jobs,
                      long long *max_batch)
{
    pthread_mutex_lock(&w->mu);
    *batches = w->batches;
    *jobs = w->jobs;
    *max_batch = w->max_batch;
    pthread_mutex_unlock(&w->mu);
}

void pg__token_put_async(struct grantd_store *s, const struct grantd_token *tokens, size_t count,
                         void (*done)(void *arg, grantd_rc rc), void *arg)
{
    struct pg_writer *w = ((struct pg_store *)s)->writer;
    if (!pg__tokens_valid(tokens, count)) {
        done(arg, GRANTD_EINVAL);
        return;
    }
    pthread_mutex_lock(&w->mu);
    if (!w->started && !w->stop)
        w->started = pthread_create(&w->thread, NULL, writer_thread, w) == 0;
    if (!w->started || w->stop) { /* closing, or no thread: write on this one */
        pthread_mutex_unlock(&w->mu);
        done(arg, pg__token_put(s, tokens, count));
        return;
    }
    struct pg_job *job = grantd_xcalloc(1, sizeof(*job));
    *job = (struct pg_job){.tokens = tokens, .count = count, .done = done, .arg = arg,
                           .rc = GRANTD_ESTORE};
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}
