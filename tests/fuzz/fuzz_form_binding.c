/* libFuzzer target for grantd_web_binding_split on the login and consent forms' "binding"
 * field: never reads past the string; when it accepts, EXP is the value of the digits before
 * the one dot and MAC the 43 characters after it, and printing them back gives the input
 * again (but for leading zeros of EXP). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "oauth/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1); /* a form field is a C string */
    memcpy(v, data, size);
    v[size] = '\0';
    long long exp = -1;
    const char *mac = NULL;
    if (grantd_web_binding_split(v, &exp, &mac)) {
        FUZZ_CHECK(exp >= 0 && mac > v && mac[-1] == '.' && strlen(mac) == 43);
        const char *digits = v + strspn(v, "0");
        char again[64];
        snprintf(again, sizeof(again), "%lld.%s", exp, mac);
        FUZZ_CHECK(strcmp(again, *digits == '.' ? v + (digits - v - 1) : digits) == 0);
    }
    FUZZ_CHECK(grantd_web_binding_split(NULL, &exp, &mac) == 0);
    free(v);
    return 0;
}
