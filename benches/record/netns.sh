#!/usr/bin/env bash
# Network namespaces standing in for machines, for the cluster section of benches/record.sh:
#   bash benches/record/netns.sh up N     # namespaces cgr0 .. cgr{N-1}, 10.215.0.{1..N}, on one bridge
#   bash benches/record/netns.sh down N   # removes them (and the bridge's namespace)
# Needs root and iproute2. Each namespace gets one veth end named eth0; the other ends hang on a
# bridge inside a namespace of their own (cgrsw), so nothing touches the host's interfaces.
set -euo pipefail
op=${1:?usage: netns.sh up|down N}
n=${2:?usage: netns.sh up|down N}
case $op in
up)
    ip netns add cgrsw
    ip -n cgrsw link add br0 type bridge
    ip -n cgrsw link set br0 up
    for i in $(seq 0 $((n - 1))); do
        ip netns add "cgr$i"
        ip link add eth0 netns "cgr$i" type veth peer name "p$i" netns cgrsw
        ip -n cgrsw link set "p$i" master br0
        ip -n cgrsw link set "p$i" up
        ip -n "cgr$i" addr add "10.215.0.$((i + 1))/24" dev eth0
        ip -n "cgr$i" link set eth0 up
        ip -n "cgr$i" link set lo up
    done
    ;;
down)
    for i in $(seq 0 $((n - 1))); do
        ip netns del "cgr$i" 2>/dev/null || true
    done
    ip netns del cgrsw 2>/dev/null || true
    ;;
*)
    echo "usage: netns.sh up|down N" >&2
    exit 2
    ;;
esac
