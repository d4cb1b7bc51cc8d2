/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one check helper of the integration test programs: checks that are counted (check(): a failed
 * one is reported and the program goes on; require(): a failed one ends the program), a fatal stop,
 * deadlines for bounded waits, and the socket folder removed however the program ends. The closing
 * line "NAME: N passed, N failed" is the one CI reads. A program that checked nothing fails: it
 * passed nothing.
 */
#ifndef TEST_TALLY_H
#define TEST_TALLY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct test_tally {
	const char *name; /* the program, in the closing line */
	int checks;
	int failures;
	void (*on_fatal)(void); /* the program's last words before a fatal end (a log to show...) */
	char work_dir[64];	/* removed at exit, with the socket in it */
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

static inline void
tally_report(const char *what, int line, const char *fmt, va_list ap)
{
	if (line > 0)
		fprintf(stderr, "%s line %d: ", what, line);
	else
		fprintf(stderr, "%s: ", what);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

/* Ends the program after a failure already counted: the program's hook, then the closing line. */
static inline void __attribute__((noreturn))
tally_exit_failed(void)
{
	void (*hook)(void) = tally.on_fatal;

	tally.on_fatal = NULL; /* a failure inside the hook does not run it again */
	fflush(stdout);
	if (hook != NULL)
		hook();
	printf("%s: %d passed, %d failed\n", tally.name, tally.checks - tally.failures,
	       tally.failures);
	exit(1);
}

/* A counted check; false is reported (with the caller's line) and the program goes on. */
#define check(ok, ...) tally_check((ok), __LINE__, __VA_ARGS__)
/* A counted check that the rest of the program needs: false ends it (fatal). */
#define require(ok, ...) tally_require((ok), __LINE__, __VA_ARGS__)

static inline bool __attribute__((format(printf, 3, 4)))
tally_check(bool ok, int line, const char *fmt, ...)
{
	va_list ap;

	tally.checks++;
	if (ok)
		return true;
	tally.failures++;
	va_start(ap, fmt);
	tally_report("FAIL", line, fmt, ap);
	va_end(ap);
	return false;
}

static inline void __attribute__((format(printf, 3, 4)))
tally_require(bool ok, int line, const char *fmt, ...)
{
	va_list ap;

	tally.checks++;
	if (ok)
		return;
	tally.failures++;
	va_start(ap, fmt);
	tally_report("FAIL", line, fmt, ap);
	va_end(ap);
	tally_exit_failed();
}

/* Ends the program; the stop itself counts as one more failed check. */
static inline void __attribute__((format(printf, 1, 2), noreturn))
fatal(const char *fmt, ...)
{
	va_list ap;

	tally.checks++;
	tally.failures++;
	va_start(ap, fmt);
	tally_report("FATAL", 0, fmt, ap);
	va_end(ap);
	tally_exit_failed();
}

/* Prints the closing line; returns the program's exit status: 0 only when it checked something and
 * every check passed. */
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

/* ---- Bounded waits: a deadline passed is a hang (a failure), never a timing result ---- */

/* Monotonic seconds. */
static inline double
test_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The deadline `seconds` from now. */
static inline double
test_deadline(double seconds)
{
	return test_now_s() + seconds;
}

static inline bool
test_past(double deadline)
{
	return test_now_s() > deadline;
}

#endif /* TEST_TALLY_H */
