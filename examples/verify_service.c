/* A small resource server's use of libgrantd-verify: verify each token given, print the
 * verdict the service would act on (200, or 401/403 with the WWW-Authenticate value).
 *
 *   grantd-verify-example ISSUER [options] [TOKEN...]
 *     --scope S            scopes every request needs
 *     --audience A         the audience this service is
 *     --client ID SECRET   introspection credentials (opaque tokens)
 *     --cooldown N         least seconds between two JWKS fetches on unknown kids
 *     --skew N             clock skew in seconds
 *     --cache N            introspection cache entries
 *     --revocation-feed URL  follow grantd's revocation feed (GET /v1/revocations on its
 *                          admin listener): revoked tokens are refused within a poll
 *     --clock-file PATH    add the offset (native int64, microseconds) this file holds to
 *                          the clock: the integration suite's test clock (the `now` hook)
 * Without TOKEN arguments, tokens are read one per line from standard input (a pause in
 * the input lets the caller change the world between requests: rotate keys, stop the
 * issuer). For each token one line: "<status> <reason> sub=<sub> <www-authenticate>";
 * "stats fetches=N failures=N keys=N introspections=N hits=N" for a line "stats"; for a
 * line "parallel K TOKEN", K threads verify TOKEN at once (one verifier is shared by all a
 * service's threads) and one line says "parallel ok=N other=M". */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grantd/verify.h>

/* The configuration's clock hook: real time plus the offset the file holds now. */
static int64_t clock_file_now(void *ctx)
{
    int64_t off = 0;
    int fd = open((const char *)ctx, O_RDONLY);
    if (fd >= 0 && pread(fd, &off, sizeof(off), 0) != (ssize_t)sizeof(off))
        off = 0;
    if (fd >= 0)
        close(fd);
    /* the precise clock, as grantd stamps iat with it (time() reads a coarser one) */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + off) / 1000000;
}

static void answer(struct grantd_verifier *v, const char *token, const char *scope)
{
    struct grantd_verify_result r;
    enum grantd_verify_reason reason = grantd_verify(v, token, scope, &r);
    int status = reason == GRANTD_VERIFY_OK                   ? 200
                 : reason == GRANTD_VERIFY_INSUFFICIENT_SCOPE ? 403
                                                              : 401;
    printf("%d %s sub=%s %s\n", status, grantd_verify_reason_name(reason),
           r.subject ? r.subject : "-", r.www_authenticate ? r.www_authenticate : "-");
    grantd_verify_result_clear(&r);
}

static void stats(struct grantd_verifier *v)
{
    struct grantd_verifier_stats s = {.struct_size = sizeof(s)};
    grantd_verifier_stats(v, &s);
    printf("stats fetches=%llu failures=%llu keys=%llu introspections=%llu hits=%llu\n",
           (unsigned long long)s.jwks_fetches, (unsigned long long)s.jwks_fetch_failures,
           (unsigned long long)s.jwks_keys, (unsigned long long)s.introspections,
           (unsigned long long)s.introspection_cache_hits);
}

#define PARALLEL_MAX 64

struct job {
    struct grantd_verifier *v;
    const char *token, *scope;
    pthread_barrier_t *start;
    enum grantd_verify_reason reason;
};

static void *run_job(void *arg)
{
    struct job *j = arg;
    struct grantd_verify_result r;
    pthread_barrier_wait(j->start);
    j->reason = grantd_verify(j->v, j->token, j->scope, &r);
    grantd_verify_result_clear(&r);
    return NULL;
}

/* "K TOKEN": K threads released together verify TOKEN. */
static void parallel(struct grantd_verifier *v, const char *args, const char *scope)
{
    char *end = NULL;
    long k = strtol(args, &end, 10);
    struct job jobs[PARALLEL_MAX];
    pthread_t th[PARALLEL_MAX];
    pthread_barrier_t start;
    int ok = 0;
    if (k < 1 || k > PARALLEL_MAX || *end != ' ') {
        printf("parallel: K must be 1 to %d\n", PARALLEL_MAX);
        return;
    }
    pthread_barrier_init(&start, NULL, (unsigned)k);
    for (long i = 0; i < k; i++) {
        jobs[i] = (struct job){.v = v, .token = end + 1, .scope = scope, .start = &start};
        pthread_create(&th[i], NULL, run_job, &jobs[i]);
    }
    for (long i = 0; i < k; i++) {
        pthread_join(th[i], NULL);
        ok += jobs[i].reason == GRANTD_VERIFY_OK;
    }
    pthread_barrier_destroy(&start);
    printf("parallel ok=%d other=%ld\n", ok, k - ok);
}

static void serve_stdin(struct grantd_verifier *v, const char *scope)
{
    char line[9000];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "stats") == 0)
            stats(v);
        else if (strncmp(line, "parallel ", 9) == 0)
            parallel(v, line + 9, scope);
        else
            answer(v, line, scope);
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    struct grantd_verifier_config c = {.struct_size = sizeof(c), .http_timeout_ms = 2000};
    const char *scope = NULL;
    int i = 2;
    if (argc < 2) {
        fprintf(stderr, "usage: %s ISSUER [options] [TOKEN...]\n", argv[0]);
        return 2;
    }
    c.issuer = argv[1];
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--scope") == 0 && i + 1 < argc)
            scope = argv[++i];
        else if (strcmp(argv[i], "--audience") == 0 && i + 1 < argc)
            c.audience = argv[++i];
        else if (strcmp(argv[i], "--cooldown") == 0 && i + 1 < argc)
            c.jwks_cooldown_s = atoi(argv[++i]);
        else if (strcmp(argv[i], "--cache") == 0 && i + 1 < argc)
            c.introspection_cache_size = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--skew") == 0 && i + 1 < argc)
            c.clock_skew_s = atoi(argv[++i]);
        else if (strcmp(argv[i], "--clock-file") == 0 && i + 1 < argc) {
            c.now = clock_file_now;
            c.now_ctx = argv[++i];
        } else if (strcmp(argv[i], "--revocation-feed") == 0 && i + 1 < argc) {
            c.revocation_feed_url = argv[++i];
        } else if (strcmp(argv[i], "--client") == 0 && i + 2 < argc) {
            c.introspection_client_id = argv[++i];
            c.introspection_client_secret = argv[++i];
        } else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    struct grantd_verifier *v = grantd_verifier_new(&c);
    if (!v) {
        fprintf(stderr, "bad configuration\n");
        return 2;
    }
    if (i == argc)
        serve_stdin(v, scope);
    for (; i < argc; i++)
        answer(v, argv[i], scope);
    grantd_verifier_free(v);
    return 0;
}
