// Package clustertest proves the charts on a real single-node Kubernetes (infra/cluster.sh): the
// images built here and imported, both charts installed with Helm on the trial profile, Tenants
// onboarded by the operator under its own RBAC, a sign-in through the front proxy, and what a
// deleted commune leaves behind. Its test carries the build tag `cluster` and runs with
// `make test-cluster` (it needs root, and minutes).
package clustertest
