/* libgrantd-verify: the few HTTP requests a verifier makes (discovery, JWKS, introspection,
 * the revocation feed) through libcurl, each with a timeout and a capped body. */
#include <stdlib.h>
#include <string.h>

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

/* libcurl's progress callback: non-zero ends the transfer (the caller's cancel flag). */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    return __atomic_load_n((const int *)ud, __ATOMIC_ACQUIRE) != 0;
}

/* One request: a POST of form with Basic credentials when form is set, else a GET, with
 * header (may be NULL) added. *status and *body (malloc'd, NUL-terminated) are what came
 * back; GRANTD_EIO when no answer came (or it was over GRANTD_VERIFY_DOC_MAX, or *cancel
 * became non-zero meanwhile: cancel may be NULL). */
static grantd_rc request(const char *url, const char *form, const char *user, const char *pass,
                         const char *header, long timeout_ms, const int *cancel, long *status,
                         char **body)
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
    if (cancel) { /* called about every second while idle, and on every read */
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)cancel);
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
                                 const int *cancel, long *status, char **body)
{
    return request(url, NULL, NULL, NULL, header, timeout_ms, cancel, status, body);
}
