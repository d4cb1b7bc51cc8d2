/* SPDX-License-Identifier: BSD-3-Clause */
/* Devargs of both drivers: accepted forms, defaults, and a message naming each bad argument. */
#include <string.h>

#include <CUnit/Basic.h>

#include "base/vionet_devargs.h"
#include "test_run_suite.h"

static struct vionet_devargs da;
static char err[512];

static int
parse_user(const char *args)
{
	return vionet_devargs_parse("net_vionet_user0", args, VIONET_DEVARGS_USER, &da, err, sizeof(err));
}

static int
parse_pci(const char *args)
{
	return vionet_devargs_parse("0000:00:04.0", args, VIONET_DEVARGS_PCI, &da, err, sizeof(err));
}

static void
test_user_full_set(void)
{
	CU_ASSERT_EQUAL(parse_user("path=/run/vhost.sock,server=1,queues=4,queue_size=1024,packed_vq=1,"
				   "in_order=0,mrg_rxbuf=0,mac=02:00:00:00:00:05,speed=25000,vectorized=0"),
			0);
	CU_ASSERT_STRING_EQUAL(da.path, "/run/vhost.sock");
	CU_ASSERT_TRUE(da.server);
	CU_ASSERT_EQUAL(da.queue_pairs, 4);
	CU_ASSERT_EQUAL(da.queue_size, 1024);
	CU_ASSERT_TRUE(da.packed_vq);
	CU_ASSERT_FALSE(da.in_order);
	CU_ASSERT_FALSE(da.mrg_rxbuf);
	CU_ASSERT_EQUAL(da.vector_bits_max, VIONET_VECTOR_SCALAR);
	CU_ASSERT_TRUE(da.mac_set);
	CU_ASSERT_EQUAL(da.mac.addr_bytes[0], 0x02);
	CU_ASSERT_EQUAL(da.mac.addr_bytes[5], 0x05);
	CU_ASSERT_EQUAL(da.speed_mbps, 25000);
}

static void
test_user_defaults(void)
{
	CU_ASSERT_EQUAL(parse_user("path=/x"), 0);
	CU_ASSERT_FALSE(da.server);
	CU_ASSERT_EQUAL(da.queue_pairs, 1);
	CU_ASSERT_EQUAL(da.queue_size, 0);
	CU_ASSERT_FALSE(da.packed_vq);
	CU_ASSERT_TRUE(da.in_order);
	CU_ASSERT_TRUE(da.mrg_rxbuf);
	CU_ASSERT_FALSE(da.mac_set);
	CU_ASSERT_EQUAL(da.vector_bits_max, VIONET_VECTOR_ANY);
	CU_ASSERT_EQUAL(err[0], '\0');
}

/* vectorized= takes a width name, auto, 1 or 0. */
static void
test_vectorized_widths(void)
{
	static const struct {
		const char *args;
		uint16_t bits;
	} cases[] = {
		{"vectorized=auto", VIONET_VECTOR_ANY}, {"vectorized=1", VIONET_VECTOR_ANY},
		{"vectorized=0", VIONET_VECTOR_SCALAR}, {"vectorized=sse", VIONET_VECTOR_SSE},
		{"vectorized=avx2", VIONET_VECTOR_AVX2}, {"vectorized=avx512", VIONET_VECTOR_AVX512},
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(parse_pci(cases[i].args), 0);
		CU_ASSERT_EQUAL(da.vector_bits_max, cases[i].bits);
	}
	CU_ASSERT_EQUAL(parse_pci("vectorized=avx"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "avx512"));
}

/* Each bad value fails and the message names the argument. */
static void
test_user_bad_values_name_the_argument(void)
{
	static const struct {
		const char *args;
		const char *named;
	} cases[] = {
		{"path=/x,queues=0", "queues"},
		{"path=/x,queues=129", "queues"},
		{"path=/x,queues=two", "queues"},
		{"path=/x,queue_size=8", "queue_size"},
		{"path=/x,queue_size=0", "queue_size"},
		{"path=/x,queue_size=", "queue_size"},
		{"path=/x,queue_size=32769", "queue_size"},
		{"path=/x,queue_size=65536", "queue_size"},
		{"path=/x,packed_vq=1,queue_size=32769", "queue_size"},
		{"path=/x,queue_size=1000", "queue_size"}, /* split ring needs a power of two */
		{"path=/x,packed_vq=2", "packed_vq"},
		{"path=/x,in_order=yes", "in_order"},
		{"path=/x,mrg_rxbuf=-1", "mrg_rxbuf"},
		{"path=/x,server=", "server"},
		{"path=/x,mac=01:00:00:00:00:01", "mac"}, /* multicast */
		{"path=/x,mac=00:00:00:00:00:00", "mac"},
		{"path=/x,mac=zz", "mac"},
		{"path=/x,speed=0", "speed"},
		{"path=/x,speed=400001", "speed"},
		{"path=/x,speed=fast", "speed"},
		{"path=/x,vectorized=2", "vectorized"},
		{"path=/x,queues=-1", "queues"},
		{"path=/x,queues=2,queues=3", "queues"},
		{"queues=2", "path"},
		{"", "path"},
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(parse_user(cases[i].args), -EINVAL);
		if (strstr(err, cases[i].named) == NULL)
			CU_FAIL_FATAL("error message does not name the argument");
	}
}

/* The same for the PCI driver's keys. */
static void
test_pci_bad_values_name_the_argument(void)
{
	static const struct {
		const char *args;
		const char *named;
	} cases[] = {
		{"queue_size=0", "queue_size"},
		{"queue_size=15", "queue_size"},
		{"queue_size=1000", "queue_size"}, /* split ring needs a power of two */
		{"queue_size=32769", "queue_size"},
		{"legacy=2", "legacy"},
		{"vectorized=on", "vectorized"},
		{"packed_vq=", "packed_vq"},
		{"in_order=3", "in_order"},
		{"mrg_rxbuf=x", "mrg_rxbuf"},
		{"mac=ff:ff:ff:ff:ff:ff", "mac"},
		{"speed=0", "speed"},
		{"legacy=1,legacy=0", "legacy"},
		{"queues=2", "queues"}, /* vhost-user only: the device says how many pairs */
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(parse_pci(cases[i].args), -EINVAL);
		if (strstr(err, cases[i].named) == NULL)
			CU_FAIL_FATAL("error message does not name the argument");
	}
	CU_ASSERT_EQUAL(parse_pci("packed_vq=1,queue_size=1000"), 0);
	CU_ASSERT_EQUAL(da.queue_size, 1000);
}

static void
test_packed_allows_odd_queue_size(void)
{
	CU_ASSERT_EQUAL(parse_user("path=/x,packed_vq=1,queue_size=1000"), 0);
	CU_ASSERT_EQUAL(da.queue_size, 1000);
}

static void
test_unknown_key_lists_accepted_keys(void)
{
	CU_ASSERT_EQUAL(parse_user("path=/x,iface=foo"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "queue_size"));
	/* legacy= is PCI only */
	CU_ASSERT_EQUAL(parse_user("path=/x,legacy=1"), -EINVAL);
}

static void
test_pci_keys(void)
{
	CU_ASSERT_EQUAL(parse_pci(NULL), 0);
	CU_ASSERT_FALSE(da.force_legacy);
	CU_ASSERT_EQUAL(parse_pci("legacy=1,packed_vq=1,queue_size=256"), 0);
	CU_ASSERT_TRUE(da.force_legacy);
	CU_ASSERT_TRUE(da.packed_vq);
	/* path= is vhost-user only */
	CU_ASSERT_EQUAL(parse_pci("path=/x"), -EINVAL);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"user: every key", test_user_full_set},
	        {"user: defaults", test_user_defaults},
	        {"vectorized: width names", test_vectorized_widths},
	        {"user: bad values name the argument", test_user_bad_values_name_the_argument},
	        {"packed ring allows any queue size", test_packed_allows_odd_queue_size},
	        {"unknown key lists accepted keys", test_unknown_key_lists_accepted_keys},
	        {"pci: keys", test_pci_keys},
	        {"pci: bad values name the argument", test_pci_bad_values_name_the_argument},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("devargs", tests);
}
