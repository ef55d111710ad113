/* Reading user passwords for the user subcommands (user_int.h; hashing is core/password.c).
 * The password exists in this process only in caller buffers that are wiped after use; it
 * never reaches stdout, stderr or the log. */
#include "cli/user_int.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "core/crypto.h"
#include "core/password_policy.h"

enum line_status { LINE_OK, LINE_TOO_LONG, LINE_NUL };

/* Reads one line of stdin into out, without the "\n" and a "\r" before it. stdin is
 * unbuffered, so no copy of the password lingers in a stdio buffer. */
static enum line_status read_line(char *out, size_t outlen)
{
    enum line_status st = LINE_OK;
    size_t n = 0;
    int c;
    setvbuf(stdin, NULL, _IONBF, 0);
    while ((c = getc(stdin)) != EOF && c != '\n') {
        if (c == '\0')
            st = LINE_NUL;
        if (n + 1 < outlen && n <= GRANTD_PASSWORD_MAX)
            out[n++] = (char)c;
        else if (st == LINE_OK)
            st = LINE_TOO_LONG;
    }
    out[n] = '\0';
    if (n > 0 && out[n - 1] == '\r')
        out[--n] = '\0';
    if (st == LINE_OK && n > GRANTD_PASSWORD_MAX)
        st = LINE_TOO_LONG;
    return st;
}

/* One line from the terminal with echo off. */
static enum line_status prompt_line(const char *prompt, char *out, size_t outlen)
{
    struct termios old, quiet;
    int restore = tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    fputs(prompt, stderr);
    fflush(stderr);
    enum line_status st = read_line(out, outlen);
    if (restore)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return st;
}

int grantd_cli_read_password(const char *cmd, char *out, size_t outlen)
{
    int rc = GRANTD_EXIT_OK;
    char again[GRANTD_PASSWORD_BUF];
    again[0] = '\0';
    int tty = isatty(STDIN_FILENO);
    enum line_status st = tty ? prompt_line("Password: ", out, outlen) : read_line(out, outlen);
    if (st == LINE_TOO_LONG)
        rc = grantd_cli_usage_error(cmd, "password longer than %d bytes", GRANTD_PASSWORD_MAX);
    else if (st == LINE_NUL)
        rc = grantd_cli_usage_error(cmd, "password contains a NUL byte");
    else if (!out[0])
        rc = grantd_cli_usage_error(cmd, "empty password (give it on the first line of stdin)");
    else if (tty && (prompt_line("Repeat password: ", again, sizeof(again)) != LINE_OK ||
                     strcmp(out, again) != 0))
        rc = grantd_cli_usage_error(cmd, "the passwords do not match");
    explicit_bzero(again, sizeof(again));
    if (rc != GRANTD_EXIT_OK)
        explicit_bzero(out, outlen);
    return rc;
}

int grantd_cli_password_allowed(const char *cmd, const struct grantd_config *cfg,
                                const char *username, const char *password)
{
    char why[320];
    if (!grantd_password_policy_check(cfg, username, password, why, sizeof(why)))
        return GRANTD_EXIT_OK;
    return grantd_admin_fail(cmd, "password %s", why);
}
