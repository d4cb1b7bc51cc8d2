/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every virtio constant the driver uses, in one place, named as in the virtio 1.2 specification
 * (OASIS virtio-v1.2, section numbers in the comments). The ring layouts themselves (descriptors,
 * available/used rings, packed descriptors, event suppression) are lib/virtq's (virtq_defs.h); this
 * header adds the device status, the network device and the PCI transport's register layouts.
 * One bit macro for feature masks: lib/virtq's VIRTQ_FEATURE(bit).
 */
#ifndef VIONET_SPEC_H
#define VIONET_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include <virtq_defs.h>

/* ---- 2.1 Device Status Field ---- */
#define VIONET_STATUS_ACKNOWLEDGE 1
#define VIONET_STATUS_DRIVER 2
#define VIONET_STATUS_DRIVER_OK 4
#define VIONET_STATUS_FEATURES_OK 8
#define VIONET_STATUS_DEVICE_NEEDS_RESET 64
#define VIONET_STATUS_FAILED 128

/* ---- 6 Reserved Feature Bits (the ring ones are lib/virtq's) ---- */
#define VIONET_F_ANY_LAYOUT 27 /* legacy only: implied by VERSION_1 */
#define VIONET_F_INDIRECT_DESC VIRTQ_F_INDIRECT_DESC
#define VIONET_F_EVENT_IDX VIRTQ_F_EVENT_IDX
#define VIONET_F_VERSION_1 VIRTQ_F_VERSION_1
#define VIONET_F_ACCESS_PLATFORM 33
#define VIONET_F_RING_PACKED VIRTQ_F_RING_PACKED
#define VIONET_F_IN_ORDER VIRTQ_F_IN_ORDER
#define VIONET_F_RING_RESET 40 /* 2.6.1 Virtqueue Reset: one queue reset alone */

/* ---- 5.1.3 Network Device: Feature bits ---- */
#define VIONET_NET_F_CSUM 0
#define VIONET_NET_F_GUEST_CSUM 1
#define VIONET_NET_F_MTU 3
#define VIONET_NET_F_MAC 5
#define VIONET_NET_F_GUEST_TSO4 7
#define VIONET_NET_F_GUEST_TSO6 8
#define VIONET_NET_F_HOST_TSO4 11
#define VIONET_NET_F_HOST_TSO6 12
#define VIONET_NET_F_MRG_RXBUF 15
#define VIONET_NET_F_STATUS 16
#define VIONET_NET_F_CTRL_VQ 17
#define VIONET_NET_F_CTRL_RX 18
#define VIONET_NET_F_CTRL_VLAN 19
#define VIONET_NET_F_GUEST_ANNOUNCE 21
#define VIONET_NET_F_MQ 22
#define VIONET_NET_F_CTRL_MAC_ADDR 23
#define VIONET_NET_F_HASH_REPORT 57
#define VIONET_NET_F_RSS 60
#define VIONET_NET_F_SPEED_DUPLEX 63

/* ---- 5.1.4 Network Device: Device configuration layout ---- */
struct vionet_net_config {
	uint8_t mac[6];		      /* valid with VIRTIO_NET_F_MAC */
	rte_le16_t status;	      /* valid with VIRTIO_NET_F_STATUS */
	rte_le16_t max_virtqueue_pairs; /* valid with VIRTIO_NET_F_MQ */
	rte_le16_t mtu;		      /* valid with VIRTIO_NET_F_MTU */
	rte_le32_t speed;	      /* Mbps, valid with VIRTIO_NET_F_SPEED_DUPLEX; ~0 unknown */
	uint8_t duplex;		      /* VIONET_NET_DUPLEX_*, 0xff unknown */
	uint8_t rss_max_key_size;     /* with VIRTIO_NET_F_RSS or _HASH_REPORT: at least 40 */
	rte_le16_t rss_max_indirection_table_length; /* with VIRTIO_NET_F_RSS: at least 128 */
	rte_le32_t supported_hash_types; /* VIONET_HASH_TYPE_* */
} __rte_packed;

#define VIONET_CFG_MAC offsetof(struct vionet_net_config, mac)
#define VIONET_CFG_STATUS offsetof(struct vionet_net_config, status)
#define VIONET_CFG_MAX_VQ_PAIRS offsetof(struct vionet_net_config, max_virtqueue_pairs)
#define VIONET_CFG_MTU offsetof(struct vionet_net_config, mtu)
#define VIONET_CFG_SPEED offsetof(struct vionet_net_config, speed)
#define VIONET_CFG_DUPLEX offsetof(struct vionet_net_config, duplex)
#define VIONET_CFG_RSS_MAX_KEY_SIZE offsetof(struct vionet_net_config, rss_max_key_size)
#define VIONET_CFG_RSS_MAX_TABLE_LEN                                                               \
	offsetof(struct vionet_net_config, rss_max_indirection_table_length)
#define VIONET_CFG_SUPPORTED_HASH_TYPES offsetof(struct vionet_net_config, supported_hash_types)
/* 5.1.4 Device configuration layout: the least a device offering RSS may give */
#define VIONET_RSS_SPEC_KEY_SIZE_MIN 40
#define VIONET_RSS_SPEC_TABLE_LEN_MIN 128
#define VIONET_NET_S_LINK_UP 1	  /* bit of 'status' */
#define VIONET_NET_S_ANNOUNCE 2	  /* bit of 'status': send gratuitous packets, then ack (5.1.6.5.4) */
#define VIONET_NET_DUPLEX_FULL 1
#define VIONET_NET_DUPLEX_HALF 0
#define VIONET_NET_DUPLEX_UNKNOWN 0xff
#define VIONET_SPEED_UNKNOWN UINT32_MAX
/* max_virtqueue_pairs' range (5.1.4: 1 to 0x8000, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX) */
#define VIONET_SPEC_QUEUE_PAIRS_MAX 0x8000

/* ---- 5.1.6 Network Device: Device Operation (struct virtio_net_hdr) ---- */
/*
 * With VERSION_1 or MRG_RXBUF the header has num_buffers: 12 bytes; a legacy device without
 * mergeable buffers uses the first 10 (5.1.6 "Legacy Interface: Device Operation").
 */
struct vionet_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	rte_le16_t hdr_len;
	rte_le16_t gso_size;
	rte_le16_t csum_start;
	rte_le16_t csum_offset;
	rte_le16_t num_buffers; /* mergeable Rx: buffers this packet spans; Tx: 0 */
} __rte_packed;

#define VIONET_NET_HDR_LEN 12
#define VIONET_NET_HDR_LEN_LEGACY 10
/* With VIRTIO_NET_F_HASH_REPORT the header goes on (both directions): le32 hash_value, le16
 * hash_report, le16 padding_reserved. */
#define VIONET_NET_HDR_LEN_HASH 20
#define VIONET_NET_HDR_HASH_VALUE_OFF 12
#define VIONET_NET_HDR_HASH_REPORT_OFF 16
/* hash_report values (Processing of Incoming Packets: Hash reporting for incoming packets) */
#define VIONET_HASH_REPORT_NONE 0
#define VIONET_HASH_REPORT_IPV4 1
#define VIONET_HASH_REPORT_TCPV4 2
#define VIONET_HASH_REPORT_UDPV4 3
#define VIONET_HASH_REPORT_IPV6 4
#define VIONET_HASH_REPORT_TCPV6 5
#define VIONET_HASH_REPORT_UDPV6 6
#define VIONET_HASH_REPORT_IPV6_EX 7
#define VIONET_HASH_REPORT_TCPV6_EX 8
#define VIONET_HASH_REPORT_UDPV6_EX 9
#define VIONET_NET_HDR_F_NEEDS_CSUM 1
#define VIONET_NET_HDR_F_DATA_VALID 2
#define VIONET_NET_HDR_GSO_NONE 0
#define VIONET_NET_HDR_GSO_TCPV4 1
#define VIONET_NET_HDR_GSO_UDP 3
#define VIONET_NET_HDR_GSO_TCPV6 4
#define VIONET_NET_HDR_GSO_ECN 0x80

/* ---- 5.1.6.5 Network Device: Control Virtqueue ---- */
#define VIONET_CTRL_OK 0
#define VIONET_CTRL_ERR 1
#define VIONET_CTRL_RX 0 /* 5.1.6.5.1 Packet Receive Filtering */
#define VIONET_CTRL_RX_PROMISC 0
#define VIONET_CTRL_RX_ALLMULTI 1
#define VIONET_CTRL_RX_ALLUNI 2
#define VIONET_CTRL_RX_NOMULTI 3
#define VIONET_CTRL_RX_NOUNI 4
#define VIONET_CTRL_RX_NOBCAST 5
#define VIONET_CTRL_MAC 1 /* 5.1.6.5.2 Setting MAC Address Filtering */
#define VIONET_CTRL_MAC_TABLE_SET 0
#define VIONET_CTRL_MAC_ADDR_SET 1
#define VIONET_CTRL_VLAN 2 /* 5.1.6.5.3 VLAN Filtering */
#define VIONET_CTRL_VLAN_ADD 0
#define VIONET_CTRL_VLAN_DEL 1
#define VIONET_CTRL_ANNOUNCE 3 /* 5.1.6.5.4 Gratuitous Packet Sending */
#define VIONET_CTRL_ANNOUNCE_ACK 0
#define VIONET_CTRL_MQ 4 /* 5.1.6.5.5 Device operation in multiqueue mode */
#define VIONET_CTRL_MQ_VQ_PAIRS_SET 0
#define VIONET_CTRL_MQ_VQ_PAIRS_MIN 1
#define VIONET_CTRL_MQ_VQ_PAIRS_MAX 0x8000
#define VIONET_CTRL_MQ_RSS_CONFIG 1 /* Control Virtqueue: Receive-side scaling (RSS): Setting RSS parameters */
/* Processing of Incoming Packets: Hash calculation: Supported/enabled hash types */
#define VIONET_HASH_TYPE_IPV4 (1u << 0)
#define VIONET_HASH_TYPE_TCPV4 (1u << 1)
#define VIONET_HASH_TYPE_UDPV4 (1u << 2)
#define VIONET_HASH_TYPE_IPV6 (1u << 3)
#define VIONET_HASH_TYPE_TCPV6 (1u << 4)
#define VIONET_HASH_TYPE_UDPV6 (1u << 5)
#define VIONET_HASH_TYPE_IP_EX (1u << 6)
#define VIONET_HASH_TYPE_TCP_EX (1u << 7)
#define VIONET_HASH_TYPE_UDP_EX (1u << 8)
#define VIONET_HASH_TYPE_ALL 0x1ffu
#define VIONET_CTRL_GUEST_OFFLOADS 5 /* 5.1.6.5.8 Offloads State Configuration: not sent by us */

/* ---- 2.6 Virtqueues: largest queue size ---- */
#define VIONET_QUEUE_SIZE_MAX VIRTQ_MAX_SIZE

/* ---- 4.1 Virtio Over PCI Bus ---- */
/* 4.1.4.3 / 4.1.5.1.2: a vector register that holds no vector, or a device that has none to give. */
#define VIONET_MSI_NO_VECTOR 0xffff
/* 4.1.4.5 ISR status: bit 0 queue interrupt, bit 1 configuration change. */
#define VIONET_ISR_QUEUE 0x1
#define VIONET_ISR_CONFIG 0x2

/* 4.1.4 Virtio Structure PCI Capabilities: struct virtio_pci_cap in PCI configuration space. */
#define VIONET_PCI_CAP_CFG_TYPE 3 /* u8 cfg_type */
#define VIONET_PCI_CAP_BAR 4	  /* u8 bar */
#define VIONET_PCI_CAP_OFFSET 8	  /* le32 offset within the BAR */
#define VIONET_PCI_CAP_LENGTH 12  /* le32 length */
#define VIONET_PCI_CAP_LEN_MIN 16
#define VIONET_PCI_NOTIFY_CAP_MULTIPLIER 16 /* struct virtio_pci_notify_cap: le32 after the cap */
#define VIONET_PCI_NOTIFY_CAP_LEN_MIN 20
/* cfg_type values */
#define VIONET_PCI_CAP_COMMON_CFG 1
#define VIONET_PCI_CAP_NOTIFY_CFG 2
#define VIONET_PCI_CAP_ISR_CFG 3
#define VIONET_PCI_CAP_DEVICE_CFG 4

/* 4.1.4.3 Common configuration structure layout (struct virtio_pci_common_cfg). */
#define VIONET_PCI_COMMON_DEVICE_FEATURE_SELECT 0x00
#define VIONET_PCI_COMMON_DEVICE_FEATURE 0x04
#define VIONET_PCI_COMMON_DRIVER_FEATURE_SELECT 0x08
#define VIONET_PCI_COMMON_DRIVER_FEATURE 0x0c
#define VIONET_PCI_COMMON_CONFIG_MSIX_VECTOR 0x10
#define VIONET_PCI_COMMON_NUM_QUEUES 0x12
#define VIONET_PCI_COMMON_DEVICE_STATUS 0x14
#define VIONET_PCI_COMMON_CONFIG_GENERATION 0x15
#define VIONET_PCI_COMMON_QUEUE_SELECT 0x16
#define VIONET_PCI_COMMON_QUEUE_SIZE 0x18
#define VIONET_PCI_COMMON_QUEUE_MSIX_VECTOR 0x1a
#define VIONET_PCI_COMMON_QUEUE_ENABLE 0x1c
#define VIONET_PCI_COMMON_QUEUE_NOTIFY_OFF 0x1e
#define VIONET_PCI_COMMON_QUEUE_DESC 0x20
#define VIONET_PCI_COMMON_QUEUE_DRIVER 0x28
#define VIONET_PCI_COMMON_QUEUE_DEVICE 0x30
#define VIONET_PCI_COMMON_LEN_MIN 0x38 /* up to queue_device: what a 1.0 device has */
#define VIONET_PCI_COMMON_QUEUE_NOTIFY_DATA 0x38
#define VIONET_PCI_COMMON_QUEUE_RESET 0x3a /* le16, there with VIRTIO_F_RING_RESET */
#define VIONET_PCI_COMMON_LEN_QUEUE_RESET 0x3c /* a window that holds queue_reset */

/* 4.1.4.10 Legacy Interfaces: A Note on PCI Device Layout (I/O BAR 0). */
#define VIONET_PCI_LEGACY_HOST_FEATURES 0x00  /* 32 bits, read-only */
#define VIONET_PCI_LEGACY_GUEST_FEATURES 0x04 /* 32 bits */
#define VIONET_PCI_LEGACY_QUEUE_PFN 0x08      /* 32 bits: queue address >> 12 */
#define VIONET_PCI_LEGACY_QUEUE_SIZE 0x0c     /* 16 bits, read-only */
#define VIONET_PCI_LEGACY_QUEUE_SELECT 0x0e
#define VIONET_PCI_LEGACY_QUEUE_NOTIFY 0x10
#define VIONET_PCI_LEGACY_STATUS 0x12 /* 8 bits */
#define VIONET_PCI_LEGACY_ISR 0x13    /* 8 bits, read-to-clear */
/* With MSI-X enabled two vector registers follow and the device configuration moves by 4. */
#define VIONET_PCI_LEGACY_CONFIG_VECTOR 0x14
#define VIONET_PCI_LEGACY_QUEUE_VECTOR 0x16
#define VIONET_PCI_LEGACY_DEVICE_CONFIG_MSIX 0x18
#define VIONET_PCI_LEGACY_DEVICE_CONFIG_NO_MSIX 0x14
/* 2.7.2 Legacy Interfaces: Queue Layout: the PFN is in 4096-byte pages, the used ring page-aligned. */
#define VIONET_PCI_LEGACY_QUEUE_ADDR_SHIFT 12
#define VIONET_PCI_LEGACY_VRING_ALIGN 4096

#endif /* VIONET_SPEC_H */
