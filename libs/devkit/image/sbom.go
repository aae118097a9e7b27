package image

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"sort"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// SBOMMediaType is the media type of the SBOM file and of its OCI referrer.
const SBOMMediaType = "application/vnd.cyclonedx+json"

// SBOM describes what an image holds as CycloneDX 1.6 JSON: the binary's main module and every
// module linked into it, read back from the binary itself (debug/buildinfo, so it lists what was
// built, not what go.mod allows), the Go toolchain, the build settings, and the CA bundle by hash.
// It has no serial number and its timestamp is the source date, so it is as reproducible as the image.
func SBOM(binaryPath string, m Meta, caBundle []byte) ([]byte, error) {
	bi, err := buildinfo.ReadFile(binaryPath)
	if err != nil {
		return nil, fmt.Errorf("image %s: reading the module list from the binary: %w", m.Name, err)
	}
	var settings []cdx.Property
	for _, s := range bi.Settings {
		settings = append(settings, cdx.Property{Name: "go:build:" + s.Key, Value: s.Value})
	}
	mainRef := "image:" + m.Name + ":" + m.Version
	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{
		Timestamp: m.Created.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: "egov-image", Description: "libs/devkit/cmd/egov-image",
		}}},
		Component: &cdx.Component{
			BOMRef: mainRef, Type: cdx.ComponentTypeContainer, Name: m.Name, Version: m.Version,
			Properties: &[]cdx.Property{
				{Name: "org.opencontainers.image.revision", Value: m.Revision},
				{Name: "org.opencontainers.image.source", Value: m.Source},
			},
		},
	}
	binRef := "pkg:golang/" + bi.Main.Path + "@" + versionOr(bi.Main.Version, m.Version)
	components := []cdx.Component{
		{
			BOMRef: binRef, Type: cdx.ComponentTypeApplication, Name: bi.Path, Version: versionOr(bi.Main.Version, m.Version),
			PackageURL: binRef, Properties: &settings,
		},
		{
			BOMRef: "pkg:golang/stdlib@" + bi.GoVersion, Type: cdx.ComponentTypeLibrary, Name: "stdlib",
			Version: bi.GoVersion, PackageURL: "pkg:golang/stdlib@" + bi.GoVersion,
		},
		{
			BOMRef: "file:" + CABundlePath, Type: cdx.ComponentTypeFile, Name: CABundlePath,
			Description: "CA certificates from the build machine's Debian ca-certificates",
			Hashes:      &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: FileSHA256(caBundle)}},
		},
	}
	deps := []string{"pkg:golang/stdlib@" + bi.GoVersion}
	for _, d := range bi.Deps {
		mod := d
		if d.Replace != nil {
			mod = d.Replace
		}
		// The workspace's own modules say "(devel)": they are this source, at this version.
		version := versionOr(mod.Version, m.Version)
		ref := "pkg:golang/" + d.Path + "@" + version
		c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: d.Path, Version: version, PackageURL: ref}
		var props []cdx.Property
		if mod.Sum != "" {
			props = append(props, cdx.Property{Name: "go:module:sum", Value: mod.Sum})
		}
		if d.Replace != nil {
			props = append(props, cdx.Property{Name: "go:module:replace", Value: d.Replace.Path})
		}
		if len(props) > 0 {
			c.Properties = &props
		}
		components = append(components, c)
		deps = append(deps, ref)
	}
	sort.SliceStable(components[3:], func(i, j int) bool { return components[3+i].Name < components[3+j].Name })
	sort.Strings(deps)
	bom.Components = &components
	bom.Dependencies = &[]cdx.Dependency{
		{Ref: mainRef, Dependencies: &[]string{binRef, "file:" + CABundlePath}},
		{Ref: binRef, Dependencies: &deps},
	}
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, fmt.Errorf("image %s: writing the SBOM: %w", m.Name, err)
	}
	return buf.Bytes(), nil
}

// versionOr gives v unless it is empty or "(devel)", as for a workspace's own modules.
func versionOr(v, fallback string) string {
	if v == "" || strings.HasPrefix(v, "(") {
		return fallback
	}
	return v
}
