#!/usr/bin/env bash
# redis-cluster.sh starts or stops a Redis Cluster of three masters (no
# replicas) on loopback, without persistence, for the cluster conformance
# test of idx/redisstore (TestClusterConformance reads REDIS_CLUSTER_ADDRS).
#
# Usage:
#   scripts/redis-cluster.sh start DIR   start the nodes with their files in DIR
#                                        (made if missing), create the cluster,
#                                        wait until it serves, and print
#                                        REDIS_CLUSTER_ADDRS=host:port,... on stdout
#   scripts/redis-cluster.sh stop DIR    stop the nodes started in DIR
#
# The nodes take the first three free ports from REDIS_CLUSTER_PORT
# (default 30001) on, each with its cluster bus port (port + 10000) free
# too. Everything but the final line goes to stderr, so that
#   export "$(scripts/redis-cluster.sh start /tmp/cluster)"
# sets the variable.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1 dir=$2

# listening reports whether something accepts connections on 127.0.0.1:$1.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "$cmd" in
stop)
	[ -f "$dir/pids" ] || exit 0
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$dir/pids"
	while read -r pid; do
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	done <"$dir/pids"
	rm -f "$dir/pids"
	exit 0
	;;
start) ;;
*) usage ;;
esac

command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
	echo "redis-server and redis-cli are needed (Debian: apt-get install redis-server)" >&2
	exit 1
}
mkdir -p "$dir"
: >"$dir/pids"

ports=()
port=${REDIS_CLUSTER_PORT:-30001}
while [ ${#ports[@]} -lt 3 ]; do
	if [ "$port" -gt 55535 ]; then
		echo "no three free port pairs (port, port+10000) from ${REDIS_CLUSTER_PORT:-30001} on" >&2
		exit 1
	fi
	if ! listening "$port" && ! listening $((port + 10000)); then
		ports+=("$port")
	fi
	port=$((port + 1))
done

for p in "${ports[@]}"; do
	node="$dir/$p"
	rm -rf "$node"
	mkdir -p "$node"
	redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes \
		--cluster-config-file "$node/nodes.conf" --cluster-node-timeout 5000 \
		--save '' --appendonly no --dir "$node" >"$node/redis.log" 2>&1 &
	echo $! >>"$dir/pids"
done

for p in "${ports[@]}"; do
	for _ in $(seq 100); do
		redis-cli -h 127.0.0.1 -p "$p" ping 2>/dev/null | grep -q PONG && break
		sleep 0.1
	done
	if ! redis-cli -h 127.0.0.1 -p "$p" ping 2>/dev/null | grep -q PONG; then
		echo "the Redis Cluster node on port $p did not answer PING:" >&2
		cat "$dir/$p/redis.log" >&2
		"$0" stop "$dir"
		exit 1
	fi
done

addrs=()
for p in "${ports[@]}"; do addrs+=("127.0.0.1:$p"); done
redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >&2

# The cluster serves once every node sees all 16384 slots assigned.
for p in "${ports[@]}"; do
	for _ in $(seq 100); do
		redis-cli -h 127.0.0.1 -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' && break
		sleep 0.1
	done
	if ! redis-cli -h 127.0.0.1 -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; then
		echo "the Redis Cluster node on port $p is not in state ok:" >&2
		redis-cli -h 127.0.0.1 -p "$p" cluster info >&2 || true
		"$0" stop "$dir"
		exit 1
	fi
done
echo "Redis Cluster of three masters on ${addrs[*]} (files in $dir)" >&2
(IFS=,; echo "REDIS_CLUSTER_ADDRS=${addrs[*]}")
