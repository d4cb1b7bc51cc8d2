/* Parsing, checking and automatic balancing of the lcore map (see fwd_lcore_map.h). */
#include "fwd_lcore_map.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int map_error(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int map_error(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A decimal number that fills [begin, end) exactly and is at most max. */
static int parse_number(const char *begin, const char *end, unsigned long max, unsigned long *out)
{
	char *stop;
	unsigned long v;

	if (begin == end || *begin < '0' || *begin > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(begin, &stop, 10);
	if (errno != 0 || stop != end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_pair(const char *begin, const char *end, struct fwd_pair *pair,
		      char *err, size_t err_len)
{
	const char *dot = memchr(begin, '.', (size_t)(end - begin));
	unsigned long port, queue;
	int len = (int)(end - begin);

	if (dot == NULL)
		return map_error(err, err_len, "lcore map: '%.*s' is not PORT.QUEUE", len, begin);
	if (parse_number(begin, dot, FWD_MAX_PORTS - 1, &port) != 0)
		return map_error(err, err_len, "lcore map: bad port in '%.*s' (0..%d)",
				 len, begin, FWD_MAX_PORTS - 1);
	if (parse_number(dot + 1, end, FWD_MAX_QUEUES - 1, &queue) != 0)
		return map_error(err, err_len, "lcore map: bad queue in '%.*s' (0..%d)",
				 len, begin, FWD_MAX_QUEUES - 1);
	pair->port = (uint16_t)port;
	pair->queue = (uint16_t)queue;
	return 0;
}

static int parse_lcore_entry(struct fwd_lcore_map *map, const char *begin, const char *end,
			     char *err, size_t err_len)
{
	const char *colon = memchr(begin, ':', (size_t)(end - begin));
	struct fwd_lcore_assignment *a;
	unsigned long lcore;
	const char *p;
	int len = (int)(end - begin);

	if (colon == NULL)
		return map_error(err, err_len, "lcore map: '%.*s' is not LCORE:PORT.QUEUE[,...]",
				 len, begin);
	if (parse_number(begin, colon, FWD_MAX_LCORES - 1, &lcore) != 0)
		return map_error(err, err_len, "lcore map: bad lcore id in '%.*s' (0..%d)",
				 len, begin, FWD_MAX_LCORES - 1);
	for (unsigned int i = 0; i < map->nb_lcores; i++)
		if (map->lcores[i].lcore_id == lcore)
			return map_error(err, err_len, "lcore map: lcore %lu is listed twice", lcore);
	if (map->nb_lcores == FWD_MAX_LCORES)
		return map_error(err, err_len, "lcore map: more than %d lcores", FWD_MAX_LCORES);
	if (colon + 1 == end)
		return map_error(err, err_len, "lcore map: lcore %lu has no PORT.QUEUE pairs", lcore);

	a = &map->lcores[map->nb_lcores];
	memset(a, 0, sizeof(*a));
	a->lcore_id = (unsigned int)lcore;
	for (p = colon + 1; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *pair_end = comma != NULL ? comma : end;
		struct fwd_pair pair;
		int rc;

		if (a->nb_pairs == FWD_MAX_PAIRS_PER_LCORE)
			return map_error(err, err_len, "lcore map: lcore %lu has more than %d pairs",
					 lcore, FWD_MAX_PAIRS_PER_LCORE);
		rc = parse_pair(p, pair_end, &pair, err, err_len);
		if (rc != 0)
			return rc;
		a->pairs[a->nb_pairs++] = pair;
		if (comma != NULL && comma + 1 == end)
			return map_error(err, err_len, "lcore map: trailing ',' after lcore %lu", lcore);
		p = comma != NULL ? comma + 1 : end;
	}
	map->nb_lcores++;
	return 0;
}

int fwd_lcore_map_parse(struct fwd_lcore_map *map, const char *text, char *err, size_t err_len)
{
	const char *p = text;
	const char *end = text + strlen(text);

	if (p == end)
		return map_error(err, err_len, "lcore map: empty");
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *entry_end = semi != NULL ? semi : end;
		int rc;

		if (entry_end == p)
			return map_error(err, err_len, "lcore map: empty lcore entry in '%s'", text);
		rc = parse_lcore_entry(map, p, entry_end, err, err_len);
		if (rc != 0)
			return rc;
		p = semi != NULL ? semi + 1 : end;
	}
	return 0;
}

int fwd_lcore_map_check(const struct fwd_lcore_map *map, const struct fwd_lcore_env *env,
			char *err, size_t err_len)
{
	/* owner[port][queue] = index + 1 of the lcore entry that polls it, 0 when none */
	static const unsigned int none;
	unsigned int owner[FWD_MAX_PORTS][FWD_MAX_QUEUES];

	memset(owner, 0, sizeof(owner));
	if (map->nb_lcores == 0)
		return map_error(err, err_len, "lcore map: no lcores");
	for (unsigned int i = 0; i < map->nb_lcores; i++) {
		const struct fwd_lcore_assignment *a = &map->lcores[i];

		if (a->lcore_id >= FWD_MAX_LCORES || !env->lcore_enabled[a->lcore_id])
			return map_error(err, err_len,
					 "lcore map: lcore %u is not enabled in the EAL (-l/--lcores)",
					 a->lcore_id);
		if (a->lcore_id == env->main_lcore)
			return map_error(err, err_len,
					 "lcore map: lcore %u is the main lcore, which only reports",
					 a->lcore_id);
		for (unsigned int j = 0; j < a->nb_pairs; j++) {
			const struct fwd_pair *pair = &a->pairs[j];
			unsigned int *o;

			if (pair->port >= FWD_MAX_PORTS || !env->port_valid[pair->port])
				return map_error(err, err_len,
						 "lcore map: lcore %u polls port %u, which does not exist",
						 a->lcore_id, pair->port);
			if (pair->queue >= env->nb_rxq[pair->port])
				return map_error(err, err_len,
						 "lcore map: lcore %u polls port %u queue %u, but the port has %u Rx queues",
						 a->lcore_id, pair->port, pair->queue,
						 env->nb_rxq[pair->port]);
			o = &owner[pair->port][pair->queue];
			if (*o != none) {
				if (*o == i + 1)
					return map_error(err, err_len,
							 "lcore map: lcore %u lists port %u queue %u twice",
							 a->lcore_id, pair->port, pair->queue);
				return map_error(err, err_len,
						 "lcore map: port %u queue %u is polled by both lcore %u and lcore %u",
						 pair->port, pair->queue,
						 map->lcores[*o - 1].lcore_id, a->lcore_id);
			}
			*o = i + 1;
		}
	}
	return 0;
}

int fwd_lcore_map_auto(struct fwd_lcore_map *map, const struct fwd_lcore_env *env,
		       char *err, size_t err_len)
{
	unsigned int workers[FWD_MAX_LCORES];
	unsigned int nb_workers = 0, next = 0, nb_pairs = 0;

	memset(map, 0, sizeof(*map));
	for (unsigned int l = 0; l < FWD_MAX_LCORES; l++)
		if (env->lcore_enabled[l] && l != env->main_lcore)
			workers[nb_workers++] = l;
	if (nb_workers == 0)
		return map_error(err, err_len,
				 "no forwarding lcore: give the EAL at least two lcores (-l), the main lcore only reports");

	/* Queue-major order: queue 0 of every port first, so that with one queue per port each port
	 * gets its own lcore when there are enough. */
	for (unsigned int q = 0; q < FWD_MAX_QUEUES; q++) {
		for (unsigned int p = 0; p < env->nb_ports && p < FWD_MAX_PORTS; p++) {
			struct fwd_lcore_assignment *a;

			if (!env->port_valid[p] || q >= env->nb_rxq[p])
				continue;
			a = &map->lcores[next];
			if (a->nb_pairs == FWD_MAX_PAIRS_PER_LCORE)
				return map_error(err, err_len, "more than %d queues per lcore",
						 FWD_MAX_PAIRS_PER_LCORE);
			a->lcore_id = workers[next];
			a->pairs[a->nb_pairs++] = (struct fwd_pair){ .port = (uint16_t)p,
								     .queue = (uint16_t)q };
			nb_pairs++;
			next = (next + 1) % nb_workers;
		}
	}
	if (nb_pairs == 0)
		return map_error(err, err_len, "no port to forward on (add --vdev or -a)");
	map->nb_lcores = nb_pairs < nb_workers ? nb_pairs : nb_workers;
	return 0;
}

unsigned int fwd_lcore_map_unpolled(const struct fwd_lcore_map *map, const struct fwd_lcore_env *env,
				    struct fwd_pair *first)
{
	unsigned int count = 0;

	for (unsigned int p = 0; p < env->nb_ports && p < FWD_MAX_PORTS; p++) {
		if (!env->port_valid[p])
			continue;
		for (unsigned int q = 0; q < env->nb_rxq[p]; q++) {
			bool polled = false;

			for (unsigned int i = 0; i < map->nb_lcores && !polled; i++)
				for (unsigned int j = 0; j < map->lcores[i].nb_pairs && !polled; j++)
					polled = map->lcores[i].pairs[j].port == p &&
						 map->lcores[i].pairs[j].queue == q;
			if (!polled && count++ == 0 && first != NULL)
				*first = (struct fwd_pair){ .port = (uint16_t)p, .queue = (uint16_t)q };
		}
	}
	return count;
}
