/* Worker pool: one mutex, one condition variable, a FIFO of jobs. */
#include "http/workers.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/mem.h"

struct job {
    void (*fn)(void *);
    void *arg;
    struct job *next;
};

struct grantd_workers {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct job *head, *tail;
    int stopping;
    unsigned count;
    pthread_t *threads;
};

/* The next job, or NULL once the pool is stopping and the queue is empty. */
static struct job *next_job(struct grantd_workers *w)
{
    pthread_mutex_lock(&w->lock);
    while (!w->head && !w->stopping)
        pthread_cond_wait(&w->ready, &w->lock);
    struct job *j = w->head;
    if (j) {
        w->head = j->next;
        if (!w->head)
            w->tail = NULL;
    }
    pthread_mutex_unlock(&w->lock);
    return j;
}

static void *worker_main(void *arg)
{
    struct grantd_workers *w = arg;
    struct job *j;
    while ((j = next_job(w))) {
        j->fn(j->arg);
        free(j);
    }
    return NULL;
}

struct grantd_workers *grantd_workers_new(unsigned n)
{
    struct grantd_workers *w = grantd_xcalloc(1, sizeof(*w));
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->ready, NULL);
    w->threads = grantd_xcalloc(n ? n : 1, sizeof(*w->threads));
    for (unsigned i = 0; i < (n ? n : 1); i++)
        if (pthread_create(&w->threads[w->count], NULL, worker_main, w) == 0)
            w->count++;
    return w;
}

int grantd_workers_submit(struct grantd_workers *w, void (*fn)(void *), void *arg)
{
    struct job *j = grantd_xcalloc(1, sizeof(*j));
    j->fn = fn;
    j->arg = arg;
    pthread_mutex_lock(&w->lock);
    int queued = !w->stopping && w->count > 0;
    if (queued) {
        if (w->tail)
            w->tail->next = j;
        else
            w->head = j;
        w->tail = j;
        pthread_cond_signal(&w->ready);
    }
    pthread_mutex_unlock(&w->lock);
    if (!queued)
        free(j);
    return queued;
}

void grantd_workers_free(struct grantd_workers *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_cond_broadcast(&w->ready);
    pthread_mutex_unlock(&w->lock);
    for (unsigned i = 0; i < w->count; i++)
        pthread_join(w->threads[i], NULL);
    pthread_cond_destroy(&w->ready);
    pthread_mutex_destroy(&w->lock);
    free(w->threads);
    free(w);
}
