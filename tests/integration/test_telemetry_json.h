/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client of DPDK's telemetry socket (dpdk_telemetry.v2 in the EAL runtime folder, SOCK_SEQPACKET:
 * one JSON object per message) and the few reads of its replies the tests need. Telemetry writes
 * compact JSON ("key":value, no spaces) and our queue dicts hold no objects, so a key is found by
 * its quoted name and an object by its braces.
 */
#ifndef TEST_TELEMETRY_JSON_H
#define TEST_TELEMETRY_JSON_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>

#include "test_tally.h"

/* Telemetry's largest reply (its max_output_len) and some room. */
#define TEST_TELEMETRY_REPLY_MAX (16 * 1024 + 256)

/* Connects to this process's telemetry socket and reads the greeting (version, pid, max length). */
static inline int
test_telemetry_connect(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char greeting[1024];
	ssize_t n;
	int s;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2", rte_eal_get_runtime_dir());
	s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		fatal("telemetry socket %s: %s (EAL started without --no-telemetry?)", sun.sun_path,
		      strerror(errno));
	n = read(s, greeting, sizeof(greeting) - 1);
	if (n <= 0)
		fatal("no greeting on the telemetry socket");
	greeting[n] = '\0';
	if (strstr(greeting, "\"max_output_len\":") == NULL)
		fatal("telemetry greeting without max_output_len: %s", greeting);
	return s;
}

/* Sends one command ("/vionet/info,0") and reads its reply into 'reply'. */
static inline void
test_telemetry_query(int s, const char *cmd, char *reply, size_t len)
{
	ssize_t n;

	if (write(s, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		fatal("telemetry: cannot send %s: %s", cmd, strerror(errno));
	n = read(s, reply, len - 1);
	if (n <= 0)
		fatal("telemetry: no reply to %s", cmd);
	reply[n] = '\0';
}

/* Where the value of "key" starts in json, or NULL. */
static inline const char *
test_json_value(const char *json, const char *key)
{
	char pattern[128];
	const char *p;

	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	p = strstr(json, pattern);
	return p != NULL ? p + strlen(pattern) : NULL;
}

/* The object under "key" (braces included, no nested objects) copied into out. */
static inline bool
test_json_object(const char *json, const char *key, char *out, size_t len)
{
	const char *v = test_json_value(json, key), *end;

	if (v == NULL || *v != '{' || (end = strchr(v, '}')) == NULL || (size_t)(end - v + 2) > len)
		return false;
	memcpy(out, v, (size_t)(end - v + 1));
	out[end - v + 1] = '\0';
	return true;
}

/* The string under "key" (no escapes: ours have none) copied into out. */
static inline bool
test_json_string(const char *json, const char *key, char *out, size_t len)
{
	const char *v = test_json_value(json, key), *end;

	if (v == NULL || *v != '"' || (end = strchr(v + 1, '"')) == NULL || (size_t)(end - v) > len)
		return false;
	memcpy(out, v + 1, (size_t)(end - v - 1));
	out[end - v - 1] = '\0';
	return true;
}

/* The number under "key"; UINT64_MAX when there is none. */
static inline uint64_t
test_json_u64(const char *json, const char *key)
{
	const char *v = test_json_value(json, key);
	char *end;
	uint64_t x;

	if (v == NULL || *v < '0' || *v > '9')
		return UINT64_MAX;
	x = strtoull(v, &end, 10);
	return end != v ? x : UINT64_MAX;
}

/* The array under "key" (brackets included, flat) copied into out. */
static inline bool
test_json_array(const char *json, const char *key, char *out, size_t len)
{
	const char *v = test_json_value(json, key), *end;

	if (v == NULL || *v != '[' || (end = strchr(v, ']')) == NULL || (size_t)(end - v + 2) > len)
		return false;
	memcpy(out, v, (size_t)(end - v + 1));
	out[end - v + 1] = '\0';
	return true;
}

#endif /* TEST_TELEMETRY_JSON_H */
