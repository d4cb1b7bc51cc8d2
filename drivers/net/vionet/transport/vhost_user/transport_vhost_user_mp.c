/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kick fds from the primary to its secondaries over rte_mp (transport_vhost_user_mp.h). One
 * request names the port and the first queue it wants; the answer carries up to RTE_MP_MAX_FD_NUM
 * fds from there and the port's queue count, so a secondary pages through the queues.
 */
#include "transport/vhost_user/transport_vhost_user_mp.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "base/vionet_log.h"

#define VU_MP_ACTION "vionet_vu_kick_fds"
#define VU_MP_TIMEOUT_S 5 /* an answer not there by then: the primary is stuck or gone */

struct vu_mp_request {
	char name[RTE_DEV_NAME_MAX_LEN];
	uint16_t first_queue;
};

struct vu_mp_answer {
	int32_t result;	     /* 0 or a negative errno */
	uint16_t nb_queues;  /* the port's Rx/Tx queues, all pages together */
	uint16_t first_queue;
	uint16_t count;	     /* fds in this message, for queues first_queue.. */
};

/*
 * The primary's ports that serve, in this process only. The lock also keeps a port's fds open
 * while an answer carrying them is sent: vu_mp_unserve takes it before close frees them.
 */
static pthread_mutex_t served_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vu_priv *served[RTE_MAX_ETHPORTS];
static unsigned int nb_served;
static bool action_registered;

static struct vu_priv *
served_find(const char *name)
{
	for (unsigned int i = 0; i < RTE_DIM(served); i++)
		if (served[i] != NULL && strcmp(served[i]->t->name, name) == 0)
			return served[i];
	return NULL;
}

/* On the primary's rte_mp thread. */
static int
answer_request(const struct rte_mp_msg *msg, const void *peer)
{
	struct vu_mp_request req;
	struct vu_mp_answer ans = {.result = -ENODEV};
	struct rte_mp_msg reply;
	struct vu_priv *p;
	int ret;

	memset(&reply, 0, sizeof(reply));
	snprintf(reply.name, sizeof(reply.name), "%s", VU_MP_ACTION);
	reply.len_param = sizeof(ans);
	if (msg->len_param != sizeof(req)) {
		ans.result = -EINVAL;
		memcpy(reply.param, &ans, sizeof(ans));
		return rte_mp_reply(&reply, peer);
	}
	memcpy(&req, msg->param, sizeof(req));
	req.name[sizeof(req.name) - 1] = '\0';
	pthread_mutex_lock(&served_lock);
	p = served_find(req.name);
	if (p != NULL) {
		ans.nb_queues = p->nb_queues;
		ans.first_queue = req.first_queue;
		if (req.first_queue > p->nb_queues) {
			ans.result = -EINVAL;
		} else {
			ans.result = 0;
			ans.count = (uint16_t)RTE_MIN(p->nb_queues - req.first_queue,
						      RTE_MP_MAX_FD_NUM);
			for (uint16_t i = 0; i < ans.count; i++)
				reply.fds[i] = p->queues[req.first_queue + i].kick_fd;
			reply.num_fds = ans.count;
		}
	}
	memcpy(reply.param, &ans, sizeof(ans));
	/* Sent under the lock: sendmsg duplicates the fds into the secondary before close can run. */
	ret = rte_mp_reply(&reply, peer);
	pthread_mutex_unlock(&served_lock);
	if (ans.result < 0)
		VIONET_USER_LOG(WARNING, "%s: a secondary's request for kick fds from queue %u: %s",
				req.name, req.first_queue, strerror(-ans.result));
	return ret;
}

int
vu_mp_serve(struct vu_priv *p)
{
	int ret = 0;

	pthread_mutex_lock(&served_lock);
	if (!action_registered) {
		if (rte_mp_action_register(VU_MP_ACTION, answer_request) < 0 && rte_errno != EEXIST) {
			/* No channel (--in-memory, --no-shconf): no secondary can exist to ask. */
			if (rte_errno == ENOTSUP) {
				VIONET_USER_LOG(DEBUG, "%s: no multi-process channel: kick fds not served",
						p->t->name);
				goto out;
			}
			ret = -rte_errno;
			VIONET_USER_LOG(ERR, "%s: cannot serve kick fds to secondaries: %s",
					p->t->name, rte_strerror(rte_errno));
			goto out;
		}
		action_registered = true;
	}
	for (unsigned int i = 0; i < RTE_DIM(served); i++)
		if (served[i] == NULL) {
			served[i] = p;
			nb_served++;
			goto out;
		}
	ret = -ENOSPC; /* more vhost-user ports than ethdev ports: cannot happen */
out:
	pthread_mutex_unlock(&served_lock);
	return ret;
}

void
vu_mp_unserve(struct vu_priv *p)
{
	bool unregister = false;

	pthread_mutex_lock(&served_lock);
	for (unsigned int i = 0; i < RTE_DIM(served); i++)
		if (served[i] == p) {
			served[i] = NULL;
			nb_served--;
			unregister = nb_served == 0 && action_registered;
			break;
		}
	if (unregister)
		action_registered = false;
	pthread_mutex_unlock(&served_lock);
	/* Outside our lock: the rte_mp thread may be waiting for it inside answer_request. */
	if (unregister)
		rte_mp_action_unregister(VU_MP_ACTION);
}

static void
close_fds(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* One page: fds of queues first.. appended at fds[first]. Returns the count taken or -errno. */
static int
fetch_page(const char *name, uint16_t first, int *fds, uint16_t fds_max, uint16_t *nb_queues)
{
	struct rte_mp_msg req;
	struct rte_mp_reply reply = {0};
	struct timespec timeout = {.tv_sec = VU_MP_TIMEOUT_S};
	struct vu_mp_request r = {.first_queue = first};
	struct vu_mp_answer ans;
	const struct rte_mp_msg *m;
	int ret;

	memset(&req, 0, sizeof(req));
	snprintf(req.name, sizeof(req.name), "%s", VU_MP_ACTION);
	snprintf(r.name, sizeof(r.name), "%s", name);
	req.len_param = sizeof(r);
	memcpy(req.param, &r, sizeof(r));
	ret = rte_mp_request_sync(&req, &reply, &timeout);
	if (ret < 0 || reply.nb_received != 1) {
		/* No answer at all: a primary without this driver's port (or without the driver). */
		ret = ret < 0 ? -rte_errno : -ENODEV;
		VIONET_USER_LOG(ERR, "%s: no answer from the primary about the kick fds (%s)", name,
				rte_strerror(-ret));
		for (int i = 0; i < reply.nb_received; i++)
			close_fds(reply.msgs[i].fds, reply.msgs[i].num_fds);
		free(reply.msgs);
		return ret;
	}
	m = &reply.msgs[0];
	ret = -EPROTO;
	if (m->len_param != sizeof(ans)) {
		VIONET_USER_LOG(ERR, "%s: the primary's answer about the kick fds has %d bytes", name,
				m->len_param);
		goto drop;
	}
	memcpy(&ans, m->param, sizeof(ans));
	if (ans.result < 0) {
		ret = ans.result;
		VIONET_USER_LOG(ERR, "%s: the primary cannot give the kick fds: %s", name,
				strerror(-ans.result));
		goto drop;
	}
	if (ans.first_queue != first || ans.count != m->num_fds || ans.nb_queues > fds_max ||
	    first + ans.count > ans.nb_queues || (ans.count == 0 && first < ans.nb_queues)) {
		VIONET_USER_LOG(ERR, "%s: the primary's answer about the kick fds is inconsistent "
				"(queues %u, from %u: %u fds, %d attached; room for %u)", name,
				ans.nb_queues, ans.first_queue, ans.count, m->num_fds, fds_max);
		goto drop;
	}
	memcpy(fds + first, m->fds, ans.count * sizeof(int));
	*nb_queues = ans.nb_queues;
	free(reply.msgs);
	return ans.count;
drop:
	close_fds(m->fds, m->num_fds);
	free(reply.msgs);
	return ret;
}

int
vu_mp_fetch_kick_fds(const char *name, int *fds, uint16_t fds_max, uint16_t *nb_fds)
{
	uint16_t have = 0, nb_queues = 1;

	while (have < nb_queues) {
		int n = fetch_page(name, have, fds, fds_max, &nb_queues);

		if (n <= 0) {
			close_fds(fds, have);
			return n < 0 ? n : -EPROTO;
		}
		have = (uint16_t)(have + n);
	}
	*nb_fds = have;
	return 0;
}
