/* The l2switch's MAC table: source MACs learned per port, aged out by the main lcore, shared by
 * every forwarding lcore without locks on the read side.
 *
 * rte_hash with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF (lock-free lookups) and MULTI_WRITER_ADD (every
 * lcore learns); deleted key slots are reclaimed through an RCU QSBR defer queue
 * (rte_hash_rcu_qsbr_add), so a slot is reused only after every reader lcore reported a quiescent
 * state, i.e. finished the burst in which it may have looked the old key up.
 */
#ifndef FWD_L2SWITCH_H
#define FWD_L2SWITCH_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

#define FWD_L2SWITCH_NO_PORT UINT16_MAX

struct fwd_l2switch_stats {
	uint64_t learned;   /* new MACs, or MACs that moved to another port */
	uint64_t aged;      /* entries removed by aging */
	uint64_t flooded;   /* packets sent to every other port: broadcast, multicast, unknown */
	uint64_t filtered;  /* packets whose destination is on the port they came from */
	uint64_t table_full;
};

struct fwd_l2switch;

/* entries: table capacity; aging_s: forget a MAC unseen this long. Returns NULL (logged) on error. */
struct fwd_l2switch *fwd_l2switch_create(uint32_t entries, uint32_t aging_s, int socket_id);
void fwd_l2switch_free(struct fwd_l2switch *sw);

/* A forwarding lcore takes part in the RCU grace periods between these two calls. */
int fwd_l2switch_reader_start(struct fwd_l2switch *sw, unsigned int lcore_id);
void fwd_l2switch_reader_stop(struct fwd_l2switch *sw, unsigned int lcore_id);

/* Learns the n source MACs seen on in_port at time now_s (seconds). */
void fwd_l2switch_learn(struct fwd_l2switch *sw, const struct rte_ether_addr *const *src,
			unsigned int n, uint16_t in_port, uint64_t now_s);

/* Looks the n destination MACs up; out_port[i] = the learned port or FWD_L2SWITCH_NO_PORT. */
void fwd_l2switch_lookup(const struct fwd_l2switch *sw, const struct rte_ether_addr *const *dst,
			 unsigned int n, uint16_t *out_port);

/* Removes entries last seen more than the aging time before now_s. Main lcore only. Returns how
 * many it removed. */
unsigned int fwd_l2switch_age(struct fwd_l2switch *sw, uint64_t now_s);

/* Entries in the table. */
unsigned int fwd_l2switch_count(const struct fwd_l2switch *sw);

void fwd_l2switch_count_forwarding(struct fwd_l2switch *sw, uint64_t flooded, uint64_t filtered);
void fwd_l2switch_stats(const struct fwd_l2switch *sw, struct fwd_l2switch_stats *stats);

/* The QSBR variable the forwarding lcores report to after each round of polls. */
struct rte_rcu_qsbr *fwd_l2switch_rcu(struct fwd_l2switch *sw);

static inline void fwd_l2switch_quiescent(struct fwd_l2switch *sw, unsigned int lcore_id)
{
	rte_rcu_qsbr_quiescent(fwd_l2switch_rcu(sw), lcore_id);
}

#endif
