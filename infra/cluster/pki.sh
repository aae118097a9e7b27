#!/usr/bin/env bash
# pki.sh STATE NODE_NAME NODE_IP APISERVER_URL: the test cluster's CA, serving and client
# certificates for every component, the service-account key pair (STATE/pki) and the kubeconfigs
# (STATE/etc). openssl only. Idempotent: what exists is kept.
set -euo pipefail
state=${1:?state dir} node=${2:?node name} nodeip=${3:?node ip} apiserver=${4:?apiserver url}
p=$state/pki e=$state/etc
mkdir -p "$p" "$e"
cd "$p"
[ -f ca.key ] || openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout ca.key -out ca.crt \
	-subj "/CN=egov-test-cluster-ca" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
[ -f sa.key ] || { openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null; }
# cert NAME SUBJECT EKU [SANS]
cert() {
	local name=$1 subj=$2 eku=$3 sans=${4:-}
	[ -f "$name.crt" ] && return 0
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$eku"
		[ -z "$sans" ] || echo "subjectAltName=$sans"
	} >"$name.ext"
	openssl req -new -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
	openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 3650 \
		-extfile "$name.ext" -out "$name.crt" 2>/dev/null
	rm -f "$name.csr" "$name.ext"
}
cert apiserver "/CN=kube-apiserver" serverAuth \
	"DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1,IP:$nodeip"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert kubelet-server "/CN=$node" serverAuth "DNS:$node,IP:$nodeip,IP:127.0.0.1"
cert admin "/O=system:masters/CN=kubernetes-admin" clientAuth
cert kubelet "/O=system:nodes/CN=system:node:$node" clientAuth
cert controller-manager "/CN=system:kube-controller-manager" clientAuth
cert scheduler "/CN=system:kube-scheduler" clientAuth
cert kube-proxy "/CN=system:kube-proxy" clientAuth
chmod 600 ./*.key
for u in admin kubelet controller-manager scheduler kube-proxy; do
	cat >"$e/$u.kubeconfig.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: egov-test
  cluster:
    server: $apiserver
    certificate-authority: $p/ca.crt
users:
- name: $u
  user:
    client-certificate: $p/$u.crt
    client-key: $p/$u.key
contexts:
- name: $u@egov-test
  context: {cluster: egov-test, user: $u}
current-context: $u@egov-test
KC
	if cmp -s "$e/$u.kubeconfig.tmp" "$e/$u.kubeconfig"; then rm "$e/$u.kubeconfig.tmp"; else mv "$e/$u.kubeconfig.tmp" "$e/$u.kubeconfig"; fi
done
