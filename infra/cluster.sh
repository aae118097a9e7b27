#!/usr/bin/env bash
# A real single-node Kubernetes on this machine, for the cluster tests: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet on Debian's containerd + runc, kube-proxy
# (iptables), the CNI bridge and CoreDNS. Binaries are pinned and cached like infra/servers.sh's
# (infra/cluster/build.sh); images are built here and imported, never pulled. State lives in
# ./var/cluster; what the host must hold (cni0, iptables rules, sysctls, mounts, /run/containerd,
# cgroups) is recorded and undone by `down`. No packet of the cluster leaves this machine.
#
#   infra/cluster.sh up       bring it up (idempotent: parts already running are left alone)
#   infra/cluster.sh down     stop everything and undo every host change; WIPE=1 also deletes the state
#   infra/cluster.sh status   what runs, the node and the pods
#   infra/cluster.sh env      the KUBECONFIG line to eval
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/infra/cluster
# shellcheck source=infra/cluster/versions.sh
. "$here/versions.sh"
S=$root/var/cluster B=$root/bin
E=$S/etc P=$S/pki L=$S/logs R=$S/run
NODE_NAME=${NODE_NAME:-egov-node}
CLUSTER_CIDR=10.244.0.0/16 POD_CIDR=10.244.0.0/24 POD_GATEWAY=10.244.0.1 SVC_CIDR=10.96.0.0/16 DNS_IP=10.96.0.10
APISERVER_PORT=36443
export PATH=$B:$PATH KUBECONFIG=$E/admin.kubeconfig
GUARD=egov-cluster-guard

say() { printf 'cluster: %s\n' "$*" >&2; }
node_ip() { ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1; }
ext_if() { ip route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i+1); exit}}'; }

# --- up ------------------------------------------------------------------------------------------
t0=$(date +%s.%N)
mark() { printf '[%6.1fs] %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$*" | tee -a "$L/up-timeline.txt" >&2; }
running() { [ -f "$R/$1.pid" ] && kill -0 "$(cat "$R/$1.pid")" 2>/dev/null; }
start() { # start NAME CMD...: detached in its own session; log logs/NAME.log, pid run/NAME.pid
	local n=$1
	shift
	if running "$n"; then mark "$n already running (pid $(cat "$R/$n.pid"))"; return 0; fi
	setsid "$@" >>"$L/$n.log" 2>&1 </dev/null &
	echo $! >"$R/$n.pid"
}
# render SRC DEST: fills in the @NAME@ placeholders; rewrites DEST only when it changes (kube-proxy
# exits whenever its config file is written, even with the same bytes).
render() {
	local tmp
	tmp=$(mktemp)
	sed -e "s|@STATE@|$S|g" -e "s|@NODE_IP@|$NODE_IP|g" -e "s|@NODE_NAME@|$NODE_NAME|g" \
		-e "s|@CLUSTER_CIDR@|$CLUSTER_CIDR|g" -e "s|@POD_CIDR@|$POD_CIDR|g" -e "s|@POD_GATEWAY@|$POD_GATEWAY|g" \
		-e "s|@DNS_IP@|$DNS_IP|g" -e "s|@PAUSE_IMAGE@|$PAUSE_IMAGE|g" -e "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|g" "$1" >"$tmp"
	if cmp -s "$tmp" "$2"; then rm -f "$tmp"; else mv "$tmp" "$2"; fi
}
wait_for() { # wait_for SECONDS WHAT CMD...
	local s=$1 what=$2 i
	shift 2
	for ((i = 0; i < s * 4; i++)); do
		if "$@" >/dev/null 2>&1; then mark "$what"; return 0; fi
		sleep 0.25
	done
	say "timed out after ${s}s waiting for: $what (logs in $L)"
	return 1
}
guard() { # guard iptables|ip6tables TABLE CHAIN RULE...: a rule of ours, inserted first, once
	local ipt=$1 t=$2 c=$3
	shift 3
	$ipt -t "$t" -C "$c" "$@" -m comment --comment $GUARD 2>/dev/null ||
		$ipt -t "$t" -I "$c" 1 "$@" -m comment --comment $GUARD
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

packages() {
	local need=()
	command -v containerd >/dev/null || need+=(containerd)
	command -v runc >/dev/null || need+=(runc)
	[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
	command -v iptables >/dev/null || need+=(iptables)
	command -v conntrack >/dev/null || need+=(conntrack)
	command -v ip >/dev/null || need+=(iproute2)
	command -v openssl >/dev/null || need+=(openssl)
	[ ${#need[@]} -eq 0 ] && return 0
	say "installing Debian packages: ${need[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
}

up() {
	mkdir -p "$L" "$R" "$E/cni/net.d" "$S/images"
	NODE_IP=${NODE_IP:-$(node_ip)}
	echo "--- up $(date -Is) node=$NODE_NAME ip=$NODE_IP" >>"$L/up-timeline.txt"
	packages
	"$root/infra/servers.sh" etcd kube-apiserver helm
	"$here/build.sh"
	# The images are rebuilt when what makes them changed (the scripts, the pins, the pause source).
	local inputs
	inputs=$(cat "$here/images.sh" "$here/mkimage.sh" "$here/versions.sh" "$here/postgresql/docker-entrypoint.sh" \
		"$root/libs/devkit/cmd/egov-pause/main.go" | sha256sum | cut -d' ' -f1)
	if [ "$(cat "$S/images/inputs.sha256" 2>/dev/null)" != "$inputs" ]; then
		"$here/images.sh" build
		echo "$inputs" >"$S/images/inputs.sha256"
	fi
	if ! running kube-apiserver; then
		for p in 32379 32380 32381 $APISERVER_PORT 10257 10259 10248 10249 10256; do
			port_free "$p" || { say "port $p is taken: another cluster or program runs here"; return 1; }
		done
	fi
	"$here/pki.sh" "$S" "$NODE_NAME" "$NODE_IP" "https://127.0.0.1:$APISERVER_PORT"
	mark "binaries, images and certificates ready"

	# --- host changes, each undone by `down` --------------------------------------------------
	# kubelet sets vm.overcommit_memory=1 kernel.panic=10 kernel.panic_on_oops=1, the bridge
	# plugin net.ipv4.ip_forward=1: the values before are kept to be put back.
	if [ ! -f "$R/sysctl.saved" ]; then
		for s in vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops \
			kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward; do
			echo "$s=$(sysctl -n "$s")"
		done >"$R/sysctl.saved"
	fi
	# Guards: no packet of the cluster leaves by the default route. A packet to a ClusterIP that
	# kube-proxy did not DNAT (filter OUTPUT runs after nat OUTPUT); a packet to a pod IP not
	# going out on cni0 (mangle POSTROUTING sees the interface a DNATed packet really leaves by);
	# anything pods send outside the pod network that is not for this host. The API server and
	# kubelet listen on the node's address for the pods; nothing from outside reaches them.
	local ext
	ext=$(ext_if)
	guard iptables filter OUTPUT -d "$SVC_CIDR" -j REJECT
	guard iptables mangle POSTROUTING -d "$CLUSTER_CIDR" ! -o cni0 -j DROP
	guard iptables filter FORWARD -s "$CLUSTER_CIDR" ! -d "$CLUSTER_CIDR" -j DROP
	if [ -n "$ext" ]; then
		guard iptables filter INPUT -i "$ext" -p tcp -m multiport --dports "$APISERVER_PORT,10250" -j DROP
	fi
	render "$here/10-bridge.conflist" "$E/cni/net.d/10-bridge.conflist"
	render "$here/containerd.toml" "$E/containerd.toml"
	render "$here/kubelet.yaml" "$E/kubelet.yaml"
	render "$here/kube-proxy.yaml" "$E/kube-proxy.yaml"
	render "$here/coredns.yaml" "$E/coredns.yaml"
	mark "host prepared"

	# --- containerd and the images ---------------------------------------------------------------
	start containerd containerd --config "$E/containerd.toml"
	wait_for 30 "containerd up" ctr version
	if [ "$(cat "$S/containerd/images.sha256" 2>/dev/null)" != "$inputs" ]; then
		"$here/images.sh" import
		echo "$inputs" >"$S/containerd/images.sha256"
		mark "images imported"
	fi

	# --- etcd, kube-apiserver -------------------------------------------------------------------------
	start etcd etcd --name egov --data-dir "$S/etcd" --unsafe-no-fsync \
		--listen-client-urls http://127.0.0.1:32379 --advertise-client-urls http://127.0.0.1:32379 \
		--listen-peer-urls http://127.0.0.1:32380 --initial-advertise-peer-urls http://127.0.0.1:32380 \
		--initial-cluster egov=http://127.0.0.1:32380 --listen-metrics-urls http://127.0.0.1:32381
	wait_for 60 "etcd healthy" curl -sf http://127.0.0.1:32379/health
	# Bound to every address so that pods reach it through the kubernetes Service (10.96.0.1 is
	# DNATed to the node's address); the INPUT guard keeps the outside away.
	start kube-apiserver kube-apiserver --etcd-servers=http://127.0.0.1:32379 \
		--bind-address=0.0.0.0 --secure-port=$APISERVER_PORT --advertise-address="$NODE_IP" \
		--tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" --client-ca-file="$P/ca.crt" \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
		--service-cluster-ip-range="$SVC_CIDR" --authorization-mode=Node,RBAC \
		--enable-admission-plugins=NodeRestriction --allow-privileged=true \
		--kubelet-client-certificate="$P/apiserver-kubelet-client.crt" --kubelet-client-key="$P/apiserver-kubelet-client.key" \
		--kubelet-certificate-authority="$P/ca.crt" --kubelet-preferred-address-types=InternalIP \
		--profiling=false --v=1
	wait_for 180 "kube-apiserver ready" curl -sf --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" "https://127.0.0.1:$APISERVER_PORT/readyz"

	# --- controller-manager, scheduler ------------------------------------------------------------------
	start kube-controller-manager kube-controller-manager --kubeconfig="$E/controller-manager.kubeconfig" \
		--authentication-kubeconfig="$E/controller-manager.kubeconfig" --authorization-kubeconfig="$E/controller-manager.kubeconfig" \
		--bind-address=127.0.0.1 --secure-port=10257 --leader-elect=false \
		--service-account-private-key-file="$P/sa.key" --root-ca-file="$P/ca.crt" --use-service-account-credentials=true \
		--cluster-signing-cert-file="$P/ca.crt" --cluster-signing-key-file="$P/ca.key" \
		--service-cluster-ip-range="$SVC_CIDR" --cluster-cidr="$CLUSTER_CIDR" --allocate-node-cidrs=false --profiling=false --v=1
	start kube-scheduler kube-scheduler --kubeconfig="$E/scheduler.kubeconfig" \
		--authentication-kubeconfig="$E/scheduler.kubeconfig" --authorization-kubeconfig="$E/scheduler.kubeconfig" \
		--bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --profiling=false --v=1

	# --- kubelet, kube-proxy ---------------------------------------------------------------------------
	start kubelet kubelet --config="$E/kubelet.yaml" --kubeconfig="$E/kubelet.kubeconfig" \
		--hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --root-dir="$S/kubelet" --cert-dir="$S/kubelet/pki" --v=1
	wait_for 60 "kubelet healthz ok" curl -sf http://127.0.0.1:10248/healthz
	wait_for 180 "node $NODE_NAME Ready" kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
	start kube-proxy kube-proxy --config="$E/kube-proxy.yaml" --v=1
	wait_for 60 "kube-proxy healthy" curl -sf http://127.0.0.1:10256/healthz

	# --- cluster DNS -------------------------------------------------------------------------------------
	wait_for 60 "default ServiceAccount exists" kubectl get serviceaccount default
	kubectl apply -f "$E/coredns.yaml" >/dev/null
	wait_for 120 "CoreDNS ready" kubectl -n kube-system wait --for='jsonpath={.status.readyReplicas}=1' deployment/coredns --timeout=1s
	mark "cluster up (export KUBECONFIG=$E/admin.kubeconfig)"
}

# --- down ------------------------------------------------------------------------------------------
# containerd-shim-runc-v2 processes of this containerd: the ones listening under /run/containerd/s/
shim_pids() { ss -xlpn 2>/dev/null | grep ' /run/containerd/s/' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }
stop() { # stop NAME [TIMEOUT]: SIGTERM the recorded pid, SIGKILL after TIMEOUT seconds
	local n=$1 t=${2:-15} pid i
	[ -f "$R/$n.pid" ] || return 0
	pid=$(cat "$R/$n.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for ((i = 0; i < t * 4; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
		if kill -0 "$pid" 2>/dev/null; then say "$n did not stop, SIGKILL"; kill -KILL "$pid"; sleep 0.5; fi
		say "stopped $n ($pid)"
	fi
	rm -f "$R/$n.pid"
}
# unguard iptables|ip6tables TABLE: deletes our rules
unguard() {
	$1 -t "$2" -S 2>/dev/null | grep -- "--comment $GUARD" | sed 's/^-A/-D/' | while read -r r; do eval "$1 -t $2 $r"; done
}

down() {
	set +e
	mkdir -p "$L" "$R"
	local had_proxy=0
	[ -f "$R/kube-proxy.pid" ] && had_proxy=1
	stop kube-proxy
	if [ "$had_proxy" = 1 ] && [ -x "$B/kube-proxy" ]; then
		kube-proxy --cleanup >>"$L/kube-proxy-cleanup.log" 2>&1 && say "kube-proxy --cleanup done"
	fi
	stop kube-scheduler
	stop kube-controller-manager
	stop kubelet 30
	if [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1; then
		# Through the CRI, so that CNI tears each pod's network down.
		crictl -r unix:///run/containerd/containerd.sock rmp -fa >/dev/null 2>&1 && say "pods removed through the CRI"
		local ns t c
		for ns in $(ctr ns ls -q); do
			for t in $(ctr -n "$ns" tasks ls -q 2>/dev/null); do
				ctr -n "$ns" tasks kill -s KILL "$t" >/dev/null 2>&1
				sleep 0.5
				ctr -n "$ns" tasks rm -f "$t" >/dev/null 2>&1
			done
			for c in $(ctr -n "$ns" containers ls -q 2>/dev/null); do ctr -n "$ns" containers rm "$c" >/dev/null 2>&1; done
		done
	fi
	stop kube-apiserver
	stop etcd
	stop containerd
	local i p m
	for i in $(seq 20); do [ -z "$(shim_pids)" ] && break; sleep 0.5; done
	for p in $(shim_pids); do say "killing leftover shim $p"; kill -KILL "$p"; done
	# What containerd and kubelet mounted (kubelet bind-mounts its root dir onto itself), deepest first.
	for m in $(findmnt -rn -o TARGET | grep -E "^($S/|/run/containerd/|/run/netns/)" | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	rm -rf /run/netns/cni-* 2>/dev/null
	rmdir /run/netns 2>/dev/null
	ip link del cni0 2>/dev/null && say "deleted cni0"
	for t in filter mangle nat; do unguard iptables "$t"; done
	# Chains kubelet leaves (KUBE-KUBELET-CANARY, KUBE-FIREWALL, KUBE-IPTABLES-HINT, in v4 and v6),
	# kube-proxy's if --cleanup missed any, and CNI's of pods not torn down (CNI-*).
	local ipt chains ch
	for ipt in iptables ip6tables; do
		for t in filter nat mangle; do
			chains=$($ipt -t "$t" -S 2>/dev/null | awk '/^-N (CNI-|KUBE-)/{print $2}')
			for ch in $chains; do
				$ipt -t "$t" -S | grep -E -- "-j $ch( |\$)" | sed 's/^-A/-D/' | while read -r r; do eval "$ipt -t $t $r"; done
				$ipt -t "$t" -F "$ch"
			done
			for ch in $chains; do $ipt -t "$t" -X "$ch"; done
		done
	done
	# cgroups: kubelet's kubepods tree and containerd's k8s.io tree, leaves first
	local h top
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		for top in kubepods kubepods.slice k8s.io; do
			[ -d "$h$top" ] && find "$h$top" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	done
	if [ -f "$R/sysctl.saved" ]; then
		local k v
		while IFS='=' read -r k v; do sysctl -qw "$k=$v"; done <"$R/sysctl.saved"
		rm -f "$R/sysctl.saved"
		say "sysctls restored"
	fi
	rm -rf /run/containerd
	# Paths fixed in kubelet whatever --root-dir says: the device-plugin socket and the
	# /var/log/containers links into our pod logs.
	rm -f /var/lib/kubelet/device-plugins/kubelet.sock
	rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet 2>/dev/null
	if [ -d /var/log/containers ]; then
		find /var/log/containers -maxdepth 1 -type l -lname "$S/*" -delete
		rmdir /var/log/containers 2>/dev/null
	fi
	if [ "${WIPE:-0}" = 1 ]; then
		# containerd's snapshots are overlay mounts already gone; the images tarballs are kept.
		rm -rf "$S/etcd" "$S/containerd" "$S/containerd-opt" "$S/kubelet" "$S/log" "$S/cni-ipam" "$S/kubelet-plugins" "$P" "$E"
		say "wiped the cluster state in $S (images kept)"
	fi
	set -e
	say "down"
}

status() {
	local n rc=0 rss total=0
	for n in containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
		if running "$n"; then
			rss=$(awk '/^VmRSS/{print int($2/1024)}' "/proc/$(cat "$R/$n.pid")/status")
			total=$((total + rss))
			printf '%-24s running (pid %s, %s MiB)\n' "$n" "$(cat "$R/$n.pid")" "$rss"
		else
			printf '%-24s stopped\n' "$n"
			rc=3
		fi
	done
	printf '%-24s %s MiB\n' "node and control plane" "$total"
	if [ -f /sys/fs/cgroup/memory/kubepods/memory.usage_in_bytes ]; then
		printf '%-24s %s MiB\n' "pods (kubepods cgroup)" "$(($(cat /sys/fs/cgroup/memory/kubepods/memory.usage_in_bytes) / 1048576))"
	fi
	if running kube-apiserver; then
		kubectl get nodes -o wide
		kubectl get pods -A -o wide
	fi
	return $rc
}

case ${1:-} in
up) up ;;
down) down ;;
status) status ;;
env) echo "export KUBECONFIG=$E/admin.kubeconfig" ;;
*) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
