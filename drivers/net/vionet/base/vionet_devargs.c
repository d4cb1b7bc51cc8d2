/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/vionet_devargs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>

#include "base/vionet_log.h"

/* What the keys of a handler write to; rte_kvargs_process hands one opaque pointer. */
struct devargs_ctx {
	struct vionet_devargs *out;
	char bad_key[32];    /* set by a handler that refuses its value (kvargs memory dies first) */
	const char *allowed; /* what that key accepts, for the message */
};

static int
parse_u32(const char *value, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (value == NULL || *value == '\0' || *value == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(value, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int
refuse(struct devargs_ctx *ctx, const char *key, const char *allowed)
{
	snprintf(ctx->bad_key, sizeof(ctx->bad_key), "%s", key);
	ctx->allowed = allowed;
	return -EINVAL;
}

static int
handle_bool(const char *key, const char *value, void *opaque, bool *field)
{
	uint32_t v;

	if (parse_u32(value, 0, 1, &v) < 0)
		return refuse(opaque, key, "0 or 1");
	*field = v == 1;
	return 0;
}

/* vectorized=: a width name, or auto / 1 (the widest allowed) / 0 (scalar). */
static int
handle_vector_width(const char *key, const char *value, void *opaque, uint16_t *field)
{
	static const struct {
		const char *name;
		uint16_t bits;
	} widths[] = {
		{"auto", VIONET_VECTOR_ANY}, {"1", VIONET_VECTOR_ANY},
		{"0", VIONET_VECTOR_SCALAR}, {"sse", VIONET_VECTOR_SSE},
		{"avx2", VIONET_VECTOR_AVX2}, {"avx512", VIONET_VECTOR_AVX512},
	};

	for (unsigned int i = 0; value != NULL && i < RTE_DIM(widths); i++) {
		if (strcmp(value, widths[i].name) == 0) {
			*field = widths[i].bits;
			return 0;
		}
	}
	return refuse(opaque, key, "auto, 0, 1, sse, avx2 or avx512");
}

/* One handler per key: rte_kvargs passes the key, so a single function dispatches on it. */
static int
handle_key(const char *key, const char *value, void *opaque)
{
	struct devargs_ctx *ctx = opaque;
	struct vionet_devargs *out = ctx->out;
	uint32_t v;

	if (strcmp(key, "path") == 0) {
		if (value == NULL || *value == '\0' || strlen(value) >= sizeof(out->path))
			return refuse(ctx, key, "a unix socket path shorter than PATH_MAX");
		strcpy(out->path, value);
		return 0;
	}
	if (strcmp(key, "server") == 0)
		return handle_bool(key, value, ctx, &out->server);
	if (strcmp(key, "queues") == 0) {
		if (parse_u32(value, 1, VIONET_QUEUE_PAIRS_MAX, &v) < 0)
			return refuse(ctx, key, "a number of queue pairs from 1 to 128");
		out->queue_pairs = (uint16_t)v;
		return 0;
	}
	if (strcmp(key, "queue_size") == 0) {
		if (parse_u32(value, VIONET_QUEUE_SIZE_MIN, VIONET_QUEUE_SIZE_MAX, &v) < 0)
			return refuse(ctx, key, "a descriptor count from 16 to 32768");
		out->queue_size = (uint16_t)v;
		return 0;
	}
	if (strcmp(key, "packed_vq") == 0)
		return handle_bool(key, value, ctx, &out->packed_vq);
	if (strcmp(key, "in_order") == 0)
		return handle_bool(key, value, ctx, &out->in_order);
	if (strcmp(key, "mrg_rxbuf") == 0)
		return handle_bool(key, value, ctx, &out->mrg_rxbuf);
	if (strcmp(key, "vectorized") == 0)
		return handle_vector_width(key, value, ctx, &out->vector_bits_max);
	if (strcmp(key, "legacy") == 0)
		return handle_bool(key, value, ctx, &out->force_legacy);
	if (strcmp(key, "mac") == 0) {
		if (value == NULL || rte_ether_unformat_addr(value, &out->mac) < 0 ||
		    !rte_is_unicast_ether_addr(&out->mac) || rte_is_zero_ether_addr(&out->mac))
			return refuse(ctx, key, "a unicast MAC address xx:xx:xx:xx:xx:xx");
		out->mac_set = true;
		return 0;
	}
	if (strcmp(key, "speed") == 0) {
		if (parse_u32(value, 1, VIONET_SPEED_MAX_MBPS, &v) < 0)
			return refuse(ctx, key, "a link speed in Mbps from 1 to 400000");
		out->speed_mbps = v;
		return 0;
	}
	return refuse(ctx, key, "a known key"); /* unreachable: rte_kvargs checks keys */
}

static void
report(char *err, size_t err_len, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	VIONET_INIT_LOG(ERR, "%s", msg);
	if (err != NULL && err_len > 0)
		snprintf(err, err_len, "%s", msg);
}

static void
set_defaults(struct vionet_devargs *out)
{
	memset(out, 0, sizeof(*out));
	out->queue_pairs = 1;
	out->queue_size = 0; /* device default: vhost-user VIONET_QUEUE_SIZE_DEFAULT, PCI its max */
	out->packed_vq = false;
	out->in_order = true;
	out->mrg_rxbuf = true;
	out->vector_bits_max = VIONET_VECTOR_ANY;
}

int
vionet_devargs_parse(const char *dev_name, const char *args, enum vionet_devargs_kind kind,
		     struct vionet_devargs *out, char *err, size_t err_len)
{
	static const char *const user_keys[] = {
		"path",	     "server", "queues", "queue_size", "packed_vq", "in_order",
		"mrg_rxbuf", "mac",    "speed",	 "vectorized", NULL,
	};
	static const char *const pci_keys[] = {
		"queue_size", "packed_vq", "in_order",	 "mrg_rxbuf",
		"mac",	      "speed",	   "vectorized", "legacy",
		NULL,
	};
	const char *const *keys = kind == VIONET_DEVARGS_USER ? user_keys : pci_keys;
	const char *param_string = kind == VIONET_DEVARGS_USER ? VIONET_USER_PARAMS : VIONET_PCI_PARAMS;
	struct devargs_ctx ctx = {.out = out};
	struct rte_kvargs *kvlist;
	int ret = 0;

	set_defaults(out);
	if (err != NULL && err_len > 0)
		err[0] = '\0';

	if (args != NULL && *args != '\0') {
		kvlist = rte_kvargs_parse(args, keys);
		if (kvlist == NULL) {
			report(err, err_len, "%s: cannot parse devargs \"%s\": unknown key or bad syntax; accepted: %s",
			       dev_name, args, param_string);
			return -EINVAL;
		}
		for (unsigned int i = 0; keys[i] != NULL && ret == 0; i++) {
			if (rte_kvargs_count(kvlist, keys[i]) > 1) {
				report(err, err_len, "%s: devarg %s given more than once", dev_name, keys[i]);
				ret = -EINVAL;
				break;
			}
			ret = rte_kvargs_process(kvlist, keys[i], handle_key, &ctx);
		}
		rte_kvargs_free(kvlist);
		if (ret != 0) {
			if (ctx.bad_key[0] != '\0')
				report(err, err_len, "%s: devarg %s: bad value; expected %s", dev_name,
				       ctx.bad_key, ctx.allowed);
			return -EINVAL;
		}
	}

	if (kind == VIONET_DEVARGS_USER && out->path[0] == '\0') {
		report(err, err_len, "%s: devarg path is required: path=<vhost-user unix socket>", dev_name);
		return -EINVAL;
	}
	/* Split rings index with a mask (2.7 Split Virtqueues: size is a power of 2). */
	if (out->queue_size != 0 && !out->packed_vq && !rte_is_power_of_2(out->queue_size)) {
		report(err, err_len,
		       "%s: devarg queue_size=%u: a split ring needs a power of two (16..32768); "
		       "any size is allowed only with packed_vq=1",
		       dev_name, out->queue_size);
		return -EINVAL;
	}
	return 0;
}
