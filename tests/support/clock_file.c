/* The test clock of grantd-test, never linked into grantd: the strong definition of
 * grantd_clock_test_offset_us (core/clock.h), read from a file a test rewrites.
 *
 * $GRANTD_TEST_CLOCK names a file whose first 8 bytes are a native-endian int64 of
 * microseconds. The first reading maps it (MAP_SHARED, read-only) and every reading after
 * that is one atomic load from the mapping, no system call: a test that writes new bytes
 * in place (tests/integration/conftest.py, the `clock` fixture) moves the clock of every
 * grantd-test process that has the file mapped, the running server and the CLI alike.
 * Without the variable the offset is 0, so grantd-test then behaves as grantd. A variable
 * naming a file that cannot be mapped is a broken test harness: the process says so on
 * stderr and exits 70 rather than run with a clock the test does not control. */
#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_HARNESS 70 /* EX_SOFTWARE */

static const int64_t no_offset;
static const int64_t *offset = &no_offset;
static pthread_once_t mapped = PTHREAD_ONCE_INIT;

static void harness_broken(const char *path, const char *what)
{
    fprintf(stderr, "grantd-test: GRANTD_TEST_CLOCK=%s: %s\n", path, what);
    _exit(EXIT_HARNESS); /* any thread may be first to read the clock: no atexit handlers */
}

static void map_offset(void)
{
    const char *path = getenv("GRANTD_TEST_CLOCK");
    if (!path || !*path)
        return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        harness_broken(path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(int64_t))
        harness_broken(path, "not 8 bytes long");
    void *p = mmap(NULL, sizeof(int64_t), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        harness_broken(path, strerror(errno));
    offset = p;
}

int64_t grantd_clock_test_offset_us(void)
{
    pthread_once(&mapped, map_offset);
    return __atomic_load_n(offset, __ATOMIC_RELAXED);
}
