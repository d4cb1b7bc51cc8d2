/* SPDX-License-Identifier: BSD-3-Clause */
/* The packet types the scalar Rx paths report when the application asks (rxtx_ptype.h). */
#include "rxtx/rxtx_ptype.h"

const uint32_t *
vionet_rx_ptypes_supported(void)
{
	static const uint32_t ptypes[] = {
		RTE_PTYPE_L2_ETHER,	  RTE_PTYPE_L2_ETHER_VLAN, RTE_PTYPE_L2_ETHER_QINQ,
		RTE_PTYPE_L2_ETHER_ARP,	  RTE_PTYPE_L2_ETHER_LLDP, RTE_PTYPE_L2_ETHER_TIMESYNC,
		RTE_PTYPE_L3_IPV4,	  RTE_PTYPE_L3_IPV4_EXT,   RTE_PTYPE_L3_IPV6,
		RTE_PTYPE_L3_IPV6_EXT,	  RTE_PTYPE_L4_TCP,	   RTE_PTYPE_L4_UDP,
		RTE_PTYPE_L4_SCTP,	  RTE_PTYPE_L4_ICMP,	   RTE_PTYPE_L4_FRAG,
		RTE_PTYPE_L4_NONFRAG,	  RTE_PTYPE_UNKNOWN,
	};

	return ptypes;
}
