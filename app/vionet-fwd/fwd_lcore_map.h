/* The lcore map: which forwarding lcore polls which (port, Rx queue) pairs.
 *
 * Parsing and checking are plain C without EAL, so that unit tests cover every accepted and rejected
 * map; main.c feeds the EAL's view (enabled lcores, main lcore, queue counts) into the checks.
 */
#ifndef FWD_LCORE_MAP_H
#define FWD_LCORE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FWD_MAX_LCORES 128      /* RTE_MAX_LCORE in Debian's DPDK 22.11 */
#define FWD_MAX_PORTS 32        /* RTE_MAX_ETHPORTS */
#define FWD_MAX_QUEUES 64       /* per port and direction */
#define FWD_MAX_PAIRS_PER_LCORE 64

struct fwd_pair {
	uint16_t port;
	uint16_t queue;
};

struct fwd_lcore_assignment {
	unsigned int lcore_id;
	uint16_t nb_pairs;
	struct fwd_pair pairs[FWD_MAX_PAIRS_PER_LCORE];
};

struct fwd_lcore_map {
	unsigned int nb_lcores;
	struct fwd_lcore_assignment lcores[FWD_MAX_LCORES];
};

/* What the running EAL and the configured ports look like, for the checks. */
struct fwd_lcore_env {
	unsigned int main_lcore;
	bool lcore_enabled[FWD_MAX_LCORES];
	uint16_t nb_ports;
	bool port_valid[FWD_MAX_PORTS];
	uint16_t nb_rxq[FWD_MAX_PORTS];
};

/* Appends the lcores described by text to map. Syntax, one or more lcores separated by ';':
 *   LCORE:PORT.QUEUE[,PORT.QUEUE...]      e.g. "1:0.0,1.0;2:0.1,1.1"
 * Returns 0, or -EINVAL with a message naming the problem in err. */
int fwd_lcore_map_parse(struct fwd_lcore_map *map, const char *text, char *err, size_t err_len);

/* Checks map against the EAL and the ports: lcores enabled and not the main one, ports and queues
 * that exist, no (port, queue) polled twice. Returns 0 or -EINVAL with a message in err. */
int fwd_lcore_map_check(const struct fwd_lcore_map *map, const struct fwd_lcore_env *env,
			char *err, size_t err_len);

/* Fills map with every (port, Rx queue) of env spread round-robin over the enabled lcores other than
 * the main one, so that no two lcores differ by more than one pair. Returns 0 or -EINVAL (no worker
 * lcore, or nothing to poll) with a message in err. */
int fwd_lcore_map_auto(struct fwd_lcore_map *map, const struct fwd_lcore_env *env,
		       char *err, size_t err_len);

/* Rx queues of env that no lcore polls; they fill up and drop. Returns how many, and the first one. */
unsigned int fwd_lcore_map_unpolled(const struct fwd_lcore_map *map, const struct fwd_lcore_env *env,
				    struct fwd_pair *first);

#endif
