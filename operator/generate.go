// Package operator is the Tenant operator's module root. It holds no code, only the generator
// lines: `go generate` here (or `make generate` at the repository root) rewrites the deep-copy
// functions, the CRD and the RBAC role from the kubebuilder markers, and copies the CRD and the
// role's rules into the Helm chart so the chart never drifts from the code (a test checks it).
package operator

//go:generate ../bin/controller-gen object paths=./api/...
//go:generate ../bin/controller-gen crd rbac:roleName=tenant-operator paths=./... output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
//go:generate cp config/crd/bases/platform.egov.vn_egovtenants.yaml ../charts/operator/files/crd.yaml
//go:generate cp config/rbac/role.yaml ../charts/operator/files/role.yaml
