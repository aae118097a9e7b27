package image

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// Push sends img to ref and its SBOM as an OCI referrer of it (an artifact manifest whose subject
// is the image), and gives the digest the registry holds. Credentials come from the Docker config
// (~/.docker/config.json), as for any registry client. plainHTTP allows a registry without TLS;
// localhost and 127.0.0.1 are plain HTTP anyway.
func Push(ctx context.Context, ref string, img v1.Image, sbom []byte, plainHTTP bool) (v1.Hash, error) {
	var opts []name.Option
	if plainHTTP {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("image: %q is not an image reference: %w", ref, err)
	}
	ro := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	if err := remote.Write(r, img, ro...); err != nil {
		return v1.Hash{}, fmt.Errorf("image: pushing %s: %w", ref, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	if sbom != nil {
		desc, err := descriptor(img)
		if err != nil {
			return v1.Hash{}, err
		}
		art, err := SBOMArtifact(sbom, desc)
		if err != nil {
			return v1.Hash{}, err
		}
		artDigest, err := art.Digest()
		if err != nil {
			return v1.Hash{}, err
		}
		if err := remote.Write(r.Context().Digest(artDigest.String()), art, ro...); err != nil {
			return v1.Hash{}, fmt.Errorf("image: pushing the SBOM of %s: %w", ref, err)
		}
	}
	return digest, nil
}

func descriptor(img v1.Image) (v1.Descriptor, error) {
	d, err := img.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	size, err := img.Size()
	if err != nil {
		return v1.Descriptor{}, err
	}
	mt, err := img.MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Digest: d, Size: size}, nil
}

// SBOMArtifact is the SBOM as an OCI 1.1 artifact referring to subject: one layer holding the
// CycloneDX JSON, and the config media type saying what it is, which is how registries without the
// artifactType field list referrers by type.
func SBOMArtifact(sbom []byte, subject v1.Descriptor) (v1.Image, error) {
	art := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	art = mutate.ConfigMediaType(art, types.MediaType(SBOMMediaType))
	art, err := mutate.AppendLayers(art, static.NewLayer(sbom, types.MediaType(SBOMMediaType)))
	if err != nil {
		return nil, err
	}
	withSubject, ok := mutate.Subject(art, subject).(v1.Image)
	if !ok {
		return nil, fmt.Errorf("image: setting the SBOM's subject lost the image")
	}
	return withSubject, nil
}
