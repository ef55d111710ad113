/* libgrantd-verify: the few HTTP requests a verifier makes (discovery, JWKS, introspection,
 * the revocation feed) through libcurl, each with a timeout and a capped body. A request
 * given a grantd_verify_cancel opens and closes its socket through it, so that another
 * thread can shut the socket down and end a long-poll at once (libcurl's progress callback
 * alone runs only once a second while a transfer idles). */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "verify/verify_int.h"

struct body {
    char *buf;
    size_t len;
    int over;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct body *b = ud;
    size_t add = size * n;
    if (b->len + add > GRANTD_VERIFY_DOC_MAX) {
        b->over = 1;
        return 0; /* makes curl fail the transfer */
    }
    char *nb = realloc(b->buf, b->len + add + 1);
    if (!nb)
        abort();
    memcpy(nb + b->len, p, add);
    b->buf = nb;
    b->len += add;
    b->buf[b->len] = '\0';
    return add;
}

void grantd_verify_cancel_init(struct grantd_verify_cancel *c)
{
    pthread_mutex_init(&c->mu, NULL);
    c->cancelled = 0;
    c->fd = -1;
}

void grantd_verify_cancel_destroy(struct grantd_verify_cancel *c)
{
    pthread_mutex_destroy(&c->mu);
}

void grantd_verify_cancel_now(struct grantd_verify_cancel *c)
{
    pthread_mutex_lock(&c->mu);
    c->cancelled = 1;
    if (c->fd >= 0) /* still open: closing happens under mu, so fd is this request's */
        shutdown(c->fd, SHUT_RDWR);
    pthread_mutex_unlock(&c->mu);
}

static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct grantd_verify_cancel *c = ud;
    curl_socket_t fd = CURL_SOCKET_BAD;
    (void)purpose;
    pthread_mutex_lock(&c->mu);
    if (!c->cancelled && c->fd < 0)
        fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd != CURL_SOCKET_BAD)
        c->fd = fd;
    pthread_mutex_unlock(&c->mu);
    return fd;
}

static int on_close(void *ud, curl_socket_t fd)
{
    struct grantd_verify_cancel *c = ud;
    pthread_mutex_lock(&c->mu);
    if (c->fd == fd)
        c->fd = -1;
    int r = close(fd);
    pthread_mutex_unlock(&c->mu);
    return r;
}

/* libcurl's progress callback: non-zero ends the transfer (cancelled before connecting). */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    struct grantd_verify_cancel *c = ud;
    (void)dt, (void)dn, (void)ut, (void)un;
    pthread_mutex_lock(&c->mu);
    int stop = c->cancelled;
    pthread_mutex_unlock(&c->mu);
    return stop;
}

/* One request: a POST of form with Basic credentials when form is set, else a GET, with
 * header (may be NULL) added. *status and *body (malloc'd, NUL-terminated) are what came
 * back; GRANTD_EIO when no answer came (or it was over GRANTD_VERIFY_DOC_MAX, or cancel,
 * which may be NULL, was cancelled). */
static grantd_rc request(const char *url, const char *form, const char *user, const char *pass,
                         const char *header, long timeout_ms,
                         struct grantd_verify_cancel *cancel, long *status, char **body)
{
    grantd_rc rc = GRANTD_EIO;
    struct body b = {0};
    struct curl_slist *headers = NULL;
    *status = 0;
    *body = NULL;
    CURL *c = curl_easy_init();
    if (!c)
        goto out;
    if (header)
        headers = curl_slist_append(NULL, header);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (cancel) { /* one socket per request: no connection reuse to account for */
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, cancel);
        curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, on_close);
        curl_easy_setopt(c, CURLOPT_CLOSESOCKETDATA, cancel);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, cancel);
    }
    if (form) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, pass);
    }
    if (curl_easy_perform(c) != CURLE_OK ||
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status) != CURLE_OK)
        goto out;
    *body = b.buf;
    b.buf = NULL;
    rc = GRANTD_OK;
out:
    free(b.buf);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return rc;
}

grantd_rc grantd_verify_http(const char *url, const char *form, const char *user,
                             const char *pass, long timeout_ms, char **body)
{
    long status = 0;
    grantd_rc rc = request(url, form, user, pass, NULL, timeout_ms, NULL, &status, body);
    if (rc == GRANTD_OK && (status != 200 || !*body)) {
        free(*body);
        *body = NULL;
        rc = GRANTD_EIO;
    }
    return rc;
}

grantd_rc grantd_verify_http_get(const char *url, const char *header, long timeout_ms,
                                 struct grantd_verify_cancel *cancel, long *status, char **body)
{
    return request(url, NULL, NULL, NULL, header, timeout_ms, cancel, status, body);
}
