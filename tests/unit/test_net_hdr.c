/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Tx virtio-net header (drivers/net/vionet/vionet_net_hdr.h): what each offload request writes,
 * that exactly hdr_size bytes are written (10 for a legacy device: the next 2 are the frame's), and
 * that an all-zero header already in place is left unwritten: the header sits on a read-only page
 * and a store would end the test with a fault.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_mbuf.h>

#include "rxtx/rxtx_net_hdr.h"
#include "test_run_suite.h"

static struct rte_mbuf mbuf;

static void
plain_mbuf(uint64_t ol_flags)
{
	memset(&mbuf, 0, sizeof(mbuf));
	mbuf.ol_flags = ol_flags;
	mbuf.l2_len = 14;
	mbuf.l3_len = 20;
	mbuf.l4_len = 20;
	mbuf.tso_segsz = 1448;
}

static void
test_no_offload_clears_garbage(void)
{
	uint8_t buf[16];

	for (uint16_t hdr_size = 10; hdr_size <= 12; hdr_size += 2) {
		memset(buf, 0xa5, sizeof(buf));
		plain_mbuf(0);
		vionet_net_hdr_from_mbuf((struct vionet_net_hdr *)buf, &mbuf, hdr_size);
		for (unsigned int i = 0; i < sizeof(buf); i++)
			CU_ASSERT_EQUAL(buf[i], i < hdr_size ? 0 : 0xa5);
	}
	/* one non-zero byte anywhere in the header is enough to rewrite it */
	for (unsigned int pos = 0; pos < 12; pos++) {
		memset(buf, 0, sizeof(buf));
		buf[pos] = 1;
		vionet_net_hdr_from_mbuf((struct vionet_net_hdr *)buf, &mbuf, 12);
		CU_ASSERT_EQUAL(buf[pos], 0);
	}
}

static void
test_zero_header_left_unwritten(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CU_ASSERT_FATAL(p != MAP_FAILED);
	memset(p, 0, (size_t)page);
	p[page - 2] = 0x42; /* the frame right after a legacy 10-byte header */
	CU_ASSERT_FATAL(mprotect(p, (size_t)page, PROT_READ) == 0);
	plain_mbuf(0);
	vionet_net_hdr_from_mbuf((struct vionet_net_hdr *)(p + 64), &mbuf, 12);
	vionet_net_hdr_from_mbuf((struct vionet_net_hdr *)(p + page - 12), &mbuf, 10);
	CU_ASSERT_EQUAL(p[page - 2], 0x42);
	munmap(p, (size_t)page);
}

static void
test_checksum_and_tso(void)
{
	struct vionet_net_hdr hdr;

	memset(&hdr, 0xff, sizeof(hdr));
	plain_mbuf(RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4);
	vionet_net_hdr_from_mbuf(&hdr, &mbuf, sizeof(hdr));
	/* virtio 1.x 5.1.6: VIRTIO_NET_HDR_F_NEEDS_CSUM 1, VIRTIO_NET_HDR_GSO_NONE 0 */
	CU_ASSERT_EQUAL(hdr.flags, 1);
	CU_ASSERT_EQUAL(hdr.gso_type, 0);
	CU_ASSERT_EQUAL(rte_le_to_cpu_16(hdr.csum_start), 34);
	CU_ASSERT_EQUAL(rte_le_to_cpu_16(hdr.csum_offset), 16);
	CU_ASSERT_EQUAL(hdr.gso_size, 0);
	CU_ASSERT_EQUAL(hdr.num_buffers, 0);

	plain_mbuf(RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4);
	vionet_net_hdr_from_mbuf(&hdr, &mbuf, sizeof(hdr));
	CU_ASSERT_EQUAL(rte_le_to_cpu_16(hdr.csum_offset), 6);

	plain_mbuf(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV6);
	vionet_net_hdr_from_mbuf(&hdr, &mbuf, sizeof(hdr));
	/* NEEDS_CSUM 1, VIRTIO_NET_HDR_GSO_TCPV6 4 */
	CU_ASSERT_EQUAL(hdr.flags, 1);
	CU_ASSERT_EQUAL(hdr.gso_type, 4);
	CU_ASSERT_EQUAL(rte_le_to_cpu_16(hdr.gso_size), 1448);
	CU_ASSERT_EQUAL(rte_le_to_cpu_16(hdr.hdr_len), 54);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"no offload: a header with any non-zero byte is zeroed, hdr_size bytes only",
	         test_no_offload_clears_garbage},
	        {"no offload: an all-zero header is not written", test_zero_header_left_unwritten},
	        {"checksum and TSO requests", test_checksum_and_tso},
	        CU_TEST_INFO_NULL,
	};

	return test_run_suite("net_hdr", tests);
}
