/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Toeplitz hash a device doing RSS must compute, by DPDK's own software implementation
 * (rte_softrss), for the guest RSS test to hold the device's steering against.
 * usage: rss_expect <key as hex>; reads "<flow> <src IPv4> <dst IPv4> <src port> <dst port>" lines
 * and prints "<flow> <hash, hex>" for each (the UDP/TCP over IPv4 tuple of the spec's hash types).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_thash.h>

int
main(int argc, char **argv)
{
	uint8_t key[255];
	size_t key_len, i;
	char src[64], dst[64];
	unsigned int flow, sport, dport;

	if (argc != 2 || strlen(argv[1]) % 2 != 0 || strlen(argv[1]) / 2 > sizeof(key)) {
		fprintf(stderr, "usage: %s <key hex> < tuples\n", argv[0]);
		return 2;
	}
	key_len = strlen(argv[1]) / 2;
	for (i = 0; i < key_len; i++) {
		unsigned int byte;

		if (sscanf(&argv[1][2 * i], "%2x", &byte) != 1) {
			fprintf(stderr, "rss_expect: key: not hex at byte %zu\n", i);
			return 2;
		}
		key[i] = (uint8_t)byte;
	}
	if (key_len < 40) {
		fprintf(stderr, "rss_expect: a key of %zu bytes; the IPv4 4-tuple needs 16\n", key_len);
		if (key_len < 16)
			return 2;
	}
	while (scanf("%u %63s %63s %u %u", &flow, src, dst, &sport, &dport) == 5) {
		struct in_addr s, d;
		uint32_t tuple[3];

		if (inet_pton(AF_INET, src, &s) != 1 || inet_pton(AF_INET, dst, &d) != 1) {
			fprintf(stderr, "rss_expect: flow %u: bad address\n", flow);
			return 2;
		}
		/* rte_softrss takes the tuple in host order: addresses, then sport << 16 | dport */
		tuple[0] = ntohl(s.s_addr);
		tuple[1] = ntohl(d.s_addr);
		tuple[2] = (uint32_t)sport << 16 | (dport & 0xffff);
		printf("%u %08x\n", flow, rte_softrss(tuple, RTE_DIM(tuple), key));
	}
	return 0;
}
