// One object of most record schemas the host kernel can make, in a namespace
// the caller created: links of several kinds (with bridge port data and
// statistics), IPv4/IPv6 addresses, routes (gateway, multipath, IPv6 with
// cache info, metrics), XFRM policies with templates, and conntrack flows
// (TCP with protocol info, UDP, ICMP, a helper's expectation). Used where a
// test needs every list call to return real records, not to check values.
import { ctInsert } from './conntrack';
import { ip, ipBatch, quietIpv6 } from './netns';

export function buildKernelObjects(ns: string): void {
  quietIpv6(ns);
  ipBatch(ns, [
    'link add va type veth peer name vb',
    'link add br0 type bridge',
    'link set va master br0',
    'link add vx0 type vxlan id 42 dstport 4789 local 10.9.9.9 ttl 9',
    'link add mv0 link vb type macvlan mode bridge',
    'link add ifb0 type ifb',
    'link set br0 up',
    'link set va up',
    'link set vb up',
    'link set mv0 up',
    'addr add 10.7.0.1/24 dev vb',
    'addr add 10.7.1.1/24 dev mv0',
    'addr add 10.8.0.1 peer 10.8.0.2/32 dev vb',
    'addr add 2001:db8:7::1/64 dev vb nodad',
    'route add 10.20.0.0/16 via 10.7.0.2 mtu lock 1400 advmss 1300',
    'route add 10.21.0.0/16 nexthop via 10.7.0.2 weight 2 nexthop via 10.7.1.2',
    'route add 2001:db8:20::/48 via 2001:db8:7::2 expires 300',
    'xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 1000 mark 0x10 mask 0xff tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 101 mode tunnel',
    'xfrm policy add src 2001:db8:1::/64 dst 2001:db8:2::/64 dir in tmpl src 2001:db8::1 dst 2001:db8::2 proto esp mode tunnel',
  ]);
  ip(ns, 'tuntap', 'add', 'tn0', 'mode', 'tun');
  ctInsert(ns, [
    'ct family=4 proto=6 src=10.7.0.1 dst=10.7.0.2 sport=40000 dport=443 tcpstate=3 mark=5',
    'ct family=6 proto=17 src=2001:db8:7::1 dst=2001:db8:7::2 sport=5353 dport=53',
    'ct family=4 proto=1 src=10.7.0.1 dst=10.7.0.3 icmptype=8 icmpcode=0 icmpid=77',
    'ct family=4 proto=6 src=10.7.0.1 dst=10.7.0.4 sport=2000 dport=21 helper=ftp',
    'exp family=4 proto=6 src=10.7.0.1 dst=10.7.0.4 sport=2000 dport=21 esrc=10.7.0.1 edst=10.7.0.4 esport=0 edport=4000 helper=ftp timeout=300',
  ]);
}
