/* The l2switch's MAC table (see fwd_l2switch.h). */
#include "fwd_l2switch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>

/* One table slot, indexed by the rte_hash key position. state packs (last_seen_s << 16 | port) in
 * one word so that a reader sees a port and its time together; FWD_L2SWITCH_NO_PORT marks a slot
 * being aged out. */
struct l2switch_entry {
	struct rte_ether_addr mac;
	uint64_t state;
};

struct fwd_l2switch {
	struct rte_hash *table;
	struct rte_rcu_qsbr *rcu;
	struct l2switch_entry *entries;
	uint32_t nb_entries;          /* size of entries: rte_hash_max_key_id + 1 */
	uint32_t aging_s;
	struct fwd_l2switch_stats stats;
};

static inline uint64_t entry_state(uint16_t port, uint64_t now_s)
{
	return now_s << 16 | port;
}

static inline uint16_t state_port(uint64_t state)
{
	return (uint16_t)(state & 0xffff);
}

static inline uint64_t state_seen_s(uint64_t state)
{
	return state >> 16;
}

struct fwd_l2switch *fwd_l2switch_create(uint32_t entries, uint32_t aging_s, int socket_id)
{
	struct rte_hash_rcu_config rcu_cfg = { 0 };
	struct rte_hash_parameters params = { 0 };
	struct fwd_l2switch *sw;
	char name[RTE_HASH_NAMESIZE];
	size_t rcu_size;
	int32_t max_key_id;

	sw = rte_zmalloc_socket("fwd_l2switch", sizeof(*sw), RTE_CACHE_LINE_SIZE, socket_id);
	if (sw == NULL) {
		RTE_LOG(ERR, USER1, "l2switch: no memory for the switch on socket %d\n", socket_id);
		return NULL;
	}
	/* rte_hash names are process-wide and unique: the switch's address makes one. */
	snprintf(name, sizeof(name), "fwd_mac_%p", (void *)sw);
	params.name = name;
	params.entries = entries;
	params.key_len = sizeof(struct rte_ether_addr);
	params.socket_id = socket_id;
	params.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			    RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD;
	sw->table = rte_hash_create(&params);
	if (sw->table == NULL) {
		RTE_LOG(ERR, USER1, "l2switch: rte_hash_create(%u entries): %s\n", entries,
			rte_strerror(rte_errno));
		goto fail;
	}

	rcu_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	sw->rcu = rte_zmalloc_socket("fwd_l2switch_rcu", rcu_size, RTE_CACHE_LINE_SIZE, socket_id);
	if (sw->rcu == NULL || rte_rcu_qsbr_init(sw->rcu, RTE_MAX_LCORE) != 0) {
		RTE_LOG(ERR, USER1, "l2switch: RCU QSBR set-up failed\n");
		goto fail;
	}
	rcu_cfg.v = sw->rcu;
	rcu_cfg.mode = RTE_HASH_QSBR_MODE_DQ;
	if (rte_hash_rcu_qsbr_add(sw->table, &rcu_cfg) != 0) {
		RTE_LOG(ERR, USER1, "l2switch: rte_hash_rcu_qsbr_add: %s\n", rte_strerror(rte_errno));
		goto fail;
	}

	max_key_id = rte_hash_max_key_id(sw->table);
	if (max_key_id < 0)
		goto fail;
	sw->nb_entries = (uint32_t)max_key_id + 1;
	sw->entries = rte_zmalloc_socket("fwd_l2switch_entries",
					 sizeof(*sw->entries) * sw->nb_entries,
					 RTE_CACHE_LINE_SIZE, socket_id);
	if (sw->entries == NULL) {
		RTE_LOG(ERR, USER1, "l2switch: no memory for %u entries\n", sw->nb_entries);
		goto fail;
	}
	for (uint32_t i = 0; i < sw->nb_entries; i++)
		sw->entries[i].state = entry_state(FWD_L2SWITCH_NO_PORT, 0);
	sw->aging_s = aging_s;
	return sw;
fail:
	fwd_l2switch_free(sw);
	return NULL;
}

void fwd_l2switch_free(struct fwd_l2switch *sw)
{
	if (sw == NULL)
		return;
	rte_hash_free(sw->table);
	rte_free(sw->rcu);
	rte_free(sw->entries);
	rte_free(sw);
}

int fwd_l2switch_reader_start(struct fwd_l2switch *sw, unsigned int lcore_id)
{
	int rc = rte_rcu_qsbr_thread_register(sw->rcu, lcore_id);

	if (rc != 0) {
		RTE_LOG(ERR, USER1, "l2switch: lcore %u: RCU register failed\n", lcore_id);
		return rc;
	}
	rte_rcu_qsbr_thread_online(sw->rcu, lcore_id);
	return 0;
}

void fwd_l2switch_reader_stop(struct fwd_l2switch *sw, unsigned int lcore_id)
{
	rte_rcu_qsbr_thread_offline(sw->rcu, lcore_id);
	rte_rcu_qsbr_thread_unregister(sw->rcu, lcore_id);
}

struct rte_rcu_qsbr *fwd_l2switch_rcu(struct fwd_l2switch *sw)
{
	return sw->rcu;
}

void fwd_l2switch_learn(struct fwd_l2switch *sw, const struct rte_ether_addr *const *src,
			unsigned int n, uint16_t in_port, uint64_t now_s)
{
	int32_t pos[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t learned = 0, full = 0;
	uint64_t fresh = entry_state(in_port, now_s);

	rte_hash_lookup_bulk(sw->table, (const void **)(uintptr_t)src, n, pos);
	for (unsigned int i = 0; i < n; i++) {
		struct l2switch_entry *e;
		uint64_t state;

		/* A group address is never a source (IEEE 802.3 4.2.3): not learned. */
		if (rte_is_multicast_ether_addr(src[i]))
			continue;
		if (pos[i] < 0) {
			pos[i] = rte_hash_add_key(sw->table, src[i]);
			if (pos[i] < 0) {
				full++;
				continue;
			}
			e = &sw->entries[pos[i]];
			/* The same source earlier in this burst: the lookup above missed both,
			 * rte_hash_add_key returned the existing key. Aged-out slots hold no port. */
			if (__atomic_load_n(&e->state, __ATOMIC_RELAXED) == fresh)
				continue;
			rte_ether_addr_copy(src[i], &e->mac);
			learned++;
			/* Release: the MAC above is written before the state that makes the
			 * entry live to the aging scan, which loads the state with acquire. */
			__atomic_store_n(&e->state, fresh, __ATOMIC_RELEASE);
			continue;
		}
		e = &sw->entries[pos[i]];
		state = __atomic_load_n(&e->state, __ATOMIC_RELAXED);
		if (state_port(state) == FWD_L2SWITCH_NO_PORT)
			learned++; /* being aged out right now: learned again */
		else if (state == fresh)
			continue; /* the common case: same port, already seen this second */
		else if (state_port(state) != in_port)
			learned++;
		__atomic_store_n(&e->state, fresh, __ATOMIC_RELAXED);
	}
	if (learned != 0)
		__atomic_fetch_add(&sw->stats.learned, learned, __ATOMIC_RELAXED);
	if (full != 0)
		__atomic_fetch_add(&sw->stats.table_full, full, __ATOMIC_RELAXED);
}

void fwd_l2switch_lookup(const struct fwd_l2switch *sw, const struct rte_ether_addr *const *dst,
			 unsigned int n, uint16_t *out_port)
{
	int32_t pos[RTE_HASH_LOOKUP_BULK_MAX];

	rte_hash_lookup_bulk(sw->table, (const void **)(uintptr_t)dst, n, pos);
	for (unsigned int i = 0; i < n; i++)
		out_port[i] = pos[i] < 0 ? FWD_L2SWITCH_NO_PORT :
			state_port(__atomic_load_n(&sw->entries[pos[i]].state, __ATOMIC_RELAXED));
}

unsigned int fwd_l2switch_age(struct fwd_l2switch *sw, uint64_t now_s)
{
	unsigned int removed = 0;

	for (uint32_t i = 0; i < sw->nb_entries; i++) {
		struct l2switch_entry *e = &sw->entries[i];
		/* Acquire: pairs with the learner's release, so e->mac is the learned one. */
		uint64_t state = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);

		if (state_port(state) == FWD_L2SWITCH_NO_PORT ||
		    state_seen_s(state) + sw->aging_s >= now_s)
			continue;
		/* Only if no lcore refreshed it meanwhile; lookups then see "no port" and flood. */
		if (!__atomic_compare_exchange_n(&e->state, &state,
						 entry_state(FWD_L2SWITCH_NO_PORT, 0), false,
						 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			continue;
		if (rte_hash_del_key(sw->table, &e->mac) >= 0)
			removed++;
	}
	__atomic_fetch_add(&sw->stats.aged, removed, __ATOMIC_RELAXED);
	return removed;
}

unsigned int fwd_l2switch_count(const struct fwd_l2switch *sw)
{
	unsigned int live = 0;

	/* Not rte_hash_count: with the RCU defer queue, deleted keys hold their slot until reclaimed. */
	for (uint32_t i = 0; i < sw->nb_entries; i++)
		live += state_port(__atomic_load_n(&sw->entries[i].state, __ATOMIC_RELAXED)) !=
			FWD_L2SWITCH_NO_PORT;
	return live;
}

void fwd_l2switch_count_forwarding(struct fwd_l2switch *sw, uint64_t flooded, uint64_t filtered)
{
	if (flooded != 0)
		__atomic_fetch_add(&sw->stats.flooded, flooded, __ATOMIC_RELAXED);
	if (filtered != 0)
		__atomic_fetch_add(&sw->stats.filtered, filtered, __ATOMIC_RELAXED);
}

void fwd_l2switch_stats(const struct fwd_l2switch *sw, struct fwd_l2switch_stats *stats)
{
	stats->learned = __atomic_load_n(&sw->stats.learned, __ATOMIC_RELAXED);
	stats->aged = __atomic_load_n(&sw->stats.aged, __ATOMIC_RELAXED);
	stats->flooded = __atomic_load_n(&sw->stats.flooded, __ATOMIC_RELAXED);
	stats->filtered = __atomic_load_n(&sw->stats.filtered, __ATOMIC_RELAXED);
	stats->table_full = __atomic_load_n(&sw->stats.table_full, __ATOMIC_RELAXED);
}
