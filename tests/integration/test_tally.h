/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the integration test programs share: checks that are counted (a failed one is reported and
 * the program goes on), a fatal stop, and the socket folder removed however the program ends. The
 * closing line "NAME: N passed, N failed" is the one CI reads. A program that checked nothing fails.
 */
#ifndef TEST_TALLY_H
#define TEST_TALLY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct test_tally {
	const char *name; /* the program, in the closing line */
	int checks;
	int failures;
	char work_dir[64]; /* removed at exit, with the socket in it */
	char sock[128];
};

static struct test_tally tally;

static inline void
tally_remove_work_dir(void)
{
	if (tally.work_dir[0] == '\0')
		return;
	unlink(tally.sock);
	rmdir(tally.work_dir);
}

/* The folder and the socket in it go away however the test ends (a fatal exit too). */
static inline void
tally_remove_on_exit(const char *work_dir, const char *sock)
{
	snprintf(tally.work_dir, sizeof(tally.work_dir), "%s", work_dir);
	snprintf(tally.sock, sizeof(tally.sock), "%s", sock);
	atexit(tally_remove_work_dir);
}

static inline void __attribute__((format(printf, 2, 3)))
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	tally.checks++;
	if (ok)
		return;
	tally.failures++;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

/* Ends the program; the stop itself counts as one more failure. */
static inline void __attribute__((format(printf, 1, 2), noreturn))
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FATAL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	printf("%s: %d passed, %d failed\n", tally.name, tally.checks - tally.failures,
	       tally.failures + 1);
	exit(1);
}

/* Prints the closing line; returns the program's exit status: 0 only when it checked something and
 * every check passed (a program that checked nothing passed nothing). */
static inline int
tally_finish(void)
{
	printf("%s: %d passed, %d failed\n", tally.name, tally.checks - tally.failures, tally.failures);
	if (tally.checks == 0) {
		fprintf(stderr, "FAIL: %s checked nothing\n", tally.name);
		return 1;
	}
	return tally.failures == 0 ? 0 : 1;
}

#endif /* TEST_TALLY_H */
