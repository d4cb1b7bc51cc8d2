#!/usr/bin/env python3
"""Sends UDP/IPv4 test flows out of a (tap) interface, for the guest RSS test: flow f has source MAC
02:00:00:00:<round>:<f>, so the guest's log says which flow each frame was, and loopback-range
addresses (127.0.0.0/8), so no frame can reach a real network. Prints the flows' tuples as
"<flow> <src> <dst> <sport> <dport>" (rss_expect's input).
usage: rss_send.py <ifname> <round> <flows> <frames per flow>"""
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def flow_tuple(f):
    return f"127.10.{f // 200}.{f % 200 + 1}", "127.20.0.1", 1024 + 37 * f, 5000 + f


def frame(rnd, f):
    src, dst, sport, dport = flow_tuple(f)
    payload = b"vionet-rss" + bytes(22)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), f, 0, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = bytes.fromhex("525400120001") + bytes([2, 0, 0, 0, rnd, f]) + b"\x08\x00"
    return eth + ip + udp


def main():
    ifname, rnd, flows, per_flow = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    if flows > 256:
        sys.exit("rss_send.py: at most 256 flows (one MAC byte)")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    for f in range(flows):
        for _ in range(per_flow):
            s.send(frame(rnd, f))
        src, dst, sport, dport = flow_tuple(f)
        print(f, src, dst, sport, dport)


if __name__ == "__main__":
    main()
