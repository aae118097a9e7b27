# shellcheck shell=bash disable=SC2034 # sourced: the variables are used by the scripts that source it
# The test cluster's pinned versions and the names of the images it builds (sourced by
# infra/cluster.sh, build.sh and images.sh; the cluster test reads the image names from here too).
# KUBE_VERSION is infra/build-cache.sh's, one pin for the test servers and the cluster.
CRICTL_VERSION=v1.34.0
COREDNS_VERSION=v1.14.7
CADDY_VERSION=v2.10.2

PAUSE_IMAGE=localhost/egov/pause:local
COREDNS_IMAGE=localhost/egov/coredns:$COREDNS_VERSION
CADDY_IMAGE=localhost/egov/caddy:$CADDY_VERSION
NATS_IMAGE=localhost/egov/nats:local
MINIO_IMAGE=localhost/egov/minio:local
POSTGRES_IMAGE=localhost/egov/postgresql:15
